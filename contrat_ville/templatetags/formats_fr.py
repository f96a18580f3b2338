from django import template

from contrat_ville.formats import euros as formater_euros
from contrat_ville.models import majuscules as en_majuscules

register = template.Library()


@register.filter
def euros(montant):
    return formater_euros(montant)


@register.filter
def majuscules(texte):
    return en_majuscules(str(texte))
