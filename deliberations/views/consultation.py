"""What élus and agents read: séances, délibérations, the extract."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from contrat_ville.documents import reponse_conservee, servir
from contrat_ville.tables import configurer

from .. import taches
from ..documents import cle_extrait, extrait_pdf, nom_fichier
from ..filters import DeliberationFilter, SeanceFilter
from ..forms import (
    InscriptionForm,
    LigneModificativeForm,
    PrefectureForm,
    PresenceDeliberationForm,
    VoteForm,
    presences_formset,
)
from ..models import ActeFige, Seance
from ..tables import DeliberationTable, SeanceTable
from .commun import deliberation_de, deliberations_de, seance_de, voir_deliberations, voir_seances


@login_required
@voir_deliberations
def deliberation_liste(request):
    deliberations = deliberations_de(request).select_related("seance__instance")
    filtre = DeliberationFilter(request.GET, queryset=deliberations, request=request)
    table = configurer(request, DeliberationTable(filtre.qs), filtre=filtre)
    return render(request, "deliberations/deliberation_liste.html", {"table": table, "filter": filtre})


@login_required
@voir_seances
def seance_liste(request):
    seances = (
        Seance.objects.visibles_par(request.user)
        .with_decompte()
        .select_related("instance", "president", "secretaire")
        .order_by("-date", "-pk")  # explicit: Meta.ordering is dropped from a GROUP BY query
    )
    filtre = SeanceFilter(request.GET, queryset=seances, request=request)
    table = configurer(request, SeanceTable(filtre.qs), filtre=filtre)
    return render(request, "deliberations/seance_liste.html", {"table": table, "filter": filtre})


@login_required
@voir_seances
def seance_detail(request, pk, presences=None, status=200):
    seance = seance_de(request, pk)
    contexte = {
        "seance": seance,
        "decompte": seance.decompte(),
        "presences": seance.presences.select_related("elu", "mandataire").order_by("ordre", "elu__nom"),
        "ordre_du_jour": seance.deliberations.select_related("tranche__contrat").order_by("ordre_du_jour"),
        "peut_modifier": request.user.has_perm("deliberations.change_seance"),
        # Once a vote is recorded the list is closed: shown as it stands, not as a form that would be refused.
        "arretee": seance.a_des_votes(),
        "journal": seance.traces.select_related("auteur"),
    }
    if contexte["peut_modifier"]:
        contexte["inscription"] = InscriptionForm(collectivite=request.user.collectivite_id)
        if not contexte["arretee"]:
            elus = list(seance.membres().order_by("nom", "prenom"))
            contexte["formset"] = presences or presences_formset(seance, elus)
    return render(request, "deliberations/seance_detail.html", contexte, status=status)


@login_required
@voir_deliberations
def deliberation_detail(request, pk, vote=None, status=200):
    deliberation = deliberation_de(request, pk)
    contexte = {
        "deliberation": deliberation,
        "decompte": deliberation.decompte(),
        "presences_modifiees": deliberation.presences_modifiees.select_related("elu", "mandataire"),
        "ne_prenant_pas_part": deliberation.ne_prenant_pas_part.all(),
        "lignes": deliberation.lignes.select_related("action__porteur"),
        "totaux_modificative": deliberation.totaux_modificative() if deliberation.est_modificative else None,
        "peut_modifier": request.user.has_perm("deliberations.change_deliberation"),
        "journal": deliberation.traces.select_related("auteur"),
    }
    if contexte["peut_modifier"]:
        contexte["vote"] = vote or VoteForm(deliberation=deliberation)
        contexte["presence"] = PresenceDeliberationForm(deliberation=deliberation)
        contexte["prefecture"] = PrefectureForm(instance=deliberation)
        if deliberation.est_modificative and deliberation.tranche_corrigee_id:
            contexte["ligne"] = LigneModificativeForm(deliberation=deliberation)
    return render(request, "deliberations/deliberation_detail.html", contexte, status=status)


@login_required
@voir_deliberations
def deliberation_extrait_pdf(request, pk):
    deliberation = deliberation_de(request, pk)
    return servir(
        request,
        collectivite=deliberation.collectivite,
        nature="extrait-pdf",
        objet_id=deliberation.pk,
        nom_fichier=nom_fichier(deliberation),
        nombre_actions=deliberation.tranche.actions.count() if deliberation.tranche else 0,
        fabriquer=lambda avancer: extrait_pdf(deliberation, avancer),
        tache=taches.produire_extrait_pdf,
        cle=lambda: cle_extrait(deliberation.pk),
    )


@login_required
@voir_deliberations
def deliberation_acte_fige(request, pk):
    """One kept version of a voted act's document, the first included once a stamped one exists."""
    actes = ActeFige.objects.filter(deliberation__in=deliberations_de(request))
    return reponse_conservee(request, get_object_or_404(actes, pk=pk))
