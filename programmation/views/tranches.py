from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from contrat_ville.documents import servir
from contrat_ville.models import Contrat
from contrat_ville.tables import configurer, pluriel

from .. import taches
from ..annexe import construire_annexe
from ..controles import constats_en_resume, controler_tranche, suivi_enveloppes
from ..documents import annexe_pdf, cle_annexe, est_projet, nom_fichier
from ..filters import ActionFilter
from ..models import Action, Tranche
from ..selection import actions_choisies
from ..tables import TrancheTable
from ..tableur import annexe_xlsx
from .commun import appliquer, selon_l_adresse
from .masse import rapporter

voir_tranches = permission_required("programmation.view_tranche", raise_exception=True)


def _tranche(request, pk):
    return get_object_or_404(Tranche.objects.visibles_par(request.user), pk=pk)


@login_required
@voir_tranches
def tranche_liste(request):
    tranches = (
        Tranche.objects.visibles_par(request.user).with_totaux().order_by("-annee", "contrat", "numero")
    )
    contexte = {
        "table": configurer(request, TrancheTable(tranches)),
        "tranches": tranches,
        "contrats": Contrat.objects.de(request.user.collectivite_id),
    }
    return render(request, "programmation/tranche_liste.html", contexte)


@login_required
@voir_tranches
def tranche_detail(request, pk):
    tranche = _tranche(request, pk)
    constats = controler_tranche(tranche)
    return render(
        request,
        "programmation/tranche_detail.html",
        {
            "tranche": tranche,
            "annexe": construire_annexe(tranche),
            "constats": constats,
            "resume": constats_en_resume(constats),
            "projet": est_projet(tranche),
            "enveloppes": suivi_enveloppes(tranche.contrat, tranche.annee, jusqu_a=tranche),
        },
    )


def _servir_annexe(request, pk, extension, fabriquer, tache):
    tranche = _tranche(request, pk)
    return servir(
        request,
        collectivite=tranche.contrat.collectivite,
        nature=f"annexe-{extension}",
        objet_id=tranche.pk,
        nom_fichier=nom_fichier(tranche, f"annexe.{extension}"),
        nombre_actions=tranche.actions.count(),
        fabriquer=lambda avancer: fabriquer(tranche, avancer),
        tache=tache,
        cle=lambda: cle_annexe(tranche.pk, extension),
    )


@login_required
@voir_tranches
def tranche_annexe_pdf(request, pk):
    return _servir_annexe(request, pk, "pdf", annexe_pdf, taches.produire_annexe_pdf)


@login_required
@voir_tranches
def tranche_annexe_xlsx(request, pk):
    return _servir_annexe(request, pk, "xlsx", lambda t, _: annexe_xlsx(t), taches.produire_annexe_xlsx)


composer_tranches = permission_required("programmation.change_tranche", raise_exception=True)


@require_POST
@login_required
@permission_required("programmation.add_tranche", raise_exception=True)
def tranche_creer(request):
    contrat = selon_l_adresse(Contrat.objects.de(request.user.collectivite_id), request.POST.get("contrat"))
    annee = request.POST.get("annee", "")
    if not annee.isdecimal() or int(annee) not in contrat.annees():
        messages.error(request, f"Choisissez une année du contrat ({contrat.periode}).")
        return redirect("programmation:tranches")
    tranche = Tranche.objects.creer_suivante(contrat, int(annee))
    messages.success(request, f"Tranche {tranche.annee} T{tranche.numero} créée en brouillon.")
    return redirect("programmation:tranche_composer", pk=tranche.pk)


@login_required
@composer_tranches
def tranche_composer(request, pk):
    tranche = _tranche(request, pk)
    constats = controler_tranche(tranche)
    filtre = ActionFilter(request.GET or None, queryset=_candidates(tranche), request=request)
    candidates = filtre.qs.for_table() if not filtre.is_bound or filtre.is_valid() else Action.objects.none()
    contexte = {
        "tranche": tranche,
        "annexe": construire_annexe(tranche),
        # The list's filters that make sense within one contract and year.
        "champs_filtres": [filtre.form[nom] for nom in ("q", "statut", "axe", "porteur", "quartier")],
        "candidates": candidates,
        "filtres": request.GET.urlencode(),
        "constats": constats,
        "resume": constats_en_resume(constats),
        "enveloppes": suivi_enveloppes(tranche.contrat, tranche.annee, jusqu_a=tranche),
    }
    return render(request, "programmation/tranche_composer.html", contexte)


def _candidates(tranche):
    return Action.objects.pouvant_entrer_dans(tranche)


def _composer(request, pk, offertes, operation, participe):
    """Adds or removes the selected actions (or all the filtered ones among offertes(tranche)) at once:
    all or nothing."""
    tranche = _tranche(request, pk)
    rapporter(
        request,
        lambda: operation(actions_choisies(request, offertes(tranche)), tranche),
        lambda faites: f"{pluriel(len(faites), f'action {participe}', f'actions {participe}s')}.",
    )
    filtres = request.POST.get("filtres", "")
    return redirect(f"{reverse('programmation:tranche_composer', args=[tranche.pk])}?{filtres}")


def _changer_la_tranche(request, pk, operation, succes):
    """Runs one change of the tranche in a transaction, and says what happened."""
    tranche = _tranche(request, pk)
    appliquer(
        request, lambda: operation(Tranche.objects.select_for_update().get(pk=tranche.pk)), lambda _: succes
    )
    return redirect("programmation:tranche_composer", pk=tranche.pk)


@require_POST
@login_required
@composer_tranches
def tranche_ajouter(request, pk):
    return _composer(
        request, pk, _candidates, lambda actions, t: actions.ajouter_a(t, request.user), "ajoutée"
    )


@require_POST
@login_required
@composer_tranches
def tranche_retirer(request, pk):
    return _composer(
        request,
        pk,
        lambda t: t.actions.all(),
        lambda actions, t: actions.retirer_de(t, request.user),
        "retirée",
    )


@require_POST
@login_required
@composer_tranches
def tranche_soumettre(request, pk):
    return _changer_la_tranche(
        request, pk, lambda t: t.soumettre(controler_tranche(t)), "Tranche soumise à l'instance."
    )
