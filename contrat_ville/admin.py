"""Back-office of the reference data (authorities, accounts, contracts, axes, quartiers, financeurs,
dispositifs, envelopes, generated documents), on the partitioned building blocks of admin_cloisonne.py."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .admin_cloisonne import AvecTotaux, ParCollectivite, TabularInline, en_euros
from .formats import taux
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


@admin.register(Collectivite)
class CollectiviteAdmin(ParCollectivite):
    chemin_collectivite = "pk"
    list_display = ["nom", "nature", "siren", "siret", "code_departement"]
    search_fields = ["nom", "siren", "siret"]
    fieldsets = [
        (None, {"fields": ["nom", "sigle", "nature", "siren", "siret", "code_departement"]}),
        (
            "Actes et conventions (aussi dans la page « Paramètres de la collectivité »)",
            {
                "fields": [
                    "designation",
                    "convention_investissement",
                    "convention_organismes_publics",
                    "convention_seuil_local",
                    "convention_regle_locale",
                ]
            },
        ),
    ]

    # Creating or removing an authority is the platform's business, not an authority's.
    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(User)
class UtilisateurAdmin(ParCollectivite, UserAdmin):
    """Accounts: a non-superuser manages their authority's accounts, with the application's roles only."""

    chemin_collectivite = "collectivite"
    list_display = ["username", "first_name", "last_name", "collectivite", "is_staff"]
    # Shown, not typed: Django's split date/time widget gives its two boxes no <label for>.
    readonly_fields = ["last_login", "date_joined"]
    list_filter = ["collectivite", "groups", "is_staff", "is_superuser", "is_active"]
    fieldsets = [*UserAdmin.fieldsets, ("Collectivité", {"fields": ["collectivite"]})]
    add_fieldsets = [*UserAdmin.add_fieldsets, ("Collectivité", {"fields": ["collectivite"]})]
    # Only a superuser may make a superuser or hand out permissions one by one.
    RESERVES_AUX_SUPERUTILISATEURS = {"is_superuser", "user_permissions"}

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (
                nom,
                {
                    **options,
                    "fields": [f for f in options["fields"] if f not in self.RESERVES_AUX_SUPERUTILISATEURS],
                },
            )
            for nom, options in fieldsets
        ]


class AxeInline(TabularInline):
    model = Axe
    extra = 0
    fields = ["numero", "nom_court", "devise", "intitule", "ordre"]


class EnjeuTransversalInline(TabularInline):
    model = EnjeuTransversal
    extra = 0


class EnveloppeInline(TabularInline):
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
class EnveloppeAdmin(AvecTotaux, ParCollectivite):
    chemin_collectivite = "contrat__collectivite"
    totaux = {"montant": "montant"}
    list_display = [
        "contrat",
        "annee",
        "financeur",
        "montant_euros",
        "taux_maximum_affiche",
        "axe",
        "section",
    ]
    list_filter = ["contrat", "annee", "financeur"]
    list_select_related = ["contrat", "axe__contrat", "financeur"]

    @admin.display(description="montant", ordering="montant")
    def montant_euros(self, enveloppe):
        return en_euros(enveloppe.montant)

    @admin.display(description="taux maximum", ordering="taux_maximum")
    def taux_maximum_affiche(self, enveloppe):
        return "—" if enveloppe.taux_maximum is None else taux(enveloppe.taux_maximum)


@admin.register(DocumentGenere)
class DocumentGenereAdmin(ParCollectivite):
    list_display = ["nom_fichier", "statut", "progression", "demande_par", "cree_le", "termine_le"]
    list_filter = ["collectivite", "statut", "nature"]
    list_select_related = ["demande_par"]
    readonly_fields = [f.name for f in DocumentGenere._meta.fields]

    def has_add_permission(self, request):
        return False
