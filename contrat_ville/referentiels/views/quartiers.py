"""The authority's quartiers."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_safe

from ...models import Quartier
from ...tables import configurer
from ..forms import QuartierForm
from ..tables import QuartierTable
from .commun import _formulaire, _historique, _page, permission

# Quartiers.


@require_safe
@login_required
@permission("contrat_ville.view_quartier")
def quartiers(request):
    liste = Quartier.objects.filter(collectivite=request.user.collectivite_id).order_by("commune", "nom")
    table = QuartierTable(liste, user=request.user)
    contexte = {"table": configurer(request, table), "historique": _historique(request, (Quartier, liste))}
    return _page(request, "quartiers.html", contexte)


def _vers_les_quartiers(_objet):
    return reverse("referentiels:quartiers")


@login_required
@permission("contrat_ville.add_quartier")
def quartier_creer(request):
    quartier = Quartier(collectivite=request.user.collectivite)
    return _formulaire(request, QuartierForm, quartier, titre="Nouveau quartier", retour=_vers_les_quartiers)


@login_required
@permission("contrat_ville.change_quartier")
def quartier_modifier(request, pk):
    quartier = get_object_or_404(Quartier.objects.filter(collectivite=request.user.collectivite_id), pk=pk)
    return _formulaire(
        request, QuartierForm, quartier, titre="Modifier le quartier", retour=_vers_les_quartiers
    )
