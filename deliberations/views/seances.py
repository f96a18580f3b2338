"""What an agent changes on a séance: the séance itself, its attendance list and its agenda."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
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
    if seance.a_des_votes():
        return _arretee(request, seance)
    formset = presences_formset(seance, _membres(seance), request.POST)
    if not formset.is_valid():
        return seance_detail(request, pk, presences=formset, status=400)
    return _enregistrer(request, seance, formset.etats(), "Liste de présence enregistrée.")


@require_POST
@login_required
@modifier_seances
def seance_tous_presents(request, pk):
    seance = seance_de(request, pk)
    return _enregistrer(request, seance, seance.etats_tous_presents(), "Tous les membres sont présents.")


@require_POST
@login_required
@modifier_seances
def seance_reprendre_presences(request, pk):
    seance = seance_de(request, pk)
    precedente = seance.precedente()
    if precedente is None:
        messages.info(request, "Aucune séance précédente de cette instance : rien n'a été repris.")
        return redirect(_liste(seance))
    succes = f"Présences reprises de la séance du {date_fr(precedente.date)}."
    return _enregistrer(request, seance, seance.etats_de(precedente), succes)


def _enregistrer(request, seance, etats, succes):
    """Saves the list, all or nothing; a refusal shows the proposed list with each error on its row."""
    try:
        seance.enregistrer_presences(etats, request.user)
    except ValidationError as erreur:
        if seance.a_des_votes():  # voted in the meantime: there is no list left to correct
            return _arretee(request, seance)
        formset = presences_formset(seance, _membres(seance), proposes=etats)
        if formset.is_valid():
            formset.refuser(erreur)
        return seance_detail(request, seance.pk, presences=formset, status=400)
    messages.success(request, succes)
    return redirect(_liste(seance))


def _arretee(request, seance):
    """A change of a closed list (a vote is recorded), refused with the reason as an error on the page."""
    messages.error(request, Seance.MESSAGE_ARRETEE)
    return seance_detail(request, seance.pk, status=400)


def _membres(seance):
    return list(seance.membres().order_by("nom", "prenom"))


def _liste(seance):
    return reverse("deliberations:seance", args=[seance.pk]) + "#presences"


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
