from django import template

from programmation.evaluation.rapport import nombre_fr

register = template.Library()


@register.filter
def nombre(valeur):
    """1977 -> « 1 977 » (narrow no-break space), as the reports write head counts; None stays empty."""
    return "" if valeur is None or valeur == "" else nombre_fr(valeur)
