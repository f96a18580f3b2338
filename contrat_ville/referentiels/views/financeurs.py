"""The financeurs and their envelopes (the budgets of a contract's year)."""

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from ...models import Contrat, Enveloppe, Financeur
from ...tables import configurer
from ..forms import EnveloppeForm, FinanceurForm
from ..tables import FinanceurTable
from .commun import (
    _avec_filtres,
    _contrat_de_la_page,
    _formulaire,
    _historique,
    _page,
    _suppression,
    _supprimer,
    permission,
)

# Financeurs.


@require_safe
@login_required
@permission("contrat_ville.view_financeur")
def financeurs(request):
    collectivite = request.user.collectivite_id
    liste = Financeur.objects.filter(collectivite=collectivite).order_by("nom")
    table = FinanceurTable(liste, user=request.user)
    contexte = {"table": configurer(request, table), "historique": _historique(request, (Financeur, liste))}
    return _page(request, "financeurs.html", contexte)


def _financeur(request, pk):
    return get_object_or_404(Financeur.objects.filter(collectivite=request.user.collectivite_id), pk=pk)


def _vers_les_financeurs(_objet):
    return reverse("referentiels:financeurs")


@login_required
@permission("contrat_ville.add_financeur")
def financeur_creer(request):
    financeur = Financeur(collectivite=request.user.collectivite)
    return _formulaire(
        request, FinanceurForm, financeur, titre="Nouveau financeur", retour=_vers_les_financeurs
    )


@login_required
@permission("contrat_ville.change_financeur")
def financeur_modifier(request, pk):
    return _formulaire(
        request,
        FinanceurForm,
        _financeur(request, pk),
        titre="Modifier le financeur",
        retour=_vers_les_financeurs,
        suppression=_suppression(request, "financeur", pk),
    )


@require_POST
@login_required
@permission("contrat_ville.delete_financeur")
def financeur_supprimer(request, pk):
    return _supprimer(
        request,
        _financeur(request, pk),
        reverse("referentiels:financeurs"),
        reverse("referentiels:financeur_modifier", args=[pk]),
    )


# Envelopes.


def annee_par_defaut(contrat, annees_avec_enveloppes):
    """The latest year with envelopes; otherwise this year if the contract covers it, else its first."""
    if annees_avec_enveloppes:
        return max(annees_avec_enveloppes)
    annee = timezone.localdate().year
    return annee if annee in contrat.annees() else contrat.annee_debut


@require_safe
@login_required
@permission("contrat_ville.view_enveloppe")
def enveloppes(request):
    collectivite = request.user.collectivite_id
    contrats = list(Contrat.objects.de(collectivite).order_by("-annee_debut", "intitule"))
    contrat = _contrat_de_la_page(request, contrats)
    annees, annee, lignes = [], None, []
    if contrat is not None:
        avec_enveloppes = set(
            Enveloppe.objects.filter(contrat=contrat).order_by().values_list("annee", flat=True).distinct()
        )
        annees = sorted(set(contrat.annees()) | avec_enveloppes)
        demandee = request.GET.get("annee", "")
        annee = int(demandee) if demandee.isdecimal() and int(demandee) in annees else None
        if annee is None:
            annee = annee_par_defaut(contrat, avec_enveloppes)
        lignes = (
            Enveloppe.objects.filter(contrat=contrat, annee=annee)
            .select_related("axe__contrat", "financeur", "contrat")
            .order_by(
                F("axe__ordre").asc(nulls_first=True),
                F("axe__numero").asc(nulls_first=True),
                F("financeur__nom").asc(nulls_first=True),
                "section",
            )
        )
    contexte = {
        "contrats": contrats,
        "contrat": contrat,
        "annees": annees,
        "annee": annee,
        "enveloppes": lignes,
        "nouvelle": _avec_filtres("enveloppe_creer", contrat=getattr(contrat, "pk", None), annee=annee),
        "historique": _historique(
            request, (Enveloppe, Enveloppe.objects.filter(contrat__collectivite=collectivite))
        ),
    }
    return _page(request, "enveloppes.html", contexte)


def _enveloppe(request, pk):
    return get_object_or_404(
        Enveloppe.objects.filter(contrat__collectivite=request.user.collectivite_id).select_related(
            "contrat", "axe", "financeur"
        ),
        pk=pk,
    )


def _vers_les_enveloppes(enveloppe):
    return _avec_filtres("enveloppes", contrat=enveloppe.contrat_id, annee=enveloppe.annee)


@login_required
@permission("contrat_ville.add_enveloppe")
def enveloppe_creer(request):
    contrats = list(Contrat.objects.de(request.user.collectivite_id))
    contrat = _contrat_de_la_page(request, contrats)
    annee = request.GET.get("annee", "")
    enveloppe = Enveloppe(
        contrat=contrat,
        annee=int(annee) if annee.isdecimal() and contrat and int(annee) in contrat.annees() else None,
    )
    return _formulaire(
        request, EnveloppeForm, enveloppe, titre="Nouvelle enveloppe", retour=_vers_les_enveloppes
    )


@login_required
@permission("contrat_ville.change_enveloppe")
def enveloppe_modifier(request, pk):
    return _formulaire(
        request,
        EnveloppeForm,
        _enveloppe(request, pk),
        titre="Modifier l'enveloppe",
        retour=_vers_les_enveloppes,
        suppression=_suppression(request, "enveloppe", pk),
    )


@require_POST
@login_required
@permission("contrat_ville.delete_enveloppe")
def enveloppe_supprimer(request, pk):
    enveloppe = _enveloppe(request, pk)
    return _supprimer(
        request,
        enveloppe,
        _vers_les_enveloppes(enveloppe),
        reverse("referentiels:enveloppe_modifier", args=[pk]),
    )
