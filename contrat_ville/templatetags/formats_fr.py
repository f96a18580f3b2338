from django import template

from contrat_ville.formats import euros as formater_euros

register = template.Library()


@register.filter
def euros(montant):
    return formater_euros(montant)
