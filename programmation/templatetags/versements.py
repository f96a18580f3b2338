"""The convention and payments block of the action and porteur pages (figures summed in SQL)."""

from django import template

from ..enums import StatutAction
from ..forms_conventions import PaiementForm
from ..models import Action, Convention, totaux_versements

register = template.Library()

# Granted by a vote: what can be paid.
ACCORDEES = [StatutAction.VOTEE, StatutAction.CONVENTIONNEE, StatutAction.SOLDEE]


@register.inclusion_tag("programmation/conventions/_versements_action.html", takes_context=True)
def versements_action(context, action):
    return {
        "action": action,
        "perms": context.get("perms"),
        "csrf_token": context.get("csrf_token"),
        "convention": Convention.objects.filter(action=action).with_montant().first(),
        "paiements": action.paiements.all(),
        "totaux": totaux_versements(Action.objects.filter(pk=action.pk)),
        "formulaire": PaiementForm(),
    }


@register.inclusion_tag("programmation/conventions/_versements_porteur.html")
def versements_porteur(porteur):
    actions = porteur.actions.subventions().filter(statut__in=ACCORDEES)
    return {
        "totaux": totaux_versements(actions),
        "conventions": Convention.objects.filter(action__porteur=porteur)
        .with_montant()
        .select_related("action"),
    }
