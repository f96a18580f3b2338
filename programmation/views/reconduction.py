"""Reconduction of a tranche or of chosen actions into next year, and the deletion of a draft copy.

The form only shows what would be made: « Annuler » leaves nothing behind; the POST makes one draft
copy per action and year at most, and reports what it made and what it skipped."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ..models import Action, Tranche
from ..selection import actions_choisies
from .commun import appliquer, choisi

reconduire_actions = permission_required("programmation.add_action", raise_exception=True)


@login_required
@reconduire_actions
def reconduction(request):
    if request.method == "POST":
        return _reconduire(request)
    visibles = Action.objects.visibles_par(request.user)
    tranche = choisi(Tranche.objects.visibles_par(request.user), request.GET.get("tranche"))
    ids = [i for i in request.GET.getlist("action") if i.isdecimal()]
    actions = tranche.actions.all() if tranche else visibles.filter(pk__in=ids)
    actions = list(actions.select_related("porteur", "contrat").order_by("intitule", "pk"))
    copies = {(c.reconduite_de_id, c.annee): c for c in Action.objects.filter(reconduite_de__in=actions)}
    lignes = [(a, copies.get((a.pk, a.annee + 1))) for a in actions]
    retour = f"?tranche={tranche.pk}" if tranche else ""
    contexte = {"tranche": tranche, "lignes": lignes, "retour": retour}
    return render(request, "programmation/reconduction.html", contexte)


def _reconduire(request):
    try:
        with transaction.atomic():
            bilan = actions_choisies(request, Action.objects.none()).reconduire(request.user)
    except ValidationError as erreur:
        for message in erreur.messages:
            messages.error(request, message)
        return redirect("programmation:programmation")
    return render(request, "programmation/reconduction_bilan.html", {"bilan": bilan})


@require_POST
@login_required
@permission_required("programmation.delete_action", raise_exception=True)
def action_supprimer(request, pk):
    action = get_object_or_404(Action.objects.visibles_par(request.user), pk=pk)
    source = action.reconduite_de_id
    if request.POST.get("confirmer") != "oui":
        messages.error(
            request, "Rien n'a été supprimé : cochez « Je confirme la suppression de ce brouillon »."
        )
        return redirect("programmation:action", pk=pk)
    supprimee = appliquer(
        request,
        lambda: action.supprimer_brouillon(request.user) or True,
        lambda _: f"Le brouillon « {action.intitule} » ({action.annee}) est supprimé.",
    )
    if not supprimee:
        return redirect("programmation:action", pk=pk)
    return redirect("programmation:action", pk=source)
