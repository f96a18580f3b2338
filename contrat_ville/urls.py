"""The entrance: the only module that imports every app."""

from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "Politique de la ville — programmation"
admin.site.site_title = "Politique de la ville"
admin.site.index_title = "Back-office"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
]
