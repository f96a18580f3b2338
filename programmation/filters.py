"""The programmation's filters: every choice list is limited to the user's authority."""

import django_filters
from django.db.models import Q

from contrat_ville.enums import Section
from contrat_ville.models import Axe, Contrat, Financeur, Quartier
from contrat_ville.widgets import SelectRapide

from .enums import StatutAction
from .models import Action, Porteur, Tranche


def _de_ma_collectivite(modele, chemin):
    def queryset(request):
        if request is None:
            return modele.objects.none()
        return modele.objects.filter(**{chemin: request.user.collectivite_id})

    return queryset


def _annees(request):
    # order_by() first: the model's default ordering would make DISTINCT return one row per action.
    annees = Action.objects.visibles_par(request.user).order_by("-annee").values_list("annee", flat=True)
    return [(a, a) for a in annees.distinct()]


def _communes(request):
    quartiers = Quartier.objects.filter(collectivite=request.user.collectivite_id).values_list("commune")
    porteurs = Porteur.objects.filter(collectivite=request.user.collectivite_id).exclude(commune="")
    communes = quartiers.order_by().union(porteurs.order_by().values_list("commune"))
    return [(c, c) for c in sorted(c for (c,) in communes)]


TOUS = {"empty_label": "Tous", "widget": SelectRapide}


class ActionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Recherche", method="rechercher", help_text="Intitulé, porteur, objectifs"
    )
    contrat = django_filters.ModelChoiceFilter(**TOUS, queryset=_de_ma_collectivite(Contrat, "collectivite"))
    annee = django_filters.ChoiceFilter(**TOUS, label="Année", choices=[])
    axe = django_filters.ModelChoiceFilter(
        **TOUS, label="Axe", queryset=_de_ma_collectivite(Axe, "contrat__collectivite")
    )
    tranche = django_filters.ModelChoiceFilter(
        **TOUS, queryset=_de_ma_collectivite(Tranche, "contrat__collectivite")
    )
    statut = django_filters.ChoiceFilter(**TOUS, choices=StatutAction.choices)
    porteur = django_filters.ModelChoiceFilter(**TOUS, queryset=_de_ma_collectivite(Porteur, "collectivite"))
    commune = django_filters.ChoiceFilter(**TOUS, label="Commune", choices=[], method="filtrer_commune")
    # distinct: a filter through a many-to-many relation would repeat an action once per match.
    quartier = django_filters.ModelChoiceFilter(
        **TOUS,
        distinct=True,
        label="Quartier",
        field_name="quartiers",
        queryset=_de_ma_collectivite(Quartier, "collectivite"),
    )
    financeur = django_filters.ModelChoiceFilter(
        **TOUS,
        distinct=True,
        label="Cofinanceur",
        field_name="cofinancements__financeur",
        queryset=_de_ma_collectivite(Financeur, "collectivite"),
    )
    section = django_filters.ChoiceFilter(**TOUS, choices=Section.choices)
    contribution_min = django_filters.NumberFilter(
        label="Contribution minimale (€)", field_name="contribution", lookup_expr="gte"
    )
    contribution_max = django_filters.NumberFilter(
        label="Contribution maximale (€)", field_name="contribution", lookup_expr="lte"
    )

    class Meta:
        model = Action
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        # Choices read from the user's own data, once per request.
        self.filters["annee"].extra["choices"] = _annees(request)
        self.filters["commune"].extra["choices"] = _communes(request)

    def rechercher(self, queryset, name, valeur):
        return queryset.recherche(valeur) if valeur.strip() else queryset

    def filtrer_commune(self, queryset, name, commune):
        return queryset.filter(Q(quartiers__commune=commune) | Q(porteur__commune=commune)).distinct()
