"""What an agent records on a délibération: its place on the agenda, attendance, vote, préfecture."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from ..enums import ResultatVote
from ..forms import LigneModificativeForm, PrefectureForm, PresenceDeliberationForm, VoteForm
from .commun import appliquer, deliberation_de, erreurs_du_formulaire, modifier_deliberations
from .consultation import deliberation_detail


def _vers_la_seance(deliberation):
    return redirect("deliberations:seance", pk=deliberation.seance_id)


def _vers_la_deliberation(deliberation):
    return redirect("deliberations:deliberation", pk=deliberation.pk)


@require_POST
@login_required
@modifier_deliberations
def deliberation_deplacer(request, pk):
    deliberation = deliberation_de(request, pk)
    sens = -1 if request.POST.get("sens") == "monter" else 1
    appliquer(request, lambda: deliberation.deplacer(sens), f"N°{deliberation.numero} déplacée.")
    return _vers_la_seance(deliberation)


@require_POST
@login_required
@modifier_deliberations
def deliberation_retirer(request, pk):
    deliberation = deliberation_de(request, pk)
    appliquer(
        request,
        lambda: deliberation.retirer(request.user),
        f"N°{deliberation.numero} retirée de l'ordre du jour ; son numéro reste attribué.",
    )
    return _vers_la_seance(deliberation)


@require_POST
@login_required
@modifier_deliberations
def deliberation_voter(request, pk):
    deliberation = deliberation_de(request, pk)
    form = VoteForm(request.POST, deliberation=deliberation)
    if form.is_valid():
        d = form.cleaned_data
        if appliquer(
            request,
            lambda: deliberation.voter(
                d["resultat"], d["pour"], d["contre"], d["abstention"], d["ne_prenant_pas_part"], request.user
            ),
            f"Vote enregistré : {ResultatVote(d['resultat']).label.lower()}.",
        ):
            return _vers_la_deliberation(deliberation)
    # Shown again as typed, with what is wrong.
    return deliberation_detail(request, pk, vote=form, status=400)


@require_POST
@login_required
@modifier_deliberations
def deliberation_presence(request, pk):
    deliberation = deliberation_de(request, pk)
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


@require_POST
@login_required
@modifier_deliberations
def deliberation_prefecture(request, pk):
    deliberation = deliberation_de(request, pk)
    form = PrefectureForm(request.POST, instance=deliberation)
    if form.is_valid():
        form.save()
        messages.success(request, "Transmission et publication enregistrées.")
    else:
        erreurs_du_formulaire(request, form)
    return _vers_la_deliberation(deliberation)


@require_POST
@login_required
@modifier_deliberations
def deliberation_ligne(request, pk):
    deliberation = deliberation_de(request, pk)
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
