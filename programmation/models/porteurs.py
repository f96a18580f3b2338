"""The porteurs: the organisations carrying actions, with their SIRET or RNA."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite, CloisonneQuerySet
from contrat_ville.models import Collectivite
from contrat_ville.validators import valider_rna, valider_siret

from ..enums import STATUTS_ACCORDES, NaturePorteur
from ..recherche import contient
from .montants import somme


class PorteurQuerySet(CloisonneQuerySet):
    def recherche(self, texte):
        """By name, whatever the accents and the case (read from the name's trigram index)."""
        return self.filter(contient("nom", texte))

    def avec_total_accorde(self):
        """total_accorde: the subsidies granted by a vote over all years and contracts (the authority's
        own actions as maître d'ouvrage apart), 0 when none; premiere_annee, derniere_annee of those."""
        accordees = Q(actions__maitrise_ouvrage_collectivite=False, actions__statut__in=STATUTS_ACCORDES)
        return self.annotate(
            total_accorde=somme("actions__contribution", accordees),
            premiere_annee=models.Min("actions__annee", filter=accordees),
            derniere_annee=models.Max("actions__annee", filter=accordees),
        )


class Porteur(Cloisonne):
    """The organisation carrying actions; the same porteur across years and contracts."""

    objects = PorteurQuerySet.as_manager()

    collectivite = models.ForeignKey(
        Collectivite, verbose_name="collectivité", on_delete=models.PROTECT, related_name="porteurs"
    )
    nom = models.CharField("nom", max_length=200)
    nature = models.CharField("nature", max_length=25, choices=NaturePorteur.choices)
    siret = models.CharField(
        "SIRET", max_length=14, blank=True, validators=[valider_siret], help_text="14 chiffres."
    )
    rna = models.CharField(
        "numéro RNA",
        max_length=10,
        blank=True,
        validators=[valider_rna],
        help_text="W + 9 chiffres.",
    )
    commune = models.CharField("commune", max_length=120, blank=True)

    class Meta:
        ordering = ["nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["collectivite", "nom"],
                name="porteur_nom_unique",
                violation_error_message="Un porteur de ce nom existe déjà.",
            ),
            models.CheckConstraint(
                condition=Q(siret="") | Q(siret__regex=r"^[0-9]{14}$"),
                name="porteur_siret_14_chiffres",
                violation_error_message="Le SIRET doit comporter 14 chiffres.",
            ),
            models.CheckConstraint(
                condition=Q(rna="") | Q(rna__regex=r"^W[0-9]{9}$"),
                name="porteur_rna_format",
                violation_error_message="Le numéro RNA doit être un W suivi de 9 chiffres.",
            ),
        ]
        triggers = [CloisonnementCollectivite()]

    def __str__(self):
        return self.nom

    @property
    def identifie(self):
        return bool(self.siret or self.rna)

    @property
    def anomalie_identifiant(self):
        """Why the porteur cannot be named in open data (SCDL wants a valid SIRET or RNA); "" when it can."""
        if not self.identifie:
            return "ni SIRET ni RNA"
        try:
            if self.siret:
                valider_siret(self.siret)
        except ValidationError:
            return f"SIRET {self.siret} invalide"
        return ""
