"""The one date format of the pages (« 16 mai 2024 »), for programmation's templates."""

from django import template

from contrat_ville import formats

register = template.Library()


@register.filter
def date_fr(valeur):
    return formats.date_fr(valeur)
