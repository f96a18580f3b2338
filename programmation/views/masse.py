"""Bulk work on the programmation list: the selected (or all the filtered) actions change status,
join a draft tranche or leave it, all or nothing, in one request."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from contrat_ville.tables import pluriel

from ..enums import OperationMasse, StatutAction
from ..forms_masse import ActionsEnMasseForm
from ..models import Action
from ..models.masse import RefusEnMasse
from ..selection import actions_choisies
from .commun import appliquer


def rapporter(request, operation, succes):
    """appliquer() for a bulk change: a refusal is headed by how many actions it stopped."""

    def tout_ou_rien():
        try:
            return operation()
        except RefusEnMasse as refus:
            nombre = pluriel(len(refus.messages), "action refusée", "actions refusées")
            raise ValidationError([f"Rien n'a été modifié : {nombre}.", *refus.messages]) from refus

    return appliquer(request, tout_ou_rien, succes)


MESSAGES = {
    OperationMasse.STATUT: lambda n, d: (
        f"{pluriel(n, 'action passée', 'actions passées')} en « {d['libelle']} »."
    ),
    OperationMasse.AJOUTER: lambda n, d: (
        f"{pluriel(n, 'action ajoutée', 'actions ajoutées')} à {d['tranche']}."
    ),
    OperationMasse.RETIRER: lambda n, d: (
        f"{pluriel(n, 'action retirée', 'actions retirées')} de {d['tranche']}."
    ),
}


@require_POST
@login_required
@permission_required("programmation.change_action", raise_exception=True)
def actions_en_masse(request):
    retour = redirect(f"{reverse('programmation:programmation')}?{request.POST.get('filtres', '')}")
    form = ActionsEnMasseForm(request.POST, user=request.user)
    if not form.is_valid():
        for erreur in [e for erreurs in form.errors.values() for e in erreurs]:
            messages.error(request, f"Rien n'a été modifié : {erreur}")
        return retour
    d = form.cleaned_data | {"libelle": dict(StatutAction.choices).get(form.cleaned_data["statut"])}

    def faire():
        actions = actions_choisies(request, Action.objects.visibles_par(request.user))
        if d["operation"] == OperationMasse.STATUT:
            return actions.changer_statut(d["statut"], request.user)
        if d["operation"] == OperationMasse.AJOUTER:
            return actions.ajouter_a(d["tranche"], request.user)
        return actions.retirer_de(d["tranche"], request.user)

    rapporter(request, faire, lambda faites: MESSAGES[d["operation"]](len(faites), d))
    return retour
