from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, render

from contrat_ville.documents import servir

from . import taches
from .annexe import construire_annexe
from .controles import constats_en_resume, controler_tranche, suivi_enveloppes
from .documents import annexe_pdf, est_projet, nom_fichier
from .models import Tranche
from .tableur import annexe_xlsx

voir_tranches = permission_required("programmation.view_tranche", raise_exception=True)


def _tranche(request, pk):
    return get_object_or_404(Tranche.objects.visibles_par(request.user), pk=pk)


@login_required
@voir_tranches
def tranche_liste(request):
    tranches = (
        Tranche.objects.visibles_par(request.user).with_totaux().order_by("-annee", "contrat", "numero")
    )
    return render(request, "programmation/tranche_liste.html", {"tranches": tranches})


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
            "projet": est_projet(tranche, constats),
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
    )


@login_required
@voir_tranches
def tranche_annexe_pdf(request, pk):
    return _servir_annexe(request, pk, "pdf", annexe_pdf, taches.produire_annexe_pdf)


@login_required
@voir_tranches
def tranche_annexe_xlsx(request, pk):
    return _servir_annexe(request, pk, "xlsx", lambda t, _: annexe_xlsx(t), taches.produire_annexe_xlsx)
