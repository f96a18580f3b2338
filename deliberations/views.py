from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, render

from contrat_ville.documents import servir

from . import taches
from .documents import extrait_pdf, nom_fichier
from .models import Deliberation

voir_deliberations = permission_required("deliberations.view_deliberation", raise_exception=True)


def _deliberations(request):
    return Deliberation.objects.visibles_par(request.user).select_related(
        "seance__instance", "tranche__contrat"
    )


@login_required
@voir_deliberations
def deliberation_liste(request):
    return render(
        request, "deliberations/deliberation_liste.html", {"deliberations": _deliberations(request)}
    )


@login_required
@voir_deliberations
def deliberation_detail(request, pk):
    deliberation = get_object_or_404(_deliberations(request), pk=pk)
    return render(
        request,
        "deliberations/deliberation_detail.html",
        {"deliberation": deliberation, "decompte": deliberation.seance.decompte()},
    )


@login_required
@voir_deliberations
def deliberation_extrait_pdf(request, pk):
    deliberation = get_object_or_404(_deliberations(request), pk=pk)
    return servir(
        request,
        collectivite=deliberation.collectivite,
        nature="extrait-pdf",
        objet_id=deliberation.pk,
        nom_fichier=nom_fichier(deliberation),
        nombre_actions=deliberation.tranche.actions.count() if deliberation.tranche else 0,
        fabriquer=lambda avancer: extrait_pdf(deliberation, avancer),
        tache=taches.produire_extrait_pdf,
    )
