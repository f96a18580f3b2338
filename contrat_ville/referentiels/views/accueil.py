"""The index of the reference data: how many rows of each the authority keeps."""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_safe

from ...models import Axe, Contrat, Enveloppe, Financeur, Quartier, Theme
from .commun import _page, permission


@require_safe
@login_required
@permission(
    "contrat_ville.view_contrat",
    "contrat_ville.view_financeur",
    "contrat_ville.view_enveloppe",
    "contrat_ville.view_quartier",
    "contrat_ville.view_axe",
)
def index(request):
    collectivite = request.user.collectivite_id
    du_contrat = {"contrat__collectivite": collectivite}
    comptes = {
        "contrats": Contrat.objects.filter(collectivite=collectivite).count(),
        "financeurs": Financeur.objects.filter(collectivite=collectivite).count(),
        "enveloppes": Enveloppe.objects.filter(**du_contrat).count(),
        "quartiers": Quartier.objects.filter(collectivite=collectivite).count(),
        "axes": Axe.objects.filter(**du_contrat).count(),
        "themes": Theme.objects.filter(axe__contrat__collectivite=collectivite).count(),
    }
    return _page(request, "index.html", {"comptes": comptes})
