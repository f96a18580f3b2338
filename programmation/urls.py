from django.urls import path

from . import views

app_name = "programmation"
urlpatterns = [
    path("", views.ProgrammationView.as_view(), name="programmation"),
    path("tableau-de-bord/", views.tableau_de_bord, name="tableau_de_bord"),
    path("actions/<int:pk>/", views.action_detail, name="action"),
    path("porteurs/<int:pk>/", views.porteur_detail, name="porteur"),
    path("dispositifs/<int:pk>/", views.dispositif_detail, name="dispositif"),
    path("tranches/", views.tranche_liste, name="tranches"),
    path("tranches/<int:pk>/", views.tranche_detail, name="tranche"),
    path("tranches/<int:pk>/annexe.pdf", views.tranche_annexe_pdf, name="tranche_annexe_pdf"),
    path("tranches/<int:pk>/annexe.xlsx", views.tranche_annexe_xlsx, name="tranche_annexe_xlsx"),
]
