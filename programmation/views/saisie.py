"""What agents change: actions, their cofinancements, statuses and reconductions. POST-only for changes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from contrat_ville.formats import euros
from contrat_ville.models import Contrat

from ..forms import ActionForm, cofinancements_formset
from ..models import Action
from ..saisie import ConflitDeVersion, enregistrer_action
from .commun import appliquer, choisi

ajouter_actions = permission_required("programmation.add_action", raise_exception=True)
modifier_actions = permission_required("programmation.change_action", raise_exception=True)


def _action(request, pk):
    return get_object_or_404(Action.objects.visibles_par(request.user).select_related("tranche"), pk=pk)


@login_required
@ajouter_actions
def action_creer(request):
    contrat = choisi(Contrat.objects.de(request.user.collectivite_id), request.GET.get("contrat"))
    action = Action(contrat=contrat, annee=contrat.annee_debut if contrat else None)
    return _formulaire(request, action, "Nouvelle action")


@login_required
@modifier_actions
def action_modifier(request, pk):
    return _formulaire(request, _action(request, pk), "Modifier l'action")


def _formulaire(request, action, titre):
    collectivite = request.user.collectivite_id
    donnees = request.POST if request.method == "POST" else None
    form = ActionForm(donnees, instance=action, collectivite=collectivite)
    # A vote locks the amounts, cofinancements included: shown read-only, neither posted nor checked.
    formset = (
        None
        if action.montants_verrouilles
        else cofinancements_formset(collectivite, data=donnees, instance=action, prefix="cofinancements")
    )
    if (
        donnees is not None
        and form.is_valid()
        and (formset is None or (formset.is_valid() and _finance_dans_le_cout(form, formset)))
    ):
        try:
            action = enregistrer_action(form, formset, request.user)
        except ConflitDeVersion as conflit:
            form.add_error(None, str(conflit))
        else:
            messages.success(request, f"L'action « {action.intitule} » est enregistrée.")
            return redirect("programmation:action", pk=action.pk)
    contexte = {"form": form, "formset": formset, "titre": titre, "action": action}
    if formset is None:
        contexte["cofinancements"] = action.cofinancements.select_related("financeur")
    return render(request, "programmation/action_form.html", contexte, status=400 if form.errors else 200)


def _finance_dans_le_cout(form, formset):
    """The authority's contribution and the cofinancements together stay within the cost."""
    cout = form.cleaned_data.get("cout")
    if cout is None:
        return True
    # Each valid form's instance carries its cleaned amounts: the model's own rule counts them.
    cofinance = sum(
        f.instance.montant_retenu or 0
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    )
    total = (form.cleaned_data.get("contribution") or 0) + cofinance
    if total > cout:
        form.add_error(
            "cout",
            f"La contribution et les cofinancements ({euros(total)}) dépassent le coût de l'action "
            f"({euros(cout)}) de {euros(total - cout)}.",
        )
        return False
    return True


@require_POST
@login_required
@modifier_actions
def action_changer_statut(request, pk):
    action = _action(request, pk)
    appliquer(
        request,
        lambda: action.changer_statut(request.POST.get("statut", ""), request.user),
        lambda _: f"Statut : {action.get_statut_display()}.",
    )
    return redirect("programmation:action", pk=action.pk)


@require_POST
@login_required
@ajouter_actions
def action_reconduire(request, pk):
    action = _action(request, pk)
    copie = appliquer(
        request,
        lambda: action.reconduire(request.user),
        lambda copie: f"Action reconduite en {copie.annee} : complétez la demande de cette année.",
    )
    if copie is None:
        # Already reconducted: the copy made earlier is where the user wants to go.
        existante = action.reconductions.filter(annee=action.annee + 1).first()
        return redirect("programmation:action", pk=(existante or action).pk)
    return redirect("programmation:action_modifier", pk=copie.pk)
