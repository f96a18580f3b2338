from django.urls import path

from . import grille, views

app_name = "referentiels"
urlpatterns = [
    path("", views.index, name="index"),
    path("contrats/", views.contrats, name="contrats"),
    path("contrats/nouveau/", views.contrat_creer, name="contrat_creer"),
    path("contrats/<int:pk>/modifier/", views.contrat_modifier, name="contrat_modifier"),
    path("financeurs/", views.financeurs, name="financeurs"),
    path("financeurs/nouveau/", views.financeur_creer, name="financeur_creer"),
    path("financeurs/<int:pk>/modifier/", views.financeur_modifier, name="financeur_modifier"),
    path("financeurs/<int:pk>/supprimer/", views.financeur_supprimer, name="financeur_supprimer"),
    path("enveloppes/", views.enveloppes, name="enveloppes"),
    path("enveloppes/nouvelle/", views.enveloppe_creer, name="enveloppe_creer"),
    path("enveloppes/<int:pk>/modifier/", views.enveloppe_modifier, name="enveloppe_modifier"),
    path("enveloppes/<int:pk>/supprimer/", views.enveloppe_supprimer, name="enveloppe_supprimer"),
    path("enveloppes/grille/<int:pk>/", grille.grille_enveloppes, name="enveloppes_grille"),
    path("quartiers/", views.quartiers, name="quartiers"),
    path("quartiers/nouveau/", views.quartier_creer, name="quartier_creer"),
    path("quartiers/<int:pk>/modifier/", views.quartier_modifier, name="quartier_modifier"),
    path("axes/", views.axes, name="axes"),
    path("axes/nouveau/", views.axe_creer, name="axe_creer"),
    path("axes/<int:pk>/modifier/", views.axe_modifier, name="axe_modifier"),
    path("themes/nouveau/", views.theme_creer, name="theme_creer"),
    path("themes/<int:pk>/modifier/", views.theme_modifier, name="theme_modifier"),
]
