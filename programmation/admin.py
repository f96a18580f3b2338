from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery, Sum
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from contrat_ville.admin import ContratAdmin
from contrat_ville.admin_cloisonne import AvecTotaux, ParCollectivite, TabularInline, Total, en_euros
from contrat_ville.enums import Section
from contrat_ville.formats import euros
from contrat_ville.models import Axe, Contrat
from contrat_ville.templatetags.formats_fr import cout_total
from contrat_ville.widgets import SelectRapide

from .admin_changements import VersionLue, avec_historique, verifier_les_versions
from .controles import Gravite, controler_tranche
from .models import (
    Action,
    Cofinancement,
    Convention,
    EcheanceConvention,
    ModeleConvention,
    Paiement,
    Porteur,
    TotalDeclare,
    Tranche,
)
from .models.changements import Changements


def tableau_totaux(lignes, entetes):
    """A small read-only HTML table for admin pages."""
    tete = format_html_join("", "<th scope='col'>{}</th>", ((e,) for e in entetes))
    corps = format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((c,) for c in ligne)),) for ligne in lignes),
    )
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", tete, corps)


@admin.register(Porteur)
class PorteurAdmin(ParCollectivite):
    list_display = ["nom", "nature", "siret", "rna", "commune"]
    list_filter = ["collectivite", "nature"]
    search_fields = ["nom", "siret", "rna"]


class CofinancementInline(TabularInline):
    model = Cofinancement
    extra = 0


@admin.register(Action)
class ActionAdmin(AvecTotaux, ParCollectivite):
    form = VersionLue
    chemin_collectivite = "contrat__collectivite"
    totaux = {"coût": Total("cout", connus="coûts connus"), "contribution": "contribution"}
    list_display = [
        "numero_dauphin",
        "intitule",
        "porteur",
        # The figures before the long names of axe and tranche: in sight without scrolling at 1 366 px.
        # The section is a filter only: with it, the table outgrew the page.
        "cout_euros",
        "contribution_euros",
        "axe",
        "tranche",
        "statut",
    ]
    list_filter = ["contrat", "annee", "tranche", "axe", "section", "statut"]
    list_select_related = ["porteur", "axe__contrat", "tranche__contrat"]
    search_fields = ["intitule", "porteur__nom", "numero_dauphin", "objectifs"]
    autocomplete_fields = ["porteur"]
    filter_horizontal = ["quartiers"]
    inlines = [CofinancementInline]

    @admin.display(description="coût", ordering="cout")
    def cout_euros(self, action):
        return en_euros(action.cout)

    @admin.display(description="contribution", ordering="contribution")
    def contribution_euros(self, action):
        return en_euros(action.contribution)

    # A change made here is an action's change like any other: one version more and its history rows,
    # through their one owner (Changements), as on the action's page. The action and its cofinancements
    # (inline) are one change, so both are written in save_related, which Django calls right after
    # save_model, inside one `suivre`.

    def save_model(self, request, action, form, change):
        pass

    def save_related(self, request, form, formsets, change):
        action, changements = form.instance, Changements(request.user)
        with changements.suivre([action] if change else []) as actuelles:
            verifier_les_versions([form] if change else [], actuelles)
            super().save_model(request, action, form, change)
            super().save_related(request, form, formsets, change)
            if not change:
                changements.creer(action)


@admin.register(Cofinancement)
class CofinancementAdmin(AvecTotaux, ParCollectivite):
    chemin_collectivite = "action__contrat__collectivite"
    list_display = ["action", "financeur", "montant_sollicite_euros", "montant_accorde_euros"]
    list_filter = ["action__annee", "action__tranche", "financeur"]
    list_select_related = ["action__porteur", "financeur"]
    search_fields = ["action__intitule", "action__numero_dauphin", "action__porteur__nom", "financeur__nom"]
    raw_id_fields = ["action"]
    totaux = {
        "sollicité": Total("montant_sollicite", connus="montants sollicités connus"),
        "accordé": Total("montant_accorde", connus="montants accordés connus"),
    }

    # A cofinancement added, changed or deleted here changes its action: one version more and its
    # history rows (Changements), as the cofinancements of the action's own page.

    def save_model(self, request, cofinancement, form, change):
        actions = [cofinancement.action]
        if change and "action" in form.changed_data:  # moved: the action it leaves changes too
            actions.append(Action.objects.get(pk=form.initial["action"]))
        ecrire = super().save_model
        avec_historique(request, actions, lambda: ecrire(request, cofinancement, form, change))

    def delete_model(self, request, cofinancement):
        ecrire = super().delete_model
        avec_historique(request, [cofinancement.action], lambda: ecrire(request, cofinancement))

    def delete_queryset(self, request, queryset):
        # One change per action, however many of its cofinancements go; each deleted by its model's own
        # delete() (its rules), not through delete_model, whose own `suivre` nested in this one would
        # write the version twice, the second time backwards.
        actions = Action.objects.filter(pk__in=queryset.values("action"))
        with Changements(request.user).suivre(actions, ecrites=False):
            for cofinancement in queryset:
                cofinancement.delete()

    @admin.display(description="sollicité", ordering="montant_sollicite")
    def montant_sollicite_euros(self, cofinancement):
        return en_euros(cofinancement.montant_sollicite)

    @admin.display(description="accordé", ordering="montant_accorde")
    def montant_accorde_euros(self, cofinancement):
        return en_euros(cofinancement.montant_accorde)


