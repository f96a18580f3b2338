from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Q
from django.shortcuts import get_object_or_404, render
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from contrat_ville.documents import reponse_fichier
from contrat_ville.models import Contrat, Dispositif

from .. import tableau_de_bord as tdb
from ..choix import ligne_d_historique
from ..controles import eligibilite
from ..enums import STATUTS_ACCORDES, StatutAction
from ..exports import en_csv, en_xlsx
from ..filters import ActionFilter
from ..forms_masse import ActionsEnMasseForm
from ..models import Action, Porteur, somme
from ..obligations import conventions_requises
from ..tables import ActionTable
from .commun import choisi, consultation_par_defaut, contrat_courant, entier_parmi, retenir_consultation


class ProgrammationView(LoginRequiredMixin, PermissionRequiredMixin, SingleTableMixin, FilterView):
    """The actions, filtered and sorted; the filters live in the URL, so a link shares the view."""

    permission_required = "programmation.view_action"
    raise_exception = False
    table_class = ActionTable
    filterset_class = ActionFilter
    table_pagination = {"per_page": 50}
    template_name = "programmation/programmation.html"

    def get_queryset(self):
        return Action.objects.visibles_par(self.request.user).for_table()

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        user, demande = self.request.user, self.request.GET
        self.choix_nommes = "contrat" in demande or "annee" in demande
        if not any(nom in demande for nom in filterset_class.base_filters):
            # No filter asked: the current contract and its latest year (or the user's last choice),
            # not every year added together.
            donnees = demande.copy()
            donnees.update(consultation_par_defaut(user, Contrat.objects.de(user.collectivite_id)))
            donnees._mutable = False
            # The page's links (export, sort, pages) are built from the request: they name these filters,
            # so that the file and the next page hold what this page shows, whatever the defaults become.
            kwargs["data"] = self.request.GET = donnees
        return kwargs

    def get(self, request, *args, **kwargs):
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            # The page's own steps (filters, totals, sort), so that the file is exactly the page.
            self.filterset = self.get_filterset(self.get_filterset_class())
            if not self.filterset.is_bound or self.filterset.is_valid() or not self.get_strict():
                self.object_list = self.filterset.qs
            else:
                self.object_list = self.filterset.queryset.none()
            table = self.get_table(**self.get_table_kwargs())
            fabriquer = en_csv if export == "csv" else en_xlsx
            return reponse_fichier(fabriquer(table.data.data, table.totaux), f"programmation.{export}")
        return super().get(request, *args, **kwargs)

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        # A checkbox a row for the bulk form, when the user may change actions.
        table.selectionnable = self.request.user.has_perm("programmation.change_action")
        return table

    def get_context_data(self, **kwargs):
        contexte = super().get_context_data(**kwargs)
        if self.choix_nommes and self.filterset.is_valid():
            # Remembered once the form has checked them against the authority's own lists.
            retenir_consultation(self.request.user, self.filterset.form.cleaned_data)
        if self.request.user.has_perm("programmation.change_action"):
            # The filters only (not the page or the sort): « all the filtered actions » means these, the
            # defaults included when the address names none.
            filtres = self.filterset.data.copy()
            for cle in [c for c in filtres if c not in self.filterset.form.fields]:
                del filtres[cle]
            contexte |= {"masse": ActionsEnMasseForm(user=self.request.user), "filtres": filtres.urlencode()}
        recherche = self.filterset.form.cleaned_data.get("q") if self.filterset.form.is_valid() else ""
        if recherche and recherche.strip():
            # The porteurs named by the search, whatever the year chosen: their total is one click away.
            contexte["porteurs_trouves"] = (
                Porteur.objects.filter(collectivite=self.request.user.collectivite_id)
                .recherche(recherche)
                .avec_total_accorde()[:5]
            )
        return contexte

    def get_table_kwargs(self):
        # One query grouped by year: each year's subsidies and maître d'ouvrage actions apart.
        self.totaux = totaux_par_annee(self.object_list)
        return {"totaux": self.totaux}

    def get_table_pagination(self, table):
        return {
            **super().get_table_pagination(table),
            "paginator_class": PaginatorDuTotal,
            "nombre": self.totaux["nombre"],
        }


