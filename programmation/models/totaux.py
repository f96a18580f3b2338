"""The totals a source document states for a tranche, kept for the checks to compare with its lines."""

from django.db import models

from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite
from contrat_ville.enums import Section
from contrat_ville.models import MONTANT, Axe

from ..enums import NatureTotal
from .tranches import Tranche


class TotalDeclare(Cloisonne):
    """A total as a source document states it, kept so that the checks can compare it with the lines."""

    tranche = models.ForeignKey(Tranche, on_delete=models.CASCADE, related_name="totaux_declares")
    nature = models.CharField("nature", max_length=20, choices=NatureTotal.choices)
    axe = models.ForeignKey(
        Axe,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Vide : total général.",
    )
    section = models.CharField("section", max_length=20, choices=Section.choices, blank=True)
    maitrise_ouvrage_collectivite = models.BooleanField(
        "porte sur les actions en maîtrise d'ouvrage", default=False
    )
    libelle = models.CharField("libellé tel qu'écrit", max_length=300)
    nombre_actions = models.PositiveSmallIntegerField("nombre d'actions", null=True, blank=True)
    # MONTANT is a plain dict (contrat_ville/models): the stubs cannot match it to DecimalField's arguments.
    cout = models.DecimalField("coût", **MONTANT, null=True, blank=True)  # type: ignore[arg-type]
    montant = models.DecimalField("montant accordé", **MONTANT, null=True, blank=True)  # type: ignore[arg-type]
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "total déclaré"
        verbose_name_plural = "totaux déclarés"
        ordering = ["tranche", "nature", "ordre"]

    def __str__(self) -> str:
        return self.libelle
