"""The modificative: the lines that change a voted tranche's amounts, and how a délibération writes them.

Once voted, each line asks the action to change its amount (Action.modifier, modificative=True): the
one change a voted amount accepts, written with the action's history by programmation."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite
from contrat_ville.formats import euros
from contrat_ville.models import MONTANT
from programmation.models import Action, somme


class ModificativeDeliberation(models.Model):
    """Deliberation's part about its modificative lines; abstract, so the model's migrations do not see it."""

    class Meta:
        abstract = True

    def corriger(self, action, montant_apres):
        """A line of the modificative: this action's amount becomes montant_apres once voted."""
        self._en_projet()
        ligne = self.lignes.filter(action=action).first() or LigneModificative(
            deliberation=self, action=action
        )
        ligne.montant_avant = action.contribution
        ligne.montant_apres = montant_apres
        ligne.full_clean()
        ligne.save()
        return ligne

    def totaux_modificative(self):
        return self.lignes.aggregate(
            avant=somme("montant_avant"),
            apres=somme("montant_apres"),
            difference=somme(F("montant_apres") - F("montant_avant")),
        )


class LigneModificative(Cloisonne):
    """One action's amount, before and after a modificative."""

    # Named, not imported: deliberations.py builds on this module.
    deliberation = models.ForeignKey("Deliberation", on_delete=models.CASCADE, related_name="lignes")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="+")
    montant_avant = models.DecimalField("montant voté", **MONTANT)
    montant_apres = models.DecimalField("nouveau montant", **MONTANT)

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "ligne de modificative"
        ordering = ["deliberation", "action__ordre", "action__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation", "action"],
                name="ligne_modificative_unique",
                violation_error_message="Cette action figure déjà dans la modificative.",
            ),
            models.CheckConstraint(
                condition=Q(montant_apres__gte=0),
                name="ligne_modificative_positive",
                violation_error_message="Le nouveau montant ne peut pas être négatif.",
            ),
        ]

    def __str__(self):
        return f"{self.action} : {euros(self.montant_avant)} → {euros(self.montant_apres)}"

    @property
    def difference(self):
        return self.montant_apres - self.montant_avant

    def clean(self):
        if self.action.tranche_id != self.deliberation.tranche_corrigee_id:
            raise ValidationError(
                f"« {self.action} » n'est pas dans la tranche que corrige cette modificative."
            )
        if (
            self.montant_apres is not None
            and self.action.cout is not None
            and self.montant_apres > self.action.cout
        ):
            raise ValidationError(
                {
                    "montant_apres": "Le nouveau montant dépasse le coût de l'action "
                    f"({euros(self.action.cout)})."
                }
            )

    def appliquer(self, deliberation, auteur):
        """The only way to change a locked amount: written as the action's history."""
        action = Action.objects.select_for_update().get(pk=self.action_id)
        if action.contribution != self.montant_avant:
            raise ValidationError(
                f"Le montant de « {action} » est de {euros(action.contribution)} et non plus de "
                f"{euros(self.montant_avant)} : revoyez la ligne avant le vote."
            )
        action.modifier(
            auteur,
            contribution=self.montant_apres,
            motif=f"délibération n°{deliberation.numero}",
            modificative=True,
        )
