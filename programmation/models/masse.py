"""Many actions at once, with the rules of one: change their status, put them into a draft tranche or
take them out. All or nothing: one refusal and nothing moves, the refusals listed with their reasons.

Each action's own rule is the model's (Action.passer_au_statut, entrer_dans, sortir_de, which change
it in memory and add their history rows to the operation's Changements); here they are written in a few
queries, whatever the number of actions."""

from django.core.exceptions import ValidationError
from django.db import transaction

from ..enums import PEUVENT_ENTRER_EN_TRANCHE, StatutAction
from .changements import Changements


class RefusEnMasse(ValidationError):
    """The actions that cannot move, each with its reason: « intitulé » : raison."""


def appliquer_en_masse(actions, faire, auteur):
    """faire(action, changements) changes one action in memory and returns its history rows, or refuses
    it with a ValidationError. The actions are written only when none is refused, in one transaction;
    returns those that changed (an action already at the asked status has no row and is left as it is)."""
    from .actions import Action

    changements, refus, changees = Changements(auteur), [], []
    for action in actions:
        try:
            changees += [action] if faire(action, changements) else []
        except ValidationError as erreur:
            refus.append(f"« {action.intitule} » : {' '.join(erreur.messages)}")
    # The vote's lock, checked for all of them (two queries) so that every refusal is listed.
    for action, fautifs in Action.erreurs_de_verrou(actions):
        refus.append(f"« {action.intitule} » : {' '.join(fautifs.values())}")
    if refus:
        raise RefusEnMasse(refus)
    changements.enregistrer()
    return changees


class ActionsEnMasse:
    """ActionQuerySet's bulk operations; each locks its rows first (a colleague's change waits)."""

    def pouvant_entrer_dans(self, tranche):
        """The actions a draft tranche may take: its contract and year, in no tranche, not decided yet."""
        return self.filter(
            contrat=tranche.contrat_id,
            annee=tranche.annee,
            tranche__isnull=True,
            statut__in=PEUVENT_ENTRER_EN_TRANCHE,
        )

    def _a_modifier(self):
        # of=self: the tranche is read, not locked (PostgreSQL refuses FOR UPDATE on an outer join).
        return list(self.select_for_update(of=("self",)).select_related("tranche__contrat").order_by("pk"))

    @transaction.atomic
    def changer_statut(self, statut, auteur):
        """Every action to `statut`, through an intermediate status when the workflow requires one
        (déposée → en instruction → proposée): one history row and one version per step."""
        if statut not in StatutAction.values:
            raise RefusEnMasse([f"Statut inconnu : « {statut} »."])

        def faire(action, changements):
            return [action.passer_au_statut(etape, changements) for etape in action.chemin_vers(statut)]

        return appliquer_en_masse(self._a_modifier(), faire, auteur)

    @staticmethod
    def _verrouiller(tranche):
        # Locked while it is composed: a submission or a vote waits for the end of this one.
        tranche = type(tranche).objects.select_for_update(of=("self",)).get(pk=tranche.pk)
        tranche._modifiable()
        return tranche

    @transaction.atomic
    def ajouter_a(self, tranche, auteur):
        tranche = self._verrouiller(tranche)
        return appliquer_en_masse(self._a_modifier(), lambda a, c: a.entrer_dans(tranche, c), auteur)

    @transaction.atomic
    def retirer_de(self, tranche, auteur):
        tranche = self._verrouiller(tranche)
        return appliquer_en_masse(self._a_modifier(), lambda a, c: a.sortir_de(tranche, c), auteur)
