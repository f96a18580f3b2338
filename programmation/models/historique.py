"""The history of actions' changes: one row per changed field, who, when, from what to what; and how an
action's values are written there."""

from decimal import Decimal

from django.db import models
from django.utils import timezone

from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite
from contrat_ville.formats import euros


class Modification(Cloisonne):
    """The history of an action: who changed which amount or status, when, from what to what."""

    # Named, not imported: actions.py and tranches.py import this module to write the history.
    action = models.ForeignKey("Action", on_delete=models.CASCADE, related_name="modifications")
    auteur = models.ForeignKey("contrat_ville.User", on_delete=models.SET_NULL, null=True, related_name="+")
    date = models.DateTimeField("date", default=timezone.now)
    champ = models.CharField("champ", max_length=60)
    avant = models.TextField("avant", blank=True)
    apres = models.TextField("après", blank=True)

    class Meta:
        triggers = [CloisonnementCollectivite()]
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.action} : {self.champ} {self.avant} → {self.apres}"


def texte_historique(valeur):
    """A value as the history of changes writes it (amounts in French format, a choice by its label)."""
    if valeur is None:
        return ""
    if isinstance(valeur, Decimal):
        return euros(valeur)
    if isinstance(valeur, models.Choices):
        return str(valeur.label)
    return str(valeur)


class HistoriqueAction(models.Model):
    """Action's part about the texts its history writes; abstract, so the model's migrations do not see it."""

    class Meta:
        abstract = True

    SUIVIS = (
        "intitule",
        "porteur",
        "axe",
        "tranche",
        "territoire",
        "cout",
        "contribution",
        "section",
        "statut",
    )

    def texte(self, champ):
        """A field's value as the history writes it."""
        # A field with choices (statut, section) is written by its label: « Déposée », not « deposee ».
        champ_modele, valeur = self._meta.get_field(champ), getattr(self, champ)
        if champ_modele.choices and valeur is not None:
            return texte_historique(getattr(self, f"get_{champ}_display")())
        # An amount given as an integer is still written as an amount.
        if isinstance(champ_modele, models.DecimalField) and valeur is not None:
            return euros(valeur)
        return texte_historique(valeur)

    def instantane(self):
        """The followed values, as text, with the cofinancements: compared after a change."""
        valeurs = {champ: self.texte(champ) for champ in self.SUIVIS}
        if self.pk:
            cofinancements = self.cofinancements.all()
            if "cofinancements" not in getattr(self, "_prefetched_objects_cache", {}):
                cofinancements = cofinancements.select_related("financeur")
            for c in cofinancements:
                valeurs[f"cofinancement {c.financeur}"] = texte_historique(c.montant_retenu)
        return valeurs
