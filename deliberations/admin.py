from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from contrat_ville.admin_cloisonne import ParCollectivite, TabularInline, en_euros

from .models import (
    Deliberation,
    Elu,
    Instance,
    LigneModificative,
    ModeleDeliberation,
    Presence,
    PresenceDeliberation,
    Registre,
    Seance,
)


@admin.register(ModeleDeliberation)
class ModeleDeliberationAdmin(ParCollectivite):
    chemin_collectivite = "contrat__collectivite"
    list_display = ["contrat", "objet"]
    list_select_related = ["contrat"]


@admin.register(Registre)
class RegistreAdmin(ParCollectivite):
    list_display = ["collectivite", "format_numero", "format_actes"]


@admin.register(Elu)
class EluAdmin(ParCollectivite):
    list_display = ["nom", "prenom", "civilite", "fonction", "debut_mandat", "fin_mandat", "collectivite"]
    list_filter = ["collectivite"]
    search_fields = ["nom", "prenom", "fonction"]


@admin.register(Instance)
class InstanceAdmin(ParCollectivite):
    list_display = ["nom", "nature", "collectivite", "nombre_de_membres"]
    list_filter = ["collectivite", "nature"]
    filter_horizontal = ["membres"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(nombre_de_membres=Count("membres"))

    @admin.display(description="membres en exercice", ordering="nombre_de_membres")
    def nombre_de_membres(self, instance):
        return instance.nombre_de_membres


class PresenceInline(TabularInline):
    """Shown only: the séance page enters the list, checks the CGCT's rules, keeps the trail and the lock."""

    model = Presence
    extra = 0
    fields = ["elu", "etat", "mandataire", "ordre"]
    readonly_fields = fields
    verbose_name_plural = "présences (à saisir sur la page de la séance)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("elu", "mandataire")


class DeliberationInline(TabularInline):
    model = Deliberation
    extra = 0
    fields = ["ordre_du_jour", "numero", "objet", "resultat_vote", "retiree"]
    readonly_fields = ["numero", "resultat_vote", "retiree"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        # Numbered by the register: a délibération is put on the agenda from the séance page.
        return False


class PresenceDeliberationInline(TabularInline):
    model = PresenceDeliberation
    extra = 0
    fields = ["elu", "etat", "mandataire"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class LigneModificativeInline(TabularInline):
    model = LigneModificative
    extra = 0
    fields = ["action", "montant_avant_euros", "montant_apres_euros"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="montant voté")
    def montant_avant_euros(self, ligne):
        return en_euros(ligne.montant_avant)

    @admin.display(description="nouveau montant")
    def montant_apres_euros(self, ligne):
        return en_euros(ligne.montant_apres)


@admin.register(Seance)
class SeanceAdmin(ParCollectivite):
    chemin_collectivite = "instance__collectivite"
    list_display = [
        "__str__",
        "date",
        "date_convocation",
        "membres_en_exercice",
        "president",
        "secretaire",
    ]
    list_filter = ["instance"]
    list_select_related = ["instance", "president", "secretaire"]
    autocomplete_fields = ["president", "secretaire"]
    readonly_fields = ["decompte_affiche"]
    inlines = [PresenceInline, DeliberationInline]

    @admin.display(description="décompte")
    def decompte_affiche(self, seance):
        if not seance.pk:
            return "—"
        d = seance.decompte()
        return (
            f"{d.membres_en_exercice} membres en exercice, {d.presents} présents, "
            f"{d.pouvoirs} pouvoirs, {d.voix} voix, {d.excuses} absents excusés"
        )


@admin.register(Deliberation)
class DeliberationAdmin(ParCollectivite):
    list_display = [
        "numero",
        "objet",
        "seance",
        "resultat_vote",
        "identifiant_actes",
        "est_executoire",
    ]
    list_filter = ["collectivite", "seance__instance", "resultat_vote"]
    list_select_related = ["seance__instance"]
    search_fields = ["numero", "objet", "identifiant_actes"]
    autocomplete_fields = ["signataire"]
    # The vote, the number and what it adopts go through the web app's rules (quorum, figures, lock).
    readonly_fields = [
        "extrait",
        "seance",
        "numero",
        "nature",
        "tranche",
        "tranche_corrigee",
        "retiree",
        "resultat_vote",
        "vote_pour",
        "vote_contre",
        "vote_abstention",
    ]
    inlines = [PresenceDeliberationInline, LigneModificativeInline]
    actions = ["telecharger_extrait"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "seance",
                    "ordre_du_jour",
                    "numero",
                    "nature",
                    "retiree",
                    "objet",
                    "tranche",
                    "tranche_corrigee",
                    "extrait",
                ]
            },
        ),
        ("Texte", {"fields": ["expose", "expose_suite", "decisions", "chapitres_budgetaires"]}),
        ("Vote", {"fields": ["resultat_vote", "vote_pour", "vote_contre", "vote_abstention"]}),
        ("Signature", {"fields": ["signataire", "qualite_signataire", "qualite_secretaire"]}),
        (
            "Préfecture et publication",
            {
                "fields": [
                    "identifiant_actes",
                    "voie_transmission",
                    "date_reception_prefecture",
                    "mode_publication",
                    "date_publication",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return [
                "extrait",
                "numero",
                "retiree",
                "resultat_vote",
                "vote_pour",
                "vote_contre",
                "vote_abstention",
            ]
        return self.readonly_fields

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        if not change:
            obj.numeroter()
        super().save_model(request, obj, form, change)

    @admin.display(description="extrait du registre")
    def extrait(self, deliberation):
        if not deliberation.pk:
            return "—"
        lien = reverse("deliberations:extrait_pdf", args=[deliberation.pk])
        return format_html('<a class="button" href="{}">Télécharger l\'extrait (PDF)</a>', lien)

    @admin.action(description="Télécharger l'extrait du registre (PDF)")
    def telecharger_extrait(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choisissez une seule délibération.", messages.WARNING)
            return None
        return redirect("deliberations:extrait_pdf", pk=queryset.get().pk)

    @admin.display(description="exécutoire", boolean=True)
    def est_executoire(self, deliberation):
        return deliberation.est_executoire