GROUPES = {
    "subventions": Q(maitrise_ouvrage_collectivite=False),
    "maitrise_ouvrage": Q(maitrise_ouvrage_collectivite=True),
}
MESURES = ("nombre", "couts_connus", "cout", "contribution", "cofinancements")


def totaux_par_annee(actions):
    """The totals of a list of actions (with `total_cofinancements`), in one query grouped by year.

    {nombre, cout, …, subventions: {…}, maitrise_ouvrage: {…}, par_annee: [{annee, …}, …]}: the
    programmation's subsidies and the actions the authority carries itself are counted apart."""
    agregats = {}
    for groupe, condition in GROUPES.items():
        agregats[f"{groupe}__nombre"] = Count("id", filter=condition)
        agregats[f"{groupe}__couts_connus"] = Count("cout", filter=condition)
        agregats[f"{groupe}__cout"] = somme("cout", condition)
        agregats[f"{groupe}__contribution"] = somme("contribution", condition)
        agregats[f"{groupe}__cofinancements"] = somme("total_cofinancements", condition)
    lignes = actions.order_by().values("annee").annotate(**agregats).order_by("annee")

    def vide():
        return dict.fromkeys(MESURES, 0)

    totaux = {groupe: vide() for groupe in GROUPES}
    par_annee = []
    for ligne in lignes:
        annee = {"annee": ligne["annee"]}
        for groupe in GROUPES:
            annee[groupe] = {mesure: ligne[f"{groupe}__{mesure}"] for mesure in MESURES}
            for mesure in MESURES:
                totaux[groupe][mesure] += annee[groupe][mesure]
        annee.update({m: annee["subventions"][m] + annee["maitrise_ouvrage"][m] for m in MESURES})
        par_annee.append(annee)
    totaux.update({m: totaux["subventions"][m] + totaux["maitrise_ouvrage"][m] for m in MESURES})
    totaux["par_annee"] = par_annee
    return totaux


class PaginatorDuTotal(Paginator):
    """Pages counted from the totals row, which already counts the filtered set: no second COUNT.

    The page size comes from the address (?per_page=): kept between 1 and 500 rows."""

    def __init__(self, object_list, per_page, *args, nombre, **kwargs):
        super().__init__(object_list, min(max(int(per_page), 1), 500), *args, **kwargs)
        self.count = nombre


voir_actions = permission_required("programmation.view_action", raise_exception=True)


@login_required
@voir_actions
def action_detail(request, pk):
    action = get_object_or_404(
        Action.objects.visibles_par(request.user).select_related(
            "porteur", "axe__contrat", "tranche__contrat", "dispositif", "contrat"
        ),
        pk=pk,
    )
    contexte = {
        "action": action,
        "cofinancements": action.cofinancements.select_related("financeur"),
        "quartiers": action.quartiers.all(),
        "historique": [
            dict(zip(("champ", "avant", "apres"), ligne_d_historique(m.champ, m.avant, m.apres), strict=True))
            | {"date": m.date, "auteur": m.auteur}
            for m in action.modifications.select_related("auteur")
        ],
        "statuts_possibles": [StatutAction(s) for s in action.statuts_possibles()],
        "reconductions": action.reconductions.order_by("annee"),
    }
    return render(request, "programmation/action_detail.html", contexte)


