import re

from django import template
from django.template.defaultfilters import linebreaksbr

from contrat_ville.formats import euros as formater_euros
from contrat_ville.formats import nombre as formater_nombre
from contrat_ville.models import majuscules as en_majuscules

register = template.Library()


@register.filter
def euros(montant):
    return formater_euros(montant)


@register.filter
def nombre(valeur):
    return formater_nombre(valeur)


@register.filter
def majuscules(texte):
    return en_majuscules(str(texte))


@register.filter(is_safe=True, needs_autoescape=True)
def lignes(texte, autoescape=True):
    """Line breaks kept, blank lines dropped: dense tables stay short (fewer pages to lay out)."""
    return linebreaksbr(re.sub(r"\n\s*\n", "\n", str(texte or "")), autoescape)
