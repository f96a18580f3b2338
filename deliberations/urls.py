from django.urls import path

from . import views

app_name = "deliberations"
urlpatterns = [
    path("", views.deliberation_liste, name="liste"),
    path("<int:pk>/", views.deliberation_detail, name="deliberation"),
    path("<int:pk>/extrait.pdf", views.deliberation_extrait_pdf, name="extrait_pdf"),
    path("<int:pk>/deplacer/", views.deliberation_deplacer, name="deplacer"),
    path("<int:pk>/retirer/", views.deliberation_retirer, name="retirer"),
    path("<int:pk>/voter/", views.deliberation_voter, name="voter"),
    path("<int:pk>/presence/", views.deliberation_presence, name="presence"),
    path("<int:pk>/prefecture/", views.deliberation_prefecture, name="prefecture"),
    path("<int:pk>/lignes/", views.deliberation_ligne, name="ligne"),
    path("donnees-ouvertes/", views.donnees_ouvertes, name="donnees_ouvertes"),
    path("donnees-ouvertes/siret/", views.donnees_ouvertes_siret, name="donnees_ouvertes_siret"),
    path("journal/", views.journal_liste, name="journal"),
    path("seances/", views.seance_liste, name="seances"),
    path("seances/nouvelle/", views.seance_creer, name="seance_creer"),
    path("seances/<int:pk>/", views.seance_detail, name="seance"),
    path("seances/<int:pk>/modifier/", views.seance_modifier, name="seance_modifier"),
    path("seances/<int:pk>/presences/", views.seance_presences, name="seance_presences"),
    path("seances/<int:pk>/inscrire/", views.seance_inscrire, name="seance_inscrire"),
]