@login_required
@voir_actions
def porteur_detail(request, pk):
    porteurs = Porteur.objects.filter(collectivite=request.user.collectivite_id).select_related(
        "collectivite"
    )
    porteur = get_object_or_404(porteurs, pk=pk)
    subventions = porteur.actions.subventions()
    # The actions are listed one year at a time: a porteur of a large authority has thousands.
    annees = list(porteur.actions.order_by("-annee").values_list("annee", flat=True).distinct())
    annee = entier_parmi(request.GET.get("annee"), annees) or (annees[0] if annees else None)
    actions = (
        porteur.actions.filter(annee=annee)
        .for_table()
        .select_related("contrat")
        .order_by("tranche__numero", "ordre", "pk")
    )
    contexte = {"porteur": porteur, "actions": actions, "annees": annees, "annee": annee}
    contexte["par_annee"] = _montants_par_annee(porteur, subventions)
    # Grouped by the contract itself: two contracts may bear the same title.
    contexte["par_contrat"] = (
        subventions.values("contrat", "contrat__intitule", "contrat__annee_debut")
        .annotate(premiere=Min("annee"), derniere=Max("annee"), **MONTANTS_DU_PORTEUR)
        .order_by("-contrat__annee_debut", "contrat__intitule", "contrat")
    )
    accordees = Q(statut__in=STATUTS_ACCORDES)
    contexte["toutes_annees"] = subventions.aggregate(
        premiere=Min("annee", filter=accordees),
        derniere=Max("annee", filter=accordees),
        **MONTANTS_DU_PORTEUR,
    )
    return render(request, "programmation/porteur_detail.html", contexte)


def _montants_par_annee(porteur, subventions):
    """Asked and granted per year, with the convention the year needs (the law or the authority's own).

    The obligation depends on the year's total, the section and whether the action asks for a
    multi-year convention (obligations.raison_convention): one action per year and combination of those
    stands for all, and the page reads a few rows, not every action of the porteur.
    """
    representants = (
        subventions.values("annee", "section", "convention_pluriannuelle")
        .annotate(premiere=Min("pk"))
        .values("premiere")
    )
    obligations = {}
    temoins = list(Action.objects.filter(pk__in=representants).select_related("porteur").order_by("pk"))
    for action, obligation in conventions_requises(temoins, porteur.collectivite):
        obligations.setdefault(action.annee, obligation)
    return [
        {**ligne, "obligation": obligations.get(ligne["annee"])}
        for ligne in subventions.values("annee").annotate(**MONTANTS_DU_PORTEUR).order_by("-annee")
    ]


# A porteur's actions and subsidies: all asked, and those a vote granted (see STATUTS_ACCORDES).
MONTANTS_DU_PORTEUR = {
    "nombre": Count("id"),
    "demande": somme("contribution"),
    "accordees": Count("id", filter=Q(statut__in=STATUTS_ACCORDES)),
    "accorde": somme("contribution", Q(statut__in=STATUTS_ACCORDES)),
}


@login_required
@voir_actions
def dispositif_detail(request, pk):
    dispositif = get_object_or_404(
        Dispositif.objects.filter(collectivite=request.user.collectivite_id).select_related("contrat", "axe"),
        pk=pk,
    )
    actions = list(Action.objects.filter(dispositif=dispositif).for_table().prefetch_related("quartiers"))
    constats = list(eligibilite(actions)) if actions else []
    return render(
        request,
        "programmation/dispositif_detail.html",
        {"dispositif": dispositif, "actions": actions, "constats": constats},
    )


@login_required
@voir_actions
def tableau_de_bord(request):
    contrats = Contrat.objects.de(request.user.collectivite_id)
    contrat = choisi(contrats, request.GET.get("contrat")) or contrat_courant(contrats)
    if contrat is None:
        return render(request, "programmation/tableau_de_bord.html", {"contrats": contrats})
    annees = contrat.actions.annees()[::-1]
    annee = entier_parmi(request.GET.get("annee"), annees) or (annees[0] if annees else contrat.annee_debut)
    contexte = {"contrats": contrats, "contrat": contrat, "annees": annees, "annee": annee}
    contexte.update(tdb.tableau(contrat, annee))
    return render(request, "programmation/tableau_de_bord.html", contexte)
