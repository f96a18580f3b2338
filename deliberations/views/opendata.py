"""The « Données ouvertes » page: the SCDL files to download, and the authority's SIRET they need."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from contrat_ville.documents import reponse_fichier

from .. import opendata
from ..forms_opendata import ExportForm, SiretForm


def _collectivite(request):
    if request.user.collectivite is None:  # loaded with the user: no query of its own
        raise Http404("Votre compte n'est rattaché à aucune collectivité.")
    return request.user.collectivite


def _annees(collectivite):
    dates = opendata.deliberations_publiees(collectivite).dates("seance__date", "year", order="DESC")
    return [d.year for d in dates]


@login_required
@permission_required("deliberations.view_deliberation", raise_exception=True)
def donnees_ouvertes(request):
    collectivite = _collectivite(request)
    form = ExportForm(request.GET if "fichier" in request.GET else None, annees=_annees(collectivite))
    if form.is_bound and form.is_valid():
        try:
            return _telecharger(collectivite, form.cleaned_data)
        except ValidationError as erreur:
            messages.error(request, " ".join(erreur.messages))
    elif form.is_bound:
        messages.error(request, "Choix invalide : choisissez une année de la liste.")
    annee, toutes = (
        (form.cleaned_data.get("annee"), form.cleaned_data.get("toutes")) if form.is_bound else (None, False)
    )
    contexte = {
        "collectivite": collectivite,
        "form": form,
        "siret_form": SiretForm(collectivite=collectivite, initial={"siret": collectivite.siret}),
        "subventions": opendata.subventions_publiees(collectivite, annee, toutes),
        "deliberations": opendata.deliberations_publiees(collectivite, annee).prefetch_related(None),
    }
    return render(request, "donnees_ouvertes/page.html", contexte)


def _telecharger(collectivite, choix):
    if choix["fichier"] == "subventions":
        export = opendata.exporter_subventions(collectivite, choix["annee"], choix["toutes"])
    else:
        export = opendata.exporter_deliberations(collectivite, choix["annee"])
    nom = opendata.nom_fichier(collectivite, choix["fichier"], datetime.date.today())
    return reponse_fichier(export.contenu, nom)


@require_POST
@login_required
@permission_required("contrat_ville.change_collectivite", raise_exception=True)
def donnees_ouvertes_siret(request):
    collectivite = _collectivite(request)
    form = SiretForm(request.POST, collectivite=collectivite)
    if form.is_valid():
        collectivite.siret = form.cleaned_data["siret"]
        collectivite.save(update_fields=["siret"])
        messages.success(request, f"SIRET de {collectivite.nom} enregistré : {collectivite.siret}.")
    else:
        messages.error(request, " ".join(form.errors["siret"]))
    return redirect("deliberations:donnees_ouvertes")
