from django.apps import AppConfig


class ContratVilleConfig(AppConfig):
    name = "contrat_ville"
    verbose_name = "Contrat et référentiel"
