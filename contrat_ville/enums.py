from django.db import models


class NatureCollectivite(models.TextChoices):
    EPCI = "epci", "Établissement public de coopération intercommunale"
    COMMUNE = "commune", "Commune"
    DEPARTEMENT = "departement", "Département"


class NatureContrat(models.TextChoices):
    CONTRAT_DE_VILLE = "contrat_de_ville", "Contrat de ville"
    CONTRAT_LOCAL_SOLIDARITES = "cls", "Contrat local des solidarités"
    AUTRE = "autre", "Autre contrat"


class NatureQuartier(models.TextChoices):
    QPV = "qpv", "Quartier prioritaire (QPV)"
    TERRITOIRE_VULNERABLE = "tv", "Territoire vulnérable"
    VEILLE_ACTIVE = "qva", "Quartier de veille active"


class NatureFinanceur(models.TextChoices):
    COLLECTIVITE = "collectivite", "La collectivité elle-même"
    ETAT = "etat", "État"
    COMMUNE = "commune", "Commune"
    CAF = "caf", "Caisse d'allocations familiales"
    ARS = "ars", "Agence régionale de santé"
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"
    AUTRE = "autre", "Autre financeur"


class Section(models.TextChoices):
    FONCTIONNEMENT = "fonctionnement", "Fonctionnement"
    INVESTISSEMENT = "investissement", "Investissement"
