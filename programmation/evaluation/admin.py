"""Back-office of the strategic frame, the bilans and the annual reports (imported by programmation.apps).

Like every other page, a non-superuser sees only their own authority's records.
"""

from django.contrib import admin

from contrat_ville.admin_cloisonne import ParCollectivite, StackedInline, TabularInline
from contrat_ville.models import ActionPrevue, EnjeuPrioritaire, PointEtape, Theme

from ..models import Bilan, BilanFinancement, BilanIndicateur, BilanQuartier, RapportAnnuel, SectionRapport


@admin.register(Theme)
class ThemeAdmin(ParCollectivite):
    chemin_collectivite = "axe__contrat__collectivite"
    list_display = ["intitule", "axe", "ordre"]
    list_select_related = ["axe__contrat"]
    search_fields = ["intitule"]


class ActionPrevueInline(TabularInline):
    model = ActionPrevue
    extra = 0


@admin.register(EnjeuPrioritaire)
class EnjeuPrioritaireAdmin(ParCollectivite):
    chemin_collectivite = "contrat__collectivite"
    list_display = ["intitule", "contrat", "referents", "ordre"]
    list_select_related = ["contrat"]
    inlines = [ActionPrevueInline]


@admin.register(PointEtape)
class PointEtapeAdmin(ParCollectivite):
    chemin_collectivite = "action_prevue__enjeu__contrat__collectivite"
    list_display = ["action_prevue", "annee"]
    list_filter = ["annee"]
    list_select_related = ["action_prevue"]


class FinancementInline(TabularInline):
    model = BilanFinancement
    extra = 0


class IndicateurInline(TabularInline):
    model = BilanIndicateur
    extra = 0


class QuartierInline(TabularInline):
    model = BilanQuartier
    extra = 0


@admin.register(Bilan)
class BilanAdmin(ParCollectivite):
    chemin_collectivite = "action__contrat__collectivite"
    list_display = ["action", "public_total", "public_femmes", "public_hommes", "public_qpv", "depose_le"]
    list_select_related = ["action__porteur"]
    list_filter = ["action__annee"]
    search_fields = ["action__intitule", "action__porteur__nom"]
    raw_id_fields = ["action"]
    inlines = [FinancementInline, IndicateurInline, QuartierInline]


class SectionRapportInline(StackedInline):
    model = SectionRapport
    extra = 0


@admin.register(RapportAnnuel)
class RapportAnnuelAdmin(ParCollectivite):
    list_display = ["intitule", "annee", "contrat"]
    list_select_related = ["contrat"]
    inlines = [SectionRapportInline]
