"""The priority neighbourhoods (quartiers) of the authority."""

from django.db import models
from django.db.models import Q

from ..cloisonnement import Cloisonne, CloisonnementCollectivite
from ..enums import NatureQuartier
from ..validators import valider_code_quartier
from .collectivites import Collectivite


class Quartier(Cloisonne):
    collectivite = models.ForeignKey(
        Collectivite,
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="quartiers",
    )
    code = models.CharField(
        "code quartier",
        max_length=8,
        blank=True,
        validators=[valider_code_quartier],
        help_text="QP042xxx (2015-2023) ou QN042xxX (depuis 2024). Vide s'il n'est pas connu.",
    )
    nom = models.CharField("nom", max_length=200)
    commune = models.CharField("commune", max_length=120)
    nature = models.CharField("nature", max_length=5, choices=NatureQuartier.choices)

    class Meta:
        triggers = [CloisonnementCollectivite()]
        ordering = ["commune", "nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="quartier_code_unique",
                violation_error_message="Un quartier porte déjà ce code.",
            ),
            models.UniqueConstraint(
                fields=["collectivite", "commune", "nom"], name="quartier_nom_unique_par_commune"
            ),
        ]

    def __str__(self):
        return f"{self.commune} : {self.nom}"
