from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404

from programmation.views.commun import appliquer as appliquer_et_rendre

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
    """The same as programmation's, for changes that return nothing: True when done."""
    return appliquer_et_rendre(request, lambda: operation() or True, lambda _: succes) is not None


def erreurs_du_formulaire(request, form):
    for champ, erreurs in form.errors.items():
        libelle = form.fields[champ].label if champ in form.fields else ""
        for erreur in erreurs:
            messages.error(request, f"{libelle.capitalize()} : {erreur}" if libelle else erreur)
