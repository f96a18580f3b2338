"""The programmation's filters: every choice list is limited to the user's authority."""

import django_filters
from django.db.models import Q

from contrat_ville.enums import Section
from contrat_ville.widgets import SelectRapide

from .choix import choix_des_filtres
from .enums import StatutAction
from .models import Action


def _choix(**kwargs):
    # Choice filters fed by ids: a chosen value is checked against the list, with no query of its own.
    return django_filters.ChoiceFilter(empty_label="Tous", widget=SelectRapide, choices=[], **kwargs)


class ActionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Recherche", method="rechercher", help_text="Intitulé, porteur, objectifs"
    )
    contrat = _choix(label="Contrat")
    annee = _choix(label="Année")
    axe = _choix(label="Axe")
    tranche = _choix(label="Tranche")
    statut = django_filters.ChoiceFilter(
        empty_label="Tous", widget=SelectRapide, choices=StatutAction.choices
    )
    porteur = _choix(label="Porteur")
    commune = _choix(label="Commune", method="filtrer_commune")
    # distinct: a filter through a many-to-many relation would repeat an action once per match.
    quartier = _choix(label="Quartier", field_name="quartiers", distinct=True)
    financeur = _choix(label="Cofinanceur", field_name="cofinancements__financeur", distinct=True)
    section = django_filters.ChoiceFilter(empty_label="Tous", widget=SelectRapide, choices=Section.choices)
    contribution_min = django_filters.NumberFilter(
        label="Contribution minimale (€)", field_name="contribution", lookup_expr="gte"
    )
    contribution_max = django_filters.NumberFilter(
        label="Contribution maximale (€)", field_name="contribution", lookup_expr="lte"
    )

    class Meta:
        model = Action
        fields = []

    @property
    def form(self):
        # The lists go into the built form: given to the filters, each form would deep-copy them.
        if not hasattr(self, "_form"):
            form = super().form
            request = self.request
            for nom, liste in choix_des_filtres(request.user.collectivite_id if request else None).items():
                form.fields[nom].choices = [("", "Tous"), *liste]
        return self._form

    def rechercher(self, queryset, name, valeur):
        return queryset.recherche(valeur) if valeur.strip() else queryset

    def filtrer_commune(self, queryset, name, commune):
        return queryset.filter(Q(quartiers__commune=commune) | Q(porteur__commune=commune)).distinct()
