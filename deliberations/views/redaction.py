"""Writing a délibération before its vote, and the contracts' model texts it starts from."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect, render

from contrat_ville.historique import AJOUT, MODIFICATION, noter
from contrat_ville.models import Contrat

from .. import redaction
from ..forms_redaction import ModeleDeliberationForm, RedactionForm, aide_des_champs
from ..models import ModeleDeliberation
from .commun import appliquer, deliberation_de, modifier_deliberations

modifier_modeles = permission_required("deliberations.change_modeledeliberation", raise_exception=True)


@login_required
@modifier_deliberations
def deliberation_rediger(request, pk):
    deliberation = deliberation_de(request, pk)
    if deliberation.resultat_vote or deliberation.retiree:
        messages.error(
            request,
            f"La délibération n°{deliberation.numero} est {deliberation.etat} : "
            "son texte est celui du registre et ne se modifie plus.",
        )
        return redirect("deliberations:deliberation", pk=pk)
    if request.method == "POST" and request.POST.get("preremplir"):
        return _preremplir(request, deliberation)
    form = RedactionForm(request.POST if request.method == "POST" else None, instance=deliberation)
    valide = form.is_bound and form.is_valid()
    if valide and appliquer(request, lambda: form.instance.rediger(request.user), "Texte enregistré."):
        return redirect("deliberations:deliberation", pk=pk)
    return _page(request, deliberation, form, status=400 if form.is_bound else 200)


def _preremplir(request, deliberation):
    """The model's texts in the form, nothing saved: the agent reads them, then saves."""
    saisi = {champ: request.POST.get(champ, "") for champ in RedactionForm._meta.fields}
    saisi["tableau_recapitulatif"] = bool(request.POST.get("tableau_recapitulatif"))
    gardes = []
    try:
        textes = redaction.textes_du_modele(deliberation)
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        saisi, gardes = redaction.preremplir(saisi, textes, remplacer=request.POST["preremplir"] == "tout")
        messages.info(request, "Texte prérempli depuis le modèle du contrat : relisez-le, puis enregistrez.")
    form = RedactionForm(initial=saisi, instance=deliberation)
    return _page(request, deliberation, form, gardes=[form.fields[c].label for c in gardes])


def _page(request, deliberation, form, gardes=(), status=200):
    tranche = redaction.tranche_de(deliberation)
    contexte = {
        "deliberation": deliberation,
        "form": form,
        "gardes": gardes,
        "contrat": tranche.contrat if tranche else None,
        "peut_modifier_modele": request.user.has_perm("deliberations.change_modeledeliberation"),
    }
    return render(request, "deliberations/redaction/rediger.html", contexte, status=status)


@login_required
@modifier_modeles
def modeles_deliberation(request):
    contrats = Contrat.objects.de(request.user.collectivite_id).annotate(
        a_un_modele=Exists(ModeleDeliberation.objects.filter(contrat=OuterRef("pk")))
    )
    return render(request, "deliberations/redaction/modeles.html", {"contrats": contrats})


@login_required
@modifier_modeles
def modele_deliberation(request, pk):
    contrat = get_object_or_404(Contrat.objects.de(request.user.collectivite_id), pk=pk)
    modele = ModeleDeliberation.pour(contrat)
    nouveau = modele.pk is None
    form = ModeleDeliberationForm(request.POST if request.method == "POST" else None, instance=modele)
    if form.is_bound and form.is_valid():
        changes = ", ".join(str(form.fields[c].label) for c in form.changed_data) or "aucun changement"
        with transaction.atomic():
            modele = form.save()
            noter(request.user, modele, AJOUT if nouveau else MODIFICATION, f"Modèle : {changes}.")
        messages.success(request, f"Modèle de délibération du {contrat.intitule} enregistré.")
        return redirect("deliberations:modeles")
    contexte = {"contrat": contrat, "form": form, "champs": aide_des_champs(), "nouveau": nouveau}
    return render(
        request, "deliberations/redaction/modele.html", contexte, status=400 if form.errors else 200
    )
