from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404

from ..models import Deliberation, Seance

voir_seances = permission_required("deliberations.view_seance", raise_exception=True)
voir_deliberations = permission_required("deliberations.view_deliberation", raise_exception=True)
modifier_seances = permission_required("deliberations.change_seance", raise_exception=True)
modifier_deliberations = permission_required("deliberations.change_deliberation", raise_exception=True)


def seance_de(request, pk):
    return get_object_or_404(
        Seance.objects.visibles_par(request.user).select_related(
            "instance__collectivite", "president", "secretaire"
        ),
        pk=pk,
    )


def deliberations_de(request):
    return Deliberation.objects.visibles_par(request.user).select_related(
        "seance__instance__collectivite", "tranche__contrat", "tranche_corrigee__contrat"
    )


def deliberation_de(request, pk):
    return get_object_or_404(deliberations_de(request), pk=pk)


def appliquer(request, operation, succes):
    """Runs one change in a transaction; a refusal's messages are shown as they are. True when done."""
    try:
        with transaction.atomic():
            operation()
    except ValidationError as erreur:
        for message in erreur.messages:
            messages.error(request, message)
        return False
    messages.success(request, succes)
    return True


def erreurs_du_formulaire(request, form):
    for champ, erreurs in form.errors.items():
        libelle = form.fields[champ].label if champ in form.fields else ""
        for erreur in erreurs:
            messages.error(request, f"{libelle.capitalize()} : {erreur}" if libelle else erreur)
