"""The programmation's filters: every choice list is limited to the user's authority."""

import django_filters
from django.db.models import Exists, OuterRef, Q

from contrat_ville.enums import Section
from contrat_ville.widgets import SelectRapide

from .choix import choix_des_filtres
from .enums import StatutAction
from .models import Action, Cofinancement


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
    # EXISTS, not a join: a join would repeat an action once per match, and its totals with it.
    quartier = _choix(label="Quartier", method="filtrer_quartier")
    financeur = _choix(label="Cofinanceur", method="filtrer_financeur")
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
                form.fields[nom].choices = liste  # the field puts its own « Tous » (empty_label) first
        return self._form

    def rechercher(self, queryset, name, valeur):
        if not valeur.strip():
            return queryset
        return queryset.recherche(valeur, self.request.user.collectivite_id if self.request else None)

    def filtrer_commune(self, queryset, name, commune):
        quartiers = Action.quartiers.through.objects.filter(action=OuterRef("pk"), quartier__commune=commune)
        return queryset.filter(Q(Exists(quartiers)) | Q(porteur__commune=commune))

    def filtrer_quartier(self, queryset, name, quartier):
        return queryset.filter(
            Exists(Action.quartiers.through.objects.filter(action=OuterRef("pk"), quartier=quartier))
        )

    def filtrer_financeur(self, queryset, name, financeur):
        return queryset.filter(
            Exists(Cofinancement.objects.filter(action=OuterRef("pk"), financeur=financeur))
        )
