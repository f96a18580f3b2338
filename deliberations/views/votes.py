"""What an agent records on a délibération: its place on the agenda, attendance, vote, préfecture."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from programmation.controles import suivi_enveloppes

from .. import redaction
from ..enums import ResultatVote
from ..forms import LigneModificativeForm, PrefectureForm, PresenceDeliberationForm, VoteForm
from .commun import appliquer, deliberation_de, erreurs_du_formulaire, modifier_deliberations
from .consultation import deliberation_detail


def ecriture_sur_la_deliberation(vue):
    """A change of one délibération: POST only, by a user who may change délibérations, on one of the
    authority's (404 for another's); the view gets the délibération instead of its key."""

    @require_POST
    @login_required
    @modifier_deliberations
    @wraps(vue)
    def ecriture(request, pk):
        return vue(request, deliberation_de(request, pk))

    return ecriture


def _vers_la_seance(deliberation):
    return redirect("deliberations:seance", pk=deliberation.seance_id)


def _vers_la_deliberation(deliberation):
    return redirect("deliberations:deliberation", pk=deliberation.pk)


@ecriture_sur_la_deliberation
def deliberation_deplacer(request, deliberation):
    sens = -1 if request.POST.get("sens") == "monter" else 1
    appliquer(request, lambda: deliberation.deplacer(sens), f"N°{deliberation.numero} déplacée.")
    return _vers_la_seance(deliberation)


@ecriture_sur_la_deliberation
def deliberation_retirer(request, deliberation):
    appliquer(
        request,
        lambda: deliberation.retirer(request.user),
        f"N°{deliberation.numero} retirée de l'ordre du jour ; son numéro reste attribué.",
    )
    return _vers_la_seance(deliberation)


@ecriture_sur_la_deliberation
def deliberation_voter(request, deliberation):
    """Two steps: the form shows what the vote will do, only the confirmed second post records it."""
    form = VoteForm(request.POST, deliberation=deliberation)
    if form.is_valid():
        d = form.cleaned_data
        voix = (d["resultat"], d["pour"], d["contre"], d["abstention"], d["ne_prenant_pas_part"])
        if request.POST.get("confirmer") != "1":
            if _verifie(request, lambda: deliberation.verifier_vote(*voix)):
                return _confirmation(request, deliberation, form)
        elif appliquer(
            request,
            lambda: deliberation.voter(*voix, request.user),
            f"Vote enregistré : {ResultatVote(d['resultat']).label.lower()}.",
        ):
            return _vers_la_deliberation(deliberation)
    # Shown again as typed, with what is wrong.
    return deliberation_detail(request, deliberation.pk, vote=form, status=400)


def _verifie(request, verification):
    try:
        verification()
    except ValidationError as erreur:
        for message in erreur.messages:
            messages.error(request, message)
        return False
    return True


def _recapitulatif(deliberation):
    """What an adoption locks: the tranche's subsidised actions and their total, the year's envelopes;
    for a modificative, the amounts it changes."""
    if deliberation.est_modificative:
        return {"totaux_modificative": deliberation.totaux_modificative()}
    tranche = deliberation.tranche
    if tranche is None:
        return {}
    totaux = redaction.totaux(tranche)
    return {
        "tranche": tranche,
        "nombre_actions": totaux["nombre"],
        "montant_total": totaux["montant"],
        "enveloppes": suivi_enveloppes(tranche.contrat, tranche.annee, jusqu_a=tranche),
    }


def _confirmation(request, deliberation, form):
    contexte = {
        "deliberation": deliberation,
        "form": form,
        "resultat": ResultatVote(form.cleaned_data["resultat"]),
        "adopte": form.cleaned_data["resultat"] != ResultatVote.REJET,
        **_recapitulatif(deliberation),
    }
    return render(request, "deliberations/redaction/confirmer_vote.html", contexte)


@ecriture_sur_la_deliberation
def deliberation_presence(request, deliberation):
    form = PresenceDeliberationForm(request.POST, deliberation=deliberation)
    if not form.is_valid():
        erreurs_du_formulaire(request, form)
        return _vers_la_deliberation(deliberation)
    d = form.cleaned_data
    appliquer(
        request,
        lambda: deliberation.modifier_presence(d["elu"], d["etat"], d["mandataire"], auteur=request.user),
        f"Présence de {d['elu']} pour cette délibération enregistrée.",
    )
    return _vers_la_deliberation(deliberation)


@ecriture_sur_la_deliberation
def deliberation_prefecture(request, deliberation):
    form = PrefectureForm(request.POST, instance=deliberation)
    if form.is_valid():
        form.save()
        messages.success(request, "Transmission et publication enregistrées.")
    else:
        erreurs_du_formulaire(request, form)
    return _vers_la_deliberation(deliberation)


@ecriture_sur_la_deliberation
def deliberation_ligne(request, deliberation):
    if not (deliberation.est_modificative and deliberation.tranche_corrigee_id):
        messages.error(request, "Seule une modificative porte des lignes de montants.")
        return _vers_la_deliberation(deliberation)
    form = LigneModificativeForm(request.POST, deliberation=deliberation)
    if not form.is_valid():
        erreurs_du_formulaire(request, form)
        return _vers_la_deliberation(deliberation)
    d = form.cleaned_data
    appliquer(
        request,
        lambda: deliberation.corriger(d["action"], d["montant_apres"]),
        f"« {d['action'].intitule} » : nouveau montant noté, appliqué au vote.",
    )
    return _vers_la_deliberation(deliberation)
