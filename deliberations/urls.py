from django.urls import path

from . import views

app_name = "deliberations"
urlpatterns = [
    path("", views.deliberation_liste, name="liste"),
    path("<int:pk>/", views.deliberation_detail, name="deliberation"),
    path("<int:pk>/extrait.pdf", views.deliberation_extrait_pdf, name="extrait_pdf"),
    path("actes/<int:pk>/", views.deliberation_acte_fige, name="acte_fige"),
    path("<int:pk>/deplacer/", views.deliberation_deplacer, name="deplacer"),
    path("<int:pk>/retirer/", views.deliberation_retirer, name="retirer"),
    path("<int:pk>/voter/", views.deliberation_voter, name="voter"),
    path("<int:pk>/rediger/", views.deliberation_rediger, name="rediger"),
    path("modeles/", views.modeles_deliberation, name="modeles"),
    path("modeles/<int:pk>/", views.modele_deliberation, name="modele"),
    path("<int:pk>/presence/", views.deliberation_presence, name="presence"),
    path("<int:pk>/prefecture/", views.deliberation_prefecture, name="prefecture"),
    path("<int:pk>/lignes/", views.deliberation_ligne, name="ligne"),
    path("donnees-ouvertes/", views.donnees_ouvertes, name="donnees_ouvertes"),
    path("donnees-ouvertes/siret/", views.donnees_ouvertes_siret, name="donnees_ouvertes_siret"),
    path("journal/", views.journal_liste, name="journal"),
    path("instances/", views.instance_liste, name="instances"),
    path("instances/nouvelle/", views.instance_creer, name="instance_creer"),
    path("instances/<int:pk>/", views.instance_detail, name="instance"),
    path("instances/<int:pk>/modifier/", views.instance_modifier, name="instance_modifier"),
    path("instances/<int:pk>/membres/", views.instance_membres, name="instance_membres"),
    path("instances/<int:pk>/importer/", views.instance_importer, name="instance_importer"),
    path(
        "instances/<int:pk>/importer/confirmer/",
        views.instance_importer_confirmer,
        name="instance_importer_confirmer",
    ),
    path("elus/", views.elu_liste, name="elus"),
    path("elus/nouveau/", views.elu_creer, name="elu_creer"),
    path("elus/<int:pk>/modifier/", views.elu_modifier, name="elu_modifier"),
    path("registre/", views.registre_modifier, name="registre"),
    path("seances/", views.seance_liste, name="seances"),
    path("seances/nouvelle/", views.seance_creer, name="seance_creer"),
    path("seances/<int:pk>/", views.seance_detail, name="seance"),
    path("seances/<int:pk>/modifier/", views.seance_modifier, name="seance_modifier"),
    path("seances/<int:pk>/presences/", views.seance_presences, name="seance_presences"),
    path(
        "seances/<int:pk>/presences/tous-presents/", views.seance_tous_presents, name="seance_tous_presents"
    ),
    path(
        "seances/<int:pk>/presences/reprendre/",
        views.seance_reprendre_presences,
        name="seance_reprendre_presences",
    ),
    path("seances/<int:pk>/inscrire/", views.seance_inscrire, name="seance_inscrire"),
]
