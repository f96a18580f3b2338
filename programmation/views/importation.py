"""Importing a spreadsheet of requests: send the file, check the columns and the preview, confirm."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from contrat_ville.models import Contrat

from ..importation import ErreurImport
from ..importation.apercu import preparer
from ..importation.chargement import charger
from ..importation.formulaires import CorrespondanceForm, DepotForm
from ..importation.modele import modele_xlsx
from ..models import Importation
from .commun import appliquer, selon_l_adresse

importer = permission_required(
    ["programmation.add_action", "programmation.change_action"], raise_exception=True
)
LIGNES_MONTREES = 500


@login_required
@importer
def importation_deposer(request):
    collectivite = request.user.collectivite_id
    envoye = request.method == "POST"  # an empty post is still a post: its errors are shown
    form = DepotForm(
        request.POST if envoye else None, request.FILES if envoye else None, collectivite=collectivite
    )
    if envoye and form.is_valid():
        importation = Importation.objects.deposer(
            form.contenu,
            form.cleaned_data["fichier"].name,
            form.cleaned_data["contrat"],
            form.cleaned_data["annee"],
            request.user,
            feuilles=form.feuilles,
        )
        return redirect("programmation:importation", pk=importation.pk)
    contexte = {"form": form, "contrats": Contrat.objects.de(collectivite)}
    return render(
        request, "programmation/importation/deposer.html", contexte, status=400 if form.errors else 200
    )


@login_required
@importer
def importation_modele(request):
    contrat = selon_l_adresse(Contrat.objects.de(request.user.collectivite_id), request.GET.get("contrat"))
    reponse = HttpResponse(
        modele_xlsx(contrat), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    reponse["Content-Disposition"] = f'attachment; filename="modele-import-contrat-{contrat.pk}.xlsx"'
    return reponse


def _importation(request, pk):
    return get_object_or_404(Importation.objects.visibles_par(request.user).select_related("contrat"), pk=pk)


def _apercu(importation):
    return preparer(
        None,
        importation.nom_fichier,
        importation.contrat,
        importation.annee,
        importation.correspondance,
        feuilles=importation.feuilles(),
    )


@login_required
@importer
def importation_apercu(request, pk):
    importation = _importation(request, pk)
    try:
        apercu = _apercu(importation)
    except ErreurImport as erreur:
        return render(
            request,
            "programmation/importation/apercu.html",
            {"importation": importation, "erreur": str(erreur)},
            status=400,
        )
    return _page_apercu(request, importation, apercu)


def _page_apercu(request, importation, apercu, form=None):
    form = form or CorrespondanceForm(
        entetes=apercu.lecture.entete.textes, champs=apercu.lecture.correspondance
    )
    lignes = sorted(apercu.lignes, key=lambda ligne: not (ligne.erreurs or ligne.avertissements))
    contexte = {
        "importation": importation,
        "apercu": apercu,
        "form": form,
        "resume": apercu.resume,
        "lignes": lignes[:LIGNES_MONTREES],
        "lignes_cachees": max(len(lignes) - LIGNES_MONTREES, 0),
        "depot": DepotForm(
            initial={"contrat": importation.contrat_id, "annee": importation.annee},
            collectivite=request.user.collectivite_id,
        ),
    }
    return render(
        request, "programmation/importation/apercu.html", contexte, status=400 if form.errors else 200
    )


@require_POST
@login_required
@importer
def importation_colonnes(request, pk):
    importation = _importation(request, pk)
    try:
        apercu = _apercu(importation)
    except ErreurImport:
        return redirect("programmation:importation", pk=importation.pk)  # the page says why
    form = CorrespondanceForm(request.POST, entetes=apercu.lecture.entete.textes, champs=[])
    if not form.is_valid():
        return _page_apercu(request, importation, apercu, form)
    importation.retenir(apercu.lecture.entete, form.champs())
    messages.success(
        request,
        "Correspondance des colonnes enregistrée : elle sera proposée pour les fichiers de même forme.",
    )
    return redirect("programmation:importation", pk=importation.pk)


@require_POST
@login_required
@importer
def importation_charger(request, pk):
    importation = _importation(request, pk)
    resultat = appliquer(
        request,
        lambda: _charger(importation, request.user),
        lambda r: f"Import chargé : {r['creees']} action(s) créée(s), {r['modifiees']} modifiée(s).",
    )
    if resultat is None:
        return redirect("programmation:importation", pk=importation.pk)
    adresse = reverse("programmation:programmation")
    return redirect(f"{adresse}?contrat={importation.contrat_id}&annee={importation.annee}")


def _charger(importation, auteur):
    """The load and its bookkeeping, in the caller's transaction: all or nothing."""
    try:
        resultat = charger(
            None,
            importation.nom_fichier,
            importation.contrat,
            importation.annee,
            importation.correspondance,
            auteur,
            feuilles=importation.feuilles(),
        )
    except ErreurImport as erreur:
        raise ValidationError(str(erreur)) from erreur
    importation.retenir(resultat["apercu"].lecture.entete, resultat["apercu"].lecture.correspondance)
    importation.marquer_chargee()
    return resultat
