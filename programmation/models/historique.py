"""The history of actions' changes: one row per changed field, who, when, from what to what."""

from django.db import models
from django.utils import timezone

from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite


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