class ActionInline(TabularInline):
    model = Action
    form = VersionLue
    extra = 0
    fields = [
        "version_lue",
        "ordre",
        "numero_dauphin",
        "intitule",
        "porteur",
        "axe",
        "cout",
        "contribution",
        "statut",
    ]
    autocomplete_fields = ["porteur"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("porteur", "axe__contrat")

    # A tranche of 50 actions repeats the contract's axes and the statuses on each row: options written
    # once (SelectRapide), not one template each (the page took 5 s, a browser test's 15 s under load).
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "axe":
            kwargs["widget"] = SelectRapide
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        kwargs["widget"] = SelectRapide
        return super().formfield_for_choice_field(db_field, request, **kwargs)


class TotalDeclareInline(TabularInline):
    model = TotalDeclare
    extra = 0
    fields = ["nature", "libelle", "axe", "section", "nombre_actions", "cout", "montant", "ordre"]


@admin.register(Tranche)
class TrancheAdmin(AvecTotaux, ParCollectivite):
    chemin_collectivite = "contrat__collectivite"
    # Sums of the tranches' sums (with_totaux): the costs known are counted action by action.
    totaux = {
        "coût": Total(
            "total_cout", connus="coûts connus", compte_connus="couts_connus", compte="nombre_actions"
        ),
        "contribution": "total_contribution",
    }
    list_display = [
        "__str__",
        "annee",
        "numero",
        "statut",
        "nombre_actions",
        "total_cout_affiche",
        "total_contribution_affiche",
    ]
    list_filter = ["contrat", "annee", "statut"]
    readonly_fields = ["documents", "totaux_calcules", "controles", "verrouillee_le"]
    fields = [
        "contrat",
        "annee",
        "numero",
        "intitule",
        "statut",
        "verrouillee_le",
        "documents",
        "totaux_calcules",
        "controles",
    ]
    actions = ["telecharger_annexe_pdf", "telecharger_annexe_xlsx"]
    inlines = [ActionInline, TotalDeclareInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("contrat").with_totaux()

    def save_formset(self, request, form, formset, change):
        if formset.model is not Action:
            return super().save_formset(request, form, formset, change)
        # The actions' rows changed here: each one's version and history, as on the action's own page.
        changements = Changements(request.user)
        formulaires = [
            f
            for f in formset.initial_forms
            if f.instance.pk and f.has_changed() and f not in formset.deleted_forms
        ]
        with changements.suivre([f.instance for f in formulaires]) as actuelles:
            verifier_les_versions(formulaires, actuelles)
            super().save_formset(request, form, formset, change)
            for action in formset.new_objects:
                changements.creer(action)
        return None

    @admin.display(description="nombre d'actions", ordering="nombre_actions")
    def nombre_actions(self, tranche):
        return tranche.nombre_actions

    @admin.display(description="coût total", ordering="total_cout")
    def total_cout_affiche(self, tranche):
        # As the pages write it: « non renseigné » or « … (dont 1 coût non renseigné) », never 0 €.
        return cout_total(tranche)

    @admin.display(description="contribution totale", ordering="total_contribution")
    def total_contribution_affiche(self, tranche):
        return euros(tranche.total_contribution)

    @admin.display(description="totaux calculés")
    def totaux_calcules(self, tranche):
        if not tranche.pk:
            return "—"
        actions = tranche.actions.subventions()
        axes = {a.pk: str(a) for a in Axe.objects.filter(contrat=tranche.contrat_id)}
        lignes = [
            (
                axes.get(r["axe"], "Sans axe"),
                r["nombre"],
                euros(r["cout"]),
                euros(r["contribution"]),
            )
            for r in actions.par_axe()
        ]
        total = actions.totaux()
        lignes.append(("TOTAL", total["nombre"], euros(total["cout"]), euros(total["contribution"])))
        lignes += [
            (
                f"dont {Section(r['section']).label.lower()}",
                r["nombre"],
                "",
                euros(r["contribution"]),
            )
            for r in actions.par_section()
        ]
        return tableau_totaux(lignes, ["", "Nombre d'actions", "Coût", "Contribution"])

    @admin.display(description="documents")
    def documents(self, tranche):
        if not tranche.pk:
            return "—"
        return format_html(
            '<a class="button" href="{}">Annexe (PDF)</a> <a class="button" href="{}">Annexe (Excel)</a>',
            reverse("programmation:tranche_annexe_pdf", args=[tranche.pk]),
            reverse("programmation:tranche_annexe_xlsx", args=[tranche.pk]),
        )

    def _une_tranche(self, request, queryset, nom_url):
        if queryset.count() != 1:
            self.message_user(request, "Choisissez une seule tranche.", messages.WARNING)
            return None
        return redirect(nom_url, pk=queryset.get().pk)

    @admin.action(description="Télécharger l'annexe (PDF)")
    def telecharger_annexe_pdf(self, request, queryset):
        return self._une_tranche(request, queryset, "programmation:tranche_annexe_pdf")

    @admin.action(description="Télécharger l'annexe (Excel)")
    def telecharger_annexe_xlsx(self, request, queryset):
        return self._une_tranche(request, queryset, "programmation:tranche_annexe_xlsx")

    @admin.display(description="contrôles")
    def controles(self, tranche):
        if not tranche.pk:
            return "—"
        constats = controler_tranche(tranche)
        if not constats:
            return format_html('<ul class="messagelist"><li class="success">{}</li></ul>', "Aucune anomalie.")
        return format_html(
            '<ul class="messagelist">{}</ul>',
            format_html_join(
                "",
                '<li class="{}"><strong>{} :</strong> {}</li>',
                (
                    ("error" if c.bloquant else "warning", Gravite(c.gravite).label, c.message)
                    for c in constats
                ),
            ),
        )


class ContratProgrammationAdmin(ContratAdmin):
    """The contract page, with the programmation voted under it (the contract app knows no actions)."""

    readonly_fields = ["programmation"]

    @admin.display(description="programmation par tranche")
    def programmation(self, contrat):
        if not contrat.pk:
            return "—"
        lignes = [
            (
                f"{t.annee} T{t.numero}",
                t.get_statut_display(),
                t.nombre_actions,
                euros(t.total_cout),
                euros(t.total_contribution),
            )
            for t in contrat.tranches.with_totaux().order_by("annee", "numero")
        ]
        return tableau_totaux(lignes, ["Tranche", "Statut", "Actions", "Coût", "Contribution"])


admin.site.unregister(Contrat)
admin.site.register(Contrat, ContratProgrammationAdmin)


@admin.register(ModeleConvention)
class ModeleConventionAdmin(ParCollectivite):
    chemin_collectivite = "contrat__collectivite"
    list_display = ["contrat", "titre"]


class EcheanceConventionInline(TabularInline):
    model = EcheanceConvention
    extra = 0


@admin.register(Convention)
class ConventionAdmin(AvecTotaux, ParCollectivite):
    chemin_collectivite = "action__contrat__collectivite"
    list_display = ["objet", "annee_debut", "duree_annees", "montant_euros", "statut", "date_signature"]
    totaux = {"montant": Total("montant_total", connus="montants connus")}

    def get_queryset(self, request):
        # A subquery, not a join: a search or a filter through the yearly amounts would join them again
        # and add each one as many times as it matches. None without any: unknown, not 0 €.
        echeances = (
            EcheanceConvention.objects.filter(convention=OuterRef("pk"))
            .order_by()
            .values("convention")
            .annotate(total=Sum("montant"))
            .values("total")
        )
        return super().get_queryset(request).annotate(montant_total=Subquery(echeances))

    @admin.display(description="montant", ordering="montant_total")
    def montant_euros(self, convention):
        # No yearly amount typed yet: unknown, not 0 €.
        return en_euros(convention.montant_total)

    list_filter = ["statut", "annee_debut"]
    # The name of each row's checkbox is the convention's, which names the porteur.
    list_select_related = ["action__porteur"]
    raw_id_fields = ["action"]
    inlines = [EcheanceConventionInline]


@admin.register(Paiement)
class PaiementAdmin(AvecTotaux, ParCollectivite):
    chemin_collectivite = "action__contrat__collectivite"
    totaux = {"montant": "montant"}
    list_display = ["action", "nature", "date", "montant_euros", "reference"]
    list_filter = ["nature"]
    list_select_related = ["action__porteur"]
    raw_id_fields = ["action"]
    readonly_fields = ["saisi_par"]

    @admin.display(description="montant", ordering="montant")
    def montant_euros(self, paiement):
        return en_euros(paiement.montant)
