"""The application's lists, built one way: a django-tables2 table per list (TableListe) rendered from its
declared columns by templates/tableau_liste.html, sorted and paged from the address by `configurer`.
Every app's tables.py builds on these."""

import django_tables2 as tables
from django.core.paginator import EmptyPage
from django.http import QueryDict
from django.template.defaultfilters import date
from django.urls import reverse
from django.utils.html import format_html
from django_tables2 import RequestConfig

from .formats import euros


def pluriel(nombre, singulier, pluriel_=None):
    """« 0 action », « 1 action », « 2 actions »: French puts 0 and 1 in the singular."""
    forme = singulier if abs(nombre) < 2 else (pluriel_ or f"{singulier}s")
    return f"{nombre} {forme}"


# Columns a tablet can do without: hidden below 60 rem (see app.css), still in the exports.
SECONDAIRE = {"th": {"class": "secondaire"}, "td": {"class": "secondaire"}, "tf": {"class": "secondaire"}}


MONTANT = {"th": {"class": "montant"}, "td": {"class": "montant"}, "tf": {"class": "montant"}}


class ColonneMontant(tables.Column):
    """An amount in euros, exact to the cent (formats.euros), right-aligned; an unknown one stays empty."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", MONTANT)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return euros(value)


def lien(nom_url, pk, texte):
    """A cell's link to a row's page (`texte` escaped)."""
    return format_html('<a href="{}">{}</a>', reverse(nom_url, args=[pk]), texte)


def jour_fr(valeur):
    """« 16 mai 2024 », as the lists wrote their dates."""
    return date(valeur, "j F Y")


def configurer(request, table, par_page=None, filtre=None):
    """Sorts and pages a list from its address, whatever the address holds; with its filters
    (`filtre`, a FilterSet), an empty list says that none of its rows matches them.

    ?sort= names a column (anything else, `__class__` included, is ignored by the table); ?page= gives
    the first page when it is not a number and the last one past the end. The page size is the list's
    own: ?per_page= is not read (0 would divide by zero, 10 000 would read the whole table)."""
    RequestConfig(request, paginate=False).configure(table)
    if filtre is not None and filtres_de(request, filtre):
        table.empty_text = "Aucune ligne ne correspond à ces filtres."
    if par_page:
        try:
            page = int(request.GET.get(table.prefixed_page_field, 1))
        except (TypeError, ValueError):
            page = 1
        try:
            table.paginate(page=page, per_page=par_page)
        except EmptyPage:  # past the end, or below 1
            table.paginate(page=table.paginator.num_pages, per_page=par_page)
    return table


def filtres_de(request, filterset):
    """The address's filters only (not its page, sort or export), for a link that keeps them: the CSV
    file holds what the page's filters select."""
    filtres = QueryDict(mutable=True)
    for nom in filterset.filters:
        if valeurs := [valeur for valeur in request.GET.getlist(nom) if valeur]:
            filtres.setlist(nom, valeurs)
    return filtres.urlencode()


class TableListe(tables.Table):
    """A list of the application: cards on a phone (each cell after its column's name, see app.css),
    a caption (`legende`, read aloud; `legende_cachee` keeps it out of sight), sortable headers.

    Cells left empty stay empty (`default=""`), as the hand-written lists had them.

    `colonnes_reservees` ({column: permission}) names the columns of buttons or forms that only whoever
    holds the permission sees: the table is built with the page's `user` and leaves the others out."""

    legende = ""
    legende_cachee = True
    colonnes_reservees: dict[str, str] = {}

    def __init__(self, *args, user=None, **kwargs):
        refusees = tuple(
            colonne
            for colonne, permission in self.colonnes_reservees.items()
            if user is None or not user.has_perm(permission)
        )
        super().__init__(*args, exclude=tuple(kwargs.pop("exclude", None) or ()) + refusees, **kwargs)

    class Meta:
        template_name = "tableau_liste.html"
        attrs = {"class": "liste cartes"}
        default = ""
