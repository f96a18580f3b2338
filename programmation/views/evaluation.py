"""Bilans (list, sheet, entry), annual reports (PDF, xlsx) and the officials' indicators."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect, render

from contrat_ville.documents import servir_en_cache
from contrat_ville.tables import configurer

from ..documents import cle_rapport
from ..evaluation.documents import nom_fichier, rapport_pdf, rapport_xlsx
from ..evaluation.forms import SaisieBilan
from ..evaluation.indicateurs import indicateurs
from ..evaluation.models import echeance
from ..models import Action, Bilan, RapportAnnuel
from ..tables import BilanTable

voir_bilans = permission_required("programmation.view_bilan", raise_exception=True)
saisir_bilans = permission_required(
    ("programmation.add_bilan", "programmation.change_bilan"), raise_exception=True
)
voir_rapports = permission_required("programmation.view_rapportannuel", raise_exception=True)


def _annee(request, actions):
    """The year the address asks for, else the latest of these actions (the user's authority's)."""
    derniere = actions.aggregate(n=Max("annee"))["n"]
    try:
        annee = int(request.GET.get("annee", ""))
    except ValueError:
        annee = None
    # Out-of-range years would overflow the column: they fall back to the latest year.
    return annee if annee and 1900 <= annee <= 2200 else derniere or datetime.date.today().year


@login_required
@voir_bilans
def bilans(request):
    actions = Action.objects.visibles_par(request.user)
    annee = _annee(request, actions)
    actions = (
        actions.filter(annee=annee)
        .select_related("porteur", "axe__contrat", "theme", "bilan")
        .order_by("axe__ordre", "axe__numero", "theme__ordre", "ordre", "pk")
    )
    echeance_, aujourdhui = echeance(annee), datetime.date.today()
    table = BilanTable(
        actions,
        annee=annee,
        echeance=echeance_,
        aujourdhui=aujourdhui,
        user=request.user,
    )
    contexte = {
        "annee": annee,
        "actions": actions,
        "echeance": echeance_,
        "table": configurer(request, table),
    }
    return render(request, "programmation/evaluation/bilans.html", contexte)


@login_required
@voir_bilans
def bilan_detail(request, pk):
    action = get_object_or_404(
        Action.objects.visibles_par(request.user).select_related("porteur", "axe__contrat", "theme"), pk=pk
    )
    bilan = (
        Bilan.objects.filter(action=action)
        .prefetch_related("financements__financeur", "indicateurs", "quartiers__quartier")
        .first()
    )
    return render(request, "programmation/evaluation/bilan_detail.html", {"action": action, "bilan": bilan})


@login_required
@saisir_bilans
def bilan_saisir(request, pk):
    action = get_object_or_404(
        Action.objects.visibles_par(request.user)
        .select_related("contrat")
        .prefetch_related("cofinancements"),
        pk=pk,
    )
    bilan = Bilan.objects.filter(action=action).first() or Bilan(action=action, cout_prevu=action.cout)
    saisie = SaisieBilan(
        bilan, request.user.collectivite_id, request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and saisie.est_valide():
        saisie.enregistrer()
        messages.success(request, f"Le bilan {action.annee} de « {action.intitule} » est enregistré.")
        return redirect("programmation:bilan", pk=action.pk)
    statut = 400 if request.method == "POST" else 200
    return render(
        request, "programmation/evaluation/bilan_form.html", {"action": action, "s": saisie}, status=statut
    )


@login_required
@voir_rapports
def rapports(request):
    liste = RapportAnnuel.objects.visibles_par(request.user).select_related("contrat")
    return render(request, "programmation/evaluation/rapports.html", {"rapports": liste})


def _rapport(request, pk):
    return get_object_or_404(
        RapportAnnuel.objects.visibles_par(request.user).select_related("collectivite", "contrat"), pk=pk
    )


@login_required
@voir_rapports
def rapport_annuel_pdf(request, pk):
    rapport = _rapport(request, pk)
    cle = cle_rapport(rapport, "pdf")
    return servir_en_cache(request, cle, nom_fichier(rapport, "pdf"), lambda _: rapport_pdf(rapport))


@login_required
@voir_rapports
def rapport_annuel_xlsx(request, pk):
    rapport = _rapport(request, pk)
    cle = cle_rapport(rapport, "xlsx")
    return servir_en_cache(request, cle, nom_fichier(rapport, "xlsx"), lambda _: rapport_xlsx(rapport))


@login_required
@voir_bilans
def tableau_indicateurs(request):
    # One reading of the authority's contracts for every figure of the page (Action.visibles_par).
    actions = Action.objects.visibles_par(request.user)
    annee = _annee(request, actions)
    contexte = {"annee": annee, "annees": actions.annees()[::-1], **indicateurs(actions, annee)}
    return render(request, "programmation/evaluation/indicateurs.html", contexte)
