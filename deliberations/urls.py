from django.urls import path

from . import views

app_name = "deliberations"
urlpatterns = [
    path("", views.deliberation_liste, name="liste"),
    path("<int:pk>/", views.deliberation_detail, name="deliberation"),
    path("<int:pk>/extrait.pdf", views.deliberation_extrait_pdf, name="extrait_pdf"),
]
