"""Cofinancements: what other financeurs put into an action, requested then granted."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite
from contrat_ville.models import MONTANT, Financeur

from ..enums import StatutTranche
from .actions import Action
from .garde import _MODIFICATIVE, MESSAGE_VERROU, GardeVerrouQuerySet
from .verrou import VerrouCofinancement


class CofinancementQuerySet(GardeVerrouQuerySet):
    chemin_tranche = "action__tranche"
    champs_verrouilles = (
        "montant_sollicite",
        "montant_accorde",
        "action",
        "action_id",
        "financeur",
        "financeur_id",
    )
    entree = ("action", "tranche")


class Cofinancement(Cloisonne):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="cofinancements")
    financeur = models.ForeignKey(Financeur, on_delete=models.PROTECT, related_name="+")
    montant_sollicite = models.DecimalField("montant sollicité", **MONTANT, null=True, blank=True)
    montant_accorde = models.DecimalField("montant accordé", **MONTANT, null=True, blank=True)

    objects = CofinancementQuerySet.as_manager()

    class Meta:
        ordering = ["action", "financeur__nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "financeur"],
                name="cofinancement_unique",
                violation_error_message="Ce financeur figure déjà sur cette action.",
            ),
            models.CheckConstraint(
                condition=(Q(montant_sollicite__isnull=True) | Q(montant_sollicite__gte=0))
                & (Q(montant_accorde__isnull=True) | Q(montant_accorde__gte=0)),
                name="cofinancement_montants_positifs",
                violation_error_message="Les montants d'un cofinancement ne peuvent pas être négatifs.",
            ),
        ]
        triggers = [CloisonnementCollectivite(), VerrouCofinancement()]

    def __str__(self):
        return f"{self.financeur} — {self.action}"

    @property
    def montant_retenu(self):
        """Granted, else requested (MONTANT_RETENU is the same rule in SQL)."""
        return self.montant_accorde if self.montant_accorde is not None else self.montant_sollicite

    def save(self, *args, **kwargs):
        Cofinancement.verifier_verrou([self])
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.action.montants_verrouilles and not _MODIFICATIVE.get():
            raise ValidationError(MESSAGE_VERROU.format(tranche=self.action.tranche))
        return super().delete(*args, **kwargs)

    def clean(self):
        Cofinancement.verifier_verrou([self])

    CHAMPS = ("action_id", "financeur_id", "montant_sollicite", "montant_accorde")

    @classmethod
    def verifier_verrou(cls, cofinancements):
        """Refuses adding, moving or changing a cofinancement of a voted tranche's action (two queries)."""
        if _MODIFICATIVE.get():
            return
        avant = {
            ligne["pk"]: ligne
            for ligne in cls._base_manager.filter(pk__in=[c.pk for c in cofinancements if c.pk]).values(
                "pk", *cls.CHAMPS
            )
        }
        concernees = {c.action_id for c in cofinancements} | {a["action_id"] for a in avant.values()}
        votees = set(
            Action.objects.filter(pk__in=concernees, tranche__statut=StatutTranche.VOTEE).values_list(
                "pk", flat=True
            )
        )
        for cofinancement in cofinancements:
            ancien = avant.get(cofinancement.pk)
            actions = {cofinancement.action_id, ancien and ancien["action_id"]} & votees
            change = ancien is None or any(ancien[c] != getattr(cofinancement, c) for c in cls.CHAMPS)
            if actions and change:
                tranche = Action.objects.get(pk=actions.pop()).tranche
                raise ValidationError(MESSAGE_VERROU.format(tranche=tranche))
