"""Bulk work on the programmation list: the selected (or all the filtered) actions change status,
join a draft tranche or leave it, all or nothing, in one request."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..enums import OperationMasse, StatutAction
from ..forms_masse import ActionsEnMasseForm
from ..models import Action
from ..models.masse import RefusEnMasse
from ..selection import actions_choisies
from ..tables import pluriel


def rapporter(request, operation, succes):
    """Runs a bulk change in a transaction and reports it: succes(result), or every refusal."""
    try:
        with transaction.atomic():
            resultat = operation()
    except RefusEnMasse as refus:
        nombre = pluriel(len(refus.messages), "action refusée", "actions refusées")
        messages.error(request, f"Rien n'a été modifié : {nombre}.")
        for message in refus.messages:
            messages.error(request, message)
        return None
    except ValidationError as erreur:
        for message in erreur.messages:
            messages.error(request, message)
        return None
    messages.success(request, succes(resultat))
    return resultat


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
