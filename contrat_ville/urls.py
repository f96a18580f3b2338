"""The entrance: the only module that imports every app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from . import views

admin.site.site_header = "Politique de la ville — programmation"
admin.site.site_title = "Politique de la ville"
admin.site.index_title = "Back-office"

urlpatterns = [
    path(
        "", RedirectView.as_view(pattern_name="programmation:programmation", permanent=False), name="accueil"
    ),
    path("connexion/", auth_views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/<int:pk>/telecharger/", views.document_telecharger, name="document_telecharger"),
    path("programmation/", include("programmation.urls")),
    path("deliberations/", include("deliberations.urls")),
    path("admin/", admin.site.urls),
]
