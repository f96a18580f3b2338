"""The contracts, and their axes and thèmes."""

from django.contrib.auth.decorators import login_required
from django.db import models
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from ...enums import NatureContrat
from ...models import Axe, Contrat, Theme
from ...tables import configurer
from ..forms import AxeForm, ContratForm, ThemeForm
from ..tables import ContratTable
from .commun import _avec_filtres, _choisi, _contrat_de_la_page, _formulaire, _historique, _page, permission

# Contracts.


@require_safe
@login_required
@permission("contrat_ville.view_contrat")
def contrats(request):
    liste = Contrat.objects.de(request.user.collectivite_id).annotate(
        nombre_axes=Count("axes", distinct=True), nombre_enveloppes=Count("enveloppes", distinct=True)
    )
    table = ContratTable(liste.order_by("-annee_debut", "intitule"), user=request.user)
    contexte = {
        "table": configurer(request, table),
        "historique": _historique(request, (Contrat, Contrat.objects.de(request.user.collectivite_id))),
    }
    return _page(request, "contrats.html", contexte)


def _contrat(request, pk):
    return get_object_or_404(Contrat.objects.de(request.user.collectivite_id), pk=pk)


def _vers_les_contrats(_objet):
    return reverse("referentiels:contrats")


@login_required
@permission("contrat_ville.add_contrat")
def contrat_creer(request):
    annee = timezone.localdate().year
    contrat = Contrat(
        collectivite=request.user.collectivite,
        nature=NatureContrat.CONTRAT_DE_VILLE,
        annee_debut=annee,
        annee_fin=annee,
    )
    return _formulaire(request, ContratForm, contrat, titre="Nouveau contrat", retour=_vers_les_contrats)


@login_required
@permission("contrat_ville.change_contrat")
def contrat_modifier(request, pk):
    return _formulaire(
        request, ContratForm, _contrat(request, pk), titre="Modifier le contrat", retour=_vers_les_contrats
    )


# Axes and their thèmes.


@require_safe
@login_required
@permission("contrat_ville.view_axe", "contrat_ville.view_theme")
def axes(request):
    collectivite = request.user.collectivite_id
    contrats = list(Contrat.objects.de(collectivite).order_by("-annee_debut", "intitule"))
    contrat = _contrat_de_la_page(request, contrats)
    liste = []
    if contrat is not None:
        themes = Theme.objects.order_by("ordre", "pk")
        liste = (
            Axe.objects.filter(contrat=contrat)
            .order_by("ordre", "numero")
            .prefetch_related(Prefetch("themes", queryset=themes))
        )
    contexte = {
        "contrats": contrats,
        "contrat": contrat,
        "axes": liste,
        "historique": _historique(
            request,
            (Axe, Axe.objects.filter(contrat__collectivite=collectivite)),
            (Theme, Theme.objects.filter(axe__contrat__collectivite=collectivite)),
        ),
    }
    return _page(request, "axes.html", contexte)


def _vers_les_axes(axe):
    return _avec_filtres("axes", contrat=axe.contrat_id)


@login_required
@permission("contrat_ville.add_axe")
def axe_creer(request):
    contrats = list(Contrat.objects.de(request.user.collectivite_id))
    contrat = _contrat_de_la_page(request, contrats)
    numero = None
    if contrat is not None:
        dernier = Axe.objects.filter(contrat=contrat).aggregate(n=models.Max("numero"))["n"]
        numero = (dernier or 0) + 1
    axe = Axe(contrat=contrat, numero=numero)
    return _formulaire(
        request,
        AxeForm,
        axe,
        titre=f"Nouvel axe{f' — {contrat.intitule}' if contrat else ''}",
        retour=_vers_les_axes,
    )


@login_required
@permission("contrat_ville.change_axe")
def axe_modifier(request, pk):
    axe = get_object_or_404(Axe.objects.filter(contrat__collectivite=request.user.collectivite_id), pk=pk)
    return _formulaire(request, AxeForm, axe, titre=f"Modifier : {axe}", retour=_vers_les_axes)


def _vers_les_axes_du_theme(theme):
    return _avec_filtres("axes", contrat=theme.axe.contrat_id if theme.axe_id else None)


@login_required
@permission("contrat_ville.add_theme")
def theme_creer(request):
    axes_de_la_collectivite = Axe.objects.filter(contrat__collectivite=request.user.collectivite_id)
    axe = _choisi(axes_de_la_collectivite, request.GET.get("axe"))
    return _formulaire(
        request,
        ThemeForm,
        Theme(axe=axe),
        titre=f"Nouveau thème{f' — {axe}' if axe else ''}",
        retour=_vers_les_axes_du_theme,
    )


@login_required
@permission("contrat_ville.change_theme")
def theme_modifier(request, pk):
    theme = get_object_or_404(
        Theme.objects.filter(axe__contrat__collectivite=request.user.collectivite_id).select_related(
            "axe__contrat"
        ),
        pk=pk,
    )
    return _formulaire(request, ThemeForm, theme, titre="Modifier le thème", retour=_vers_les_axes_du_theme)
