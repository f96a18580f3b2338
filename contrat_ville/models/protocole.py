"""The strategic frame: the contract's second level and its protocol of commitments (seed 004)."""

from django.db import models

from ..cloisonnement import Cloisonne, CloisonnementCollectivite
from .contrats import Axe, Contrat


class Theme(Cloisonne):
    """The second level under an axe, as a commune's table lists them (« Accès au droit »…)."""

    axe = models.ForeignKey(Axe, on_delete=models.CASCADE, related_name="themes")
    intitule = models.CharField("intitulé", max_length=250)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "thème"
        ordering = ["axe__ordre", "axe__numero", "ordre", "pk"]
        constraints = [models.UniqueConstraint(fields=["axe", "intitule"], name="theme_unique_par_axe")]

    def __str__(self):
        return self.intitule


class EnjeuPrioritaire(Cloisonne):
    """A line of the protocol table: enjeu, strategic objectives, référents, follow-up indicators."""

    contrat = models.ForeignKey(Contrat, on_delete=models.CASCADE, related_name="enjeux_prioritaires")
    intitule = models.CharField("enjeu prioritaire", max_length=200)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)
    objectifs_strategiques = models.TextField("objectifs stratégiques du contrat", blank=True)
    referents = models.CharField("référents", max_length=250, blank=True)
    indicateurs_suivi = models.TextField("indicateurs de suivi", blank=True)

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "enjeu prioritaire"
        verbose_name_plural = "enjeux prioritaires"
        ordering = ["contrat", "ordre", "pk"]

    def __str__(self):
        return self.intitule


class ActionPrevue(Cloisonne):
    """An action the protocol plans under an enjeu (not a funded action: those live in programmation)."""

    enjeu = models.ForeignKey(EnjeuPrioritaire, on_delete=models.CASCADE, related_name="actions_prevues")
    numero = models.PositiveSmallIntegerField("numéro", null=True, blank=True)
    intitule = models.TextField("action prévue")
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "action prévue"
        verbose_name_plural = "actions prévues"
        ordering = ["enjeu", "ordre", "pk"]

    def __str__(self):
        return f"{self.numero}- {self.intitule}" if self.numero else self.intitule


class PointEtape(Cloisonne):
    """One year's « point d'étape » and next year's « perspectives » for a planned action."""

    action_prevue = models.ForeignKey(ActionPrevue, on_delete=models.CASCADE, related_name="points_etape")
    annee = models.PositiveSmallIntegerField("année")
    point_etape = models.TextField("point d'étape", blank=True)
    perspectives = models.TextField("perspectives de l'année suivante", blank=True)

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "point d'étape"
        verbose_name_plural = "points d'étape"
        ordering = ["action_prevue__enjeu__ordre", "action_prevue__ordre", "annee"]
        constraints = [
            models.UniqueConstraint(
                fields=["action_prevue", "annee"],
                name="point_etape_unique_par_annee",
                violation_error_message="Cette action prévue a déjà un point d'étape pour cette année.",
            )
        ]

    def __str__(self):
        return f"{self.action_prevue} ({self.annee})"
