from django.urls import path

from .views import consultation, saisie, tranches

app_name = "programmation"
urlpatterns = [
    path("", consultation.ProgrammationView.as_view(), name="programmation"),
    path("tableau-de-bord/", consultation.tableau_de_bord, name="tableau_de_bord"),
    path("actions/nouvelle/", saisie.action_creer, name="action_creer"),
    path("actions/<int:pk>/", consultation.action_detail, name="action"),
    path("actions/<int:pk>/modifier/", saisie.action_modifier, name="action_modifier"),
    path("actions/<int:pk>/statut/", saisie.action_changer_statut, name="action_statut"),
    path("actions/<int:pk>/reconduire/", saisie.action_reconduire, name="action_reconduire"),
    path("porteurs/<int:pk>/", consultation.porteur_detail, name="porteur"),
    path("dispositifs/<int:pk>/", consultation.dispositif_detail, name="dispositif"),
    path("tranches/", tranches.tranche_liste, name="tranches"),
    path("tranches/nouvelle/", tranches.tranche_creer, name="tranche_creer"),
    path("tranches/<int:pk>/", tranches.tranche_detail, name="tranche"),
    path("tranches/<int:pk>/composer/", tranches.tranche_composer, name="tranche_composer"),
    path("tranches/<int:pk>/ajouter/", tranches.tranche_ajouter, name="tranche_ajouter"),
    path("tranches/<int:pk>/retirer/", tranches.tranche_retirer, name="tranche_retirer"),
    path("tranches/<int:pk>/soumettre/", tranches.tranche_soumettre, name="tranche_soumettre"),
    path("tranches/<int:pk>/annexe.pdf", tranches.tranche_annexe_pdf, name="tranche_annexe_pdf"),
    path("tranches/<int:pk>/annexe.xlsx", tranches.tranche_annexe_xlsx, name="tranche_annexe_xlsx"),
]
