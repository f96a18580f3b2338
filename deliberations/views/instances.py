"""The référents' pages of their authority's instances, their members and the élus."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from contrat_ville import historique
from contrat_ville.tables import configurer
from programmation.views.commun import appliquer

from ..forms_instances import DepotMembresForm, EluForm, InstanceForm, MembresForm
from ..import_membres import ErreurFichier, analyser, importer, lire, relire, signer
from ..models import Elu, Instance
from ..tables import EluTable, InstanceTable

GABARITS = "deliberations/instances"
importer_membres = permission_required(
    ["deliberations.add_elu", "deliberations.change_elu", "deliberations.change_instance"],
    raise_exception=True,
)


def _instance(request, pk):
    return get_object_or_404(Instance.objects.filter(collectivite=request.user.collectivite_id), pk=pk)


def _elu(request, pk):
    return get_object_or_404(Elu.objects.filter(collectivite=request.user.collectivite_id), pk=pk)


def _enregistrer(request, form, succes):
    """Saves a checked form and writes the change in the history; the redirect's object."""
    nature = historique.MODIFICATION if form.instance.pk else historique.AJOUT
    objet = form.save()
    changes = ", ".join(str(form.fields[champ].label) for champ in form.changed_data)
    message = "Créé." if nature == historique.AJOUT else f"Modifié : {changes or 'rien'}."
    historique.noter(request.user, objet, nature, message)
    messages.success(request, succes.format(objet=objet))
    return objet


def _formulaire(request, form_classe, objet, gabarit, titre):
    """A create or edit page: the saved object, or the page to show again."""
    donnees = request.POST if request.method == "POST" else None
    form = form_classe(donnees, instance=objet)
    if donnees is not None and form.is_valid():
        return _enregistrer(request, form, "« {objet} » enregistré."), None
    contexte = {"form": form, "titre": titre, "objet": objet}
    return None, render(request, f"{GABARITS}/{gabarit}", contexte, status=400 if form.errors else 200)


# --- instances -------------------------------------------------------------------------------------


@login_required
@permission_required("deliberations.view_instance", raise_exception=True)
def instance_liste(request):
    instances = Instance.objects.visibles_par(request.user).with_nombre_membres().order_by("nom")
    return render(request, f"{GABARITS}/liste.html", {"table": configurer(request, InstanceTable(instances))})


@login_required
@permission_required("deliberations.view_instance", raise_exception=True)
def instance_detail(request, pk, membres=None, depot=None, status=200):
    instance = _instance(request, pk)
    en_exercice = list(instance.membres.all())
    contexte = {
        "instance": instance,
        "membres": en_exercice,
        "form": membres
        or MembresForm(initial={"membres": en_exercice}, collectivite=request.user.collectivite_id),
        "depot": depot or DepotMembresForm(),
    }
    return render(request, f"{GABARITS}/detail.html", contexte, status=status)


@login_required
@permission_required("deliberations.add_instance", raise_exception=True)
def instance_creer(request):
    instance = Instance(collectivite_id=request.user.collectivite_id)
    enregistree, page = _formulaire(
        request, InstanceForm, instance, "instance_form.html", "Nouvelle instance"
    )
    return redirect("deliberations:instance", pk=enregistree.pk) if enregistree else page


@login_required
@permission_required("deliberations.change_instance", raise_exception=True)
def instance_modifier(request, pk):
    instance = _instance(request, pk)
    enregistree, page = _formulaire(
        request, InstanceForm, instance, "instance_form.html", "Modifier l'instance"
    )
    return redirect("deliberations:instance", pk=enregistree.pk) if enregistree else page


@require_POST
@login_required
@permission_required("deliberations.change_instance", raise_exception=True)
def instance_membres(request, pk):
    instance = _instance(request, pk)
    form = MembresForm(request.POST, collectivite=request.user.collectivite_id)
    if not form.is_valid():
        return instance_detail(request, pk, membres=form, status=400)
    if (
        appliquer(
            request,
            lambda: _changer_membres(instance, form.cleaned_data["membres"], request.user),
            lambda nombre: f"{nombre} membre(s) en exercice enregistré(s).",
        )
        is None
    ):
        return instance_detail(request, pk, membres=form, status=400)
    return redirect("deliberations:instance", pk=instance.pk)


def _changer_membres(instance, elus, auteur):
    avant = {e.pk: str(e) for e in instance.membres.all()}
    apres = {e.pk: str(e) for e in elus}
    instance.membres.set(elus)
    ajoutes = ", ".join(nom for pk, nom in apres.items() if pk not in avant) or "aucun"
    retires = ", ".join(nom for pk, nom in avant.items() if pk not in apres) or "aucun"
    historique.noter(
        auteur, instance, historique.MODIFICATION, f"Membres ajoutés : {ajoutes} ; retirés : {retires}."
    )
    return len(apres)


# --- importing the members -------------------------------------------------------------------------


@require_POST
@login_required
@importer_membres
def instance_importer(request, pk):
    instance = _instance(request, pk)
    depot = DepotMembresForm(request.POST, request.FILES)
    if not depot.is_valid():
        return instance_detail(request, pk, depot=depot, status=400)
    fichier = depot.cleaned_data["fichier"]
    try:
        lignes = lire(fichier.read(), fichier.name)
        apercu = analyser(lignes, instance.collectivite_id)
    except ErreurFichier as erreur:
        depot.add_error("fichier", str(erreur))
        return instance_detail(request, pk, depot=depot, status=400)
    contexte = {
        "instance": instance,
        "apercu": apercu,
        "jeton": "" if apercu.erreurs else signer(lignes, instance, request.user),
        "nom_fichier": fichier.name,
    }
    return render(request, f"{GABARITS}/import_apercu.html", contexte)


@require_POST
@login_required
@importer_membres
def instance_importer_confirmer(request, pk):
    instance = _instance(request, pk)
    try:
        lignes = relire(request.POST.get("jeton"), instance, request.user)
    except ErreurFichier as erreur:
        messages.error(request, str(erreur))
        return redirect("deliberations:instance", pk=instance.pk)
    appliquer(
        request,
        lambda: importer(instance, lignes, request.user),
        lambda bilan: (
            f"Import terminé : {bilan.crees} élu(s) créé(s), {bilan.mis_a_jour} élu(s) mis à "
            f"jour, {bilan.membres} membre(s) en exercice."
        ),
    )
    return redirect("deliberations:instance", pk=instance.pk)


# --- élus ------------------------------------------------------------------------------------------


@login_required
@permission_required("deliberations.view_elu", raise_exception=True)
def elu_liste(request):
    elus = Elu.objects.visibles_par(request.user).with_nombre_instances().order_by("nom", "prenom")
    table = EluTable(elus, peut_modifier=request.user.has_perm("deliberations.change_elu"))
    return render(request, f"{GABARITS}/elus.html", {"table": configurer(request, table)})


@login_required
@permission_required("deliberations.add_elu", raise_exception=True)
def elu_creer(request):
    elu = Elu(collectivite_id=request.user.collectivite_id)
    enregistre, page = _formulaire(request, EluForm, elu, "elu_form.html", "Nouvel élu")
    return redirect("deliberations:elus") if enregistre else page


@login_required
@permission_required("deliberations.change_elu", raise_exception=True)
def elu_modifier(request, pk):
    elu = _elu(request, pk)
    enregistre, page = _formulaire(request, EluForm, elu, "elu_form.html", f"Modifier {elu.nom_complet}")
    return redirect("deliberations:elus") if enregistre else page
