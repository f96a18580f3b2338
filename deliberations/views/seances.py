"""What an agent changes on a séance: the séance itself, its attendance list and its agenda."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from contrat_ville.formats import date_fr

from ..forms import InscriptionForm, SeanceForm, presences_formset
from ..models import Deliberation, Seance
from .commun import appliquer, erreurs_du_formulaire, modifier_seances, seance_de
from .consultation import seance_detail


@login_required
@permission_required("deliberations.add_seance", raise_exception=True)
def seance_creer(request):
    return _formulaire(request, Seance(), "Préparer une séance")


@login_required
@modifier_seances
def seance_modifier(request, pk):
    return _formulaire(request, seance_de(request, pk), "Modifier la séance")


def _formulaire(request, seance, titre):
    donnees = request.POST if request.method == "POST" else None
    form = SeanceForm(donnees, instance=seance, collectivite=request.user.collectivite_id)
    if donnees is not None and form.is_valid():
        seance = form.save()
        messages.success(request, f"Séance du {date_fr(seance.date)} enregistrée.")
        return redirect("deliberations:seance", pk=seance.pk)
    contexte = {"form": form, "titre": titre, "seance": seance}
    return render(request, "deliberations/seance_form.html", contexte, status=400 if form.errors else 200)


@require_POST
@login_required
@modifier_seances
def seance_presences(request, pk):
    seance = seance_de(request, pk)
    formset = presences_formset(seance, list(seance.membres().order_by("nom", "prenom")), request.POST)
    if formset.is_valid() and appliquer(
        request,
        lambda: seance.enregistrer_presences(formset.etats(), request.user),
        "Liste de présence enregistrée.",
    ):
        return redirect("deliberations:seance", pk=seance.pk)
    return seance_detail(request, pk, presences=formset, status=400)


@require_POST
@login_required
@permission_required("deliberations.add_deliberation", raise_exception=True)
def seance_inscrire(request, pk):
    seance = seance_de(request, pk)
    form = InscriptionForm(request.POST, collectivite=request.user.collectivite_id)
    if not form.is_valid():
        erreurs_du_formulaire(request, form)
        return redirect("deliberations:seance", pk=seance.pk)
    appliquer(
        request,
        lambda: Deliberation.objects.inscrire(seance, **form.cleaned_data),
        "Délibération inscrite à l'ordre du jour.",
    )
    return redirect("deliberations:seance", pk=seance.pk)
