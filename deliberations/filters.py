"""The délibérations' lists' filters: every choice list is limited to the user's authority."""

import django_filters
from django import forms

from contrat_ville.models import User
from programmation.models import Modification

from .models import Deliberation, Instance, Seance, Trace


def _instances(request):
    return Instance.objects.visibles_par(request.user).order_by("nom") if request else Instance.objects.none()


class SeanceFilter(django_filters.FilterSet):
    instance = django_filters.ModelChoiceFilter(label="Instance", queryset=_instances, empty_label="Toutes")
    annee = django_filters.NumberFilter(
        label="Année", field_name="date", lookup_expr="year", min_value=1900, max_value=2200
    )

    class Meta:
        model = Seance
        fields = []


class DeliberationFilter(django_filters.FilterSet):
    instance = django_filters.ModelChoiceFilter(
        label="Instance", field_name="seance__instance", queryset=_instances, empty_label="Toutes"
    )
    annee = django_filters.NumberFilter(
        label="Année", field_name="seance__date", lookup_expr="year", min_value=1900, max_value=2200
    )

    class Meta:
        model = Deliberation
        fields = []


NATURES = {"seances": ("Séances et votes", Trace), "actions": ("Actions", Modification)}


class JournalFilter(django_filters.FilterSet):
    """Filters both trails of the journal alike (deliberations.journal.journal applies it to each side of
    its UNION): the page and its CSV file hold the same rows."""

    nature = django_filters.ChoiceFilter(
        label="Objet",
        empty_label="Tous",
        choices=[(cle, libelle) for cle, (libelle, _) in NATURES.items()],
        method="filtrer_nature",
    )
    auteur = django_filters.ModelChoiceFilter(
        label="Par",
        empty_label="Tous",
        queryset=lambda request: (
            User.objects.filter(collectivite=request.user.collectivite_id).order_by("username")
            if request
            else User.objects.none()
        ),
    )
    du = django_filters.DateFilter(
        label="Du", field_name="date", lookup_expr="date__gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    au = django_filters.DateFilter(
        label="Au", field_name="date", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = Trace
        fields = []

    def filtrer_nature(self, queryset, name, valeur):
        return queryset if NATURES[valeur][1] is queryset.model else queryset.none()

    def appliquer(self, queryset):
        """One side of the journal filtered by the valid fields (a wrong one is shown, and left out)."""
        self.is_valid()
        return self.filter_queryset(queryset)
