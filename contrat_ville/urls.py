"""The entrance: the only module that imports every app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from . import pages, parametres, sante, views

admin.site.site_header = "Politique de la ville — programmation"
admin.site.site_title = "Politique de la ville"
admin.site.index_title = "Back-office"
# The back-office is the administrators' tool; agents and officials work in the application's pages.
admin.site.has_permission = lambda request: getattr(request.user, "administre", False)

urlpatterns = [
    path(
        "", RedirectView.as_view(pattern_name="programmation:programmation", permanent=False), name="accueil"
    ),
    path("sante/", sante.sante, name="sante"),
    path("accessibilite/", pages.accessibilite, name="accessibilite"),
    path("mentions-legales/", pages.mentions_legales, name="mentions_legales"),
    path("connexion/", auth_views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe/envoye/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/fait/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("parametres/", parametres.parametres, name="parametres"),
    path("parametres/modifier/", parametres.parametres_modifier, name="parametres_modifier"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/<int:pk>/telecharger/", views.document_telecharger, name="document_telecharger"),
    path("programmation/", include("programmation.urls")),
    path("deliberations/", include("deliberations.urls")),
    path("referentiels/", include("contrat_ville.referentiels.urls")),
    path("admin/", admin.site.urls),
]
