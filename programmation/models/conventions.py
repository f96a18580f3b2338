"""Conventions with porteurs (loi 2000-321 art. 10, or the authority's own rules) and their yearly amounts;
their text's model is in modeles_convention.py, their payments and what is due in paiements.py."""

import datetime
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite, CloisonneQuerySet
from contrat_ville.formats import euros
from contrat_ville.models import MONTANT

from ..enums import StatutAction, StatutConvention
from .actions import Action
from .montants import somme


class ConventionQuerySet(CloisonneQuerySet):
    def visibles_par(self, user):
        return self.filter(action__contrat__collectivite=user.collectivite_id)

    def approuvees_par(self, tranche):
        """The drafts a vote of this tranche approves: its actions' conventions still to sign."""
        return self.filter(action__tranche=tranche, statut=StatutConvention.A_SIGNER).order_by("pk")

    def with_montant(self):
        return self.annotate(montant_total=somme("echeances__montant"))

    def creer_pour(self, action):
        """The convention an action needs, with its yearly amounts: one year, or the CPO's years."""
        if Convention.objects.filter(action=action).exists():
            raise ValidationError(f"« {action} » a déjà une convention.")
        if action.maitrise_ouvrage_collectivite:
            raise ValidationError("Une action portée par la collectivité elle-même n'a pas de convention.")
        if action.statut in (StatutAction.REFUSEE, StatutAction.ABANDONNEE):
            raise ValidationError(
                f"« {action} » est {action.get_statut_display().lower()} : pas de convention."
            )
        if action.contribution <= 0:
            raise ValidationError(f"« {action} » n'a pas de subvention à conventionner.")
        duree = action.contrat.annee_fin - action.annee + 1 if action.convention_pluriannuelle else 1
        convention = self.create(
            action=action,
            objet=action.intitule,
            annee_debut=action.annee,
            duree_annees=max(duree, 1),
            reference_deliberation=action.tranche.acte_de_vote if action.tranche_id else "",
        )
        EcheanceConvention.objects.bulk_create(
            EcheanceConvention(convention=convention, annee=annee, montant=montant)
            for annee, montant in repartir(action.contribution, action.annee, convention.duree_annees)
        )
        return convention


def repartir(total, premiere_annee, duree):
    """Equal yearly shares to the cent, the rounding left on the first year (the agent may change them)."""
    part = (total / duree).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    parts = [total - part * (duree - 1)] + [part] * (duree - 1)
    return [(premiere_annee + i, montant) for i, montant in enumerate(parts)]


class Convention(Cloisonne):
    action = models.OneToOneField(Action, on_delete=models.PROTECT, related_name="convention")
    objet = models.CharField("objet", max_length=300)
    annee_debut = models.PositiveSmallIntegerField("premier exercice")
    duree_annees = models.PositiveSmallIntegerField(
        "durée (années)", default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    pourcentage_avance = models.DecimalField(
        "avance à la signature (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    reference_deliberation = models.CharField(
        "délibération d'attribution",
        max_length=250,
        blank=True,
        help_text="Reprise de l'acte de vote de la tranche.",
    )
    statut = models.CharField(
        "statut", max_length=10, choices=StatutConvention.choices, default=StatutConvention.A_SIGNER
    )
    date_signature = models.DateField("signée le", null=True, blank=True)
    creee_le = models.DateTimeField("créée le", auto_now_add=True)

    objects = ConventionQuerySet.as_manager()

    class Meta:
        triggers = [CloisonnementCollectivite()]
        ordering = ["-annee_debut", "action__porteur__nom"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pourcentage_avance__gte=0) & Q(pourcentage_avance__lte=100),
                name="convention_avance_en_pourcentage",
                violation_error_message="L'avance est un pourcentage entre 0 et 100.",
            ),
            models.CheckConstraint(
                condition=Q(statut=StatutConvention.A_SIGNER) | Q(date_signature__isnull=False),
                name="convention_signee_avec_date",
                violation_error_message="Une convention signée porte sa date de signature.",
            ),
        ]

    def __str__(self):
        return f"Convention {self.annee_debut} — {self.objet} / {self.action.porteur}"

    @property
    def annee_fin(self):
        return self.annee_debut + self.duree_annees - 1

    @property
    def porteur(self):
        return self.action.porteur

    def signer(self, date, auteur, aujourd_hui=None):
        """Records the signature; the voted action then becomes « conventionnée »."""
        aujourd_hui = aujourd_hui or datetime.date.today()
        if self.statut != StatutConvention.A_SIGNER:
            raise ValidationError(f"Cette convention est déjà {self.get_statut_display().lower()}.")
        if date > aujourd_hui:
            raise ValidationError("La date de signature ne peut pas être dans le futur.")
        if date.year < self.annee_debut - 1:
            raise ValidationError(
                f"Une convention de l'exercice {self.annee_debut} n'a pu être signée en {date.year}."
            )
        self.statut = StatutConvention.SIGNEE
        self.date_signature = date
        self.save(update_fields=["statut", "date_signature"])
        if self.action.statut == StatutAction.VOTEE:
            self.action.changer_statut(StatutAction.CONVENTIONNEE, auteur)


class EcheanceConvention(Cloisonne):
    """The amount of one year of a convention."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="echeances")
    annee = models.PositiveSmallIntegerField("exercice")
    montant = models.DecimalField("montant", **MONTANT)

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "montant annuel"
        verbose_name_plural = "montants annuels"
        ordering = ["convention", "annee"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "annee"], name="echeance_une_par_annee"),
            models.CheckConstraint(
                condition=Q(montant__gte=0),
                name="echeance_montant_positif",
                violation_error_message="Un montant annuel ne peut pas être négatif.",
            ),
        ]

    def __str__(self):
        return f"{self.annee} : {euros(self.montant)}"
