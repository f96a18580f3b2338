from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404, render
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from contrat_ville.documents import reponse_fichier
from contrat_ville.models import Contrat, Dispositif

from .. import tableau_de_bord as tdb
from ..controles import SEUIL_CONVENTION, eligibilite
from ..enums import StatutAction
from ..exports import en_csv, en_xlsx
from ..filters import ActionFilter
from ..models import Action, Porteur, somme
from ..tables import ActionTable
from .commun import choisi, entier_parmi


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

    def get(self, request, *args, **kwargs):
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            actions = self.filterset_class(request.GET, self.get_queryset(), request=request).qs
            fabriquer = en_csv if export == "csv" else en_xlsx
            return reponse_fichier(fabriquer(actions), f"programmation.{export}")
        return super().get(request, *args, **kwargs)

    def get_table_kwargs(self):
        # One query over the filtered set; the rows' cofinancement subquery is summed with the rest.
        self.totaux = self.object_list.aggregate(
            nombre=Count("id"),
            cout=somme("cout"),
            contribution=somme("contribution"),
            cofinancements=somme("total_cofinancements"),
        )
        return {"totaux": self.totaux}

    def get_table_pagination(self, table):
        return {
            **super().get_table_pagination(table),
            "paginator_class": PaginatorDuTotal,
            "nombre": self.totaux["nombre"],
        }


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
        "historique": action.modifications.select_related("auteur"),
        "statuts_possibles": [StatutAction(s) for s in action.statuts_possibles()],
    }
    return render(request, "programmation/action_detail.html", contexte)


@login_required
@voir_actions
def porteur_detail(request, pk):
    porteur = get_object_or_404(Porteur.objects.filter(collectivite=request.user.collectivite_id), pk=pk)
    actions = porteur.actions.for_table().order_by("-annee", "tranche__numero", "ordre")
    par_annee = (
        porteur.actions.subventions()
        .values("annee")
        .annotate(nombre=Count("id"), contribution=somme("contribution"))
        .order_by("-annee")
    )
    return render(
        request,
        "programmation/porteur_detail.html",
        {"porteur": porteur, "actions": actions, "par_annee": par_annee, "seuil": SEUIL_CONVENTION},
    )


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
    contrat = (
        choisi(contrats, request.GET.get("contrat"))
        or contrats.filter(actions__isnull=False)
        .annotate(derniere=Max("actions__annee"))
        .order_by("-derniere")
        .first()
    )
    if contrat is None:
        return render(request, "programmation/tableau_de_bord.html", {"contrats": contrats})
    annees = sorted(set(contrat.actions.values_list("annee", flat=True)), reverse=True)
    annee = entier_parmi(request.GET.get("annee"), annees) or (annees[0] if annees else contrat.annee_debut)
    contexte = {"contrats": contrats, "contrat": contrat, "annees": annees, "annee": annee}
    contexte.update(tdb.tableau(contrat, annee))
    return render(request, "programmation/tableau_de_bord.html", contexte)
