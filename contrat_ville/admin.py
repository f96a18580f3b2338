from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import (
    Axe,
    Collectivite,
    Contrat,
    Dispositif,
    DocumentGenere,
    EnjeuTransversal,
    Enveloppe,
    Financeur,
    Quartier,
    User,
)


class ParCollectivite(admin.ModelAdmin):
    """Staff who are not superusers see only their own authority's records."""

    chemin_collectivite = "collectivite"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.chemin_collectivite: request.user.collectivite_id})


@admin.register(Collectivite)
class CollectiviteAdmin(admin.ModelAdmin):
    list_display = ["nom", "nature", "siren", "siret", "code_departement"]
    search_fields = ["nom", "siren", "siret"]


@admin.register(User)
class UtilisateurAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "collectivite", "is_staff"]
    list_filter = ["collectivite", "groups", "is_staff", "is_superuser", "is_active"]
    fieldsets = [*UserAdmin.fieldsets, ("Collectivité", {"fields": ["collectivite"]})]
    add_fieldsets = [*UserAdmin.add_fieldsets, ("Collectivité", {"fields": ["collectivite"]})]


class AxeInline(admin.TabularInline):
    model = Axe
    extra = 0
    fields = ["numero", "nom_court", "devise", "intitule", "ordre"]


class EnjeuTransversalInline(admin.TabularInline):
    model = EnjeuTransversal
    extra = 0


class EnveloppeInline(admin.TabularInline):
    model = Enveloppe
    extra = 0
    fields = ["annee", "axe", "section", "financeur", "montant", "taux_maximum", "source"]


@admin.register(Contrat)
class ContratAdmin(ParCollectivite):
    list_display = ["intitule", "nature", "periode", "libelle_niveau", "collectivite"]
    list_filter = ["collectivite", "nature"]
    search_fields = ["intitule"]
    inlines = [AxeInline, EnjeuTransversalInline, EnveloppeInline]


@admin.register(Axe)
class AxeAdmin(ParCollectivite):
    chemin_collectivite = "contrat__collectivite"
    list_display = ["__str__", "nom_court", "contrat", "ordre"]
    list_filter = ["contrat"]
    list_select_related = ["contrat"]
    search_fields = ["intitule", "nom_court", "devise"]


@admin.register(Quartier)
class QuartierAdmin(ParCollectivite):
    list_display = ["nom", "commune", "code", "nature", "collectivite"]
    list_filter = ["collectivite", "nature", "commune"]
    search_fields = ["nom", "commune", "code"]


@admin.register(Financeur)
class FinanceurAdmin(ParCollectivite):
    list_display = ["nom", "nature", "precision", "collectivite"]
    list_filter = ["collectivite", "nature"]
    search_fields = ["nom"]


@admin.register(Dispositif)
class DispositifAdmin(ParCollectivite):
    list_display = ["intitule", "contrat", "axe", "collectivite"]
    list_filter = ["collectivite"]
    search_fields = ["intitule"]
    fieldsets = [
        (None, {"fields": ["collectivite", "contrat", "axe", "intitule"]}),
        (
            "Fiche technique",
            {
                "fields": [
                    "objectifs",
                    "public_eligible",
                    "periode",
                    "priorites",
                    "porteurs_eligibles",
                    "criteres_financement",
                ]
            },
        ),
        (
            "Règles d'éligibilité appliquées par les contrôles",
            {
                "fields": [
                    "residents_qpv_uniquement",
                    "natures_porteur_eligibles",
                    "annee_de_l_appel_uniquement",
                    "bilan_precedent_requis",
                ]
            },
        ),
    ]


@admin.register(Enveloppe)
class EnveloppeAdmin(ParCollectivite):
    chemin_collectivite = "contrat__collectivite"
    list_display = ["contrat", "annee", "axe", "section", "financeur", "montant", "taux_maximum"]
    list_filter = ["contrat", "annee", "financeur"]
    list_select_related = ["contrat", "axe__contrat", "financeur"]


@admin.register(DocumentGenere)
class DocumentGenereAdmin(ParCollectivite):
    list_display = ["nom_fichier", "statut", "progression", "demande_par", "cree_le", "termine_le"]
    list_filter = ["collectivite", "statut", "nature"]
    list_select_related = ["demande_par"]
    readonly_fields = [f.name for f in DocumentGenere._meta.fields]

    def has_add_permission(self, request):
        return False
