"""Tranches: the batches of a contract's actions put to a vote, with their queryset and manager.

Actions know nothing of séances: a vote tells the tranche to lock itself (`Tranche.verrouiller`).
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import timezone

from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite, CloisonneQuerySet
from contrat_ville.models import Contrat

from ..enums import StatutAction, StatutTranche
from .changements import Changements
from .garde import MESSAGE_VERROU
from .masse import appliquer_en_masse
from .montants import somme
from .verrou import VerrouTranche


class TrancheQuerySet(CloisonneQuerySet):
    def update(self, **valeurs):
        if {"statut", "contrat", "contrat_id", "annee", "numero"} & set(valeurs):
            self._refuser_si_votee()
        return super().update(**valeurs)

    def delete(self):
        self._refuser_si_votee()
        return super().delete()

    def _refuser_si_votee(self):
        votee = self.filter(statut=StatutTranche.VOTEE).first()
        if votee is not None:
            raise ValidationError(MESSAGE_VERROU.format(tranche=votee))

    def visibles_par(self, user):
        """A user sees the tranches of their own authority only."""
        return self.filter(contrat__collectivite=user.collectivite_id)

    def creer_suivante(self, contrat, annee):
        """The year's next tranche of a contract, as a draft."""
        dernier = self.filter(contrat=contrat, annee=annee).aggregate(n=models.Max("numero"))["n"] or 0
        return self.create(
            contrat=contrat,
            annee=annee,
            numero=dernier + 1,
            intitule=f"Programmation {annee} — tranche {dernier + 1}",
        )

    def with_totaux(self):
        subventions = Q(actions__maitrise_ouvrage_collectivite=False)
        return self.annotate(
            nombre_actions=Count("actions", filter=subventions),
            # Tells a cost total of 0 € from a total of unknown costs (« non renseigné »).
            couts_connus=Count("actions__cout", filter=subventions),
            total_cout=somme("actions__cout", subventions),
            total_contribution=somme("actions__contribution", subventions),
        )


class TrancheManager(models.Manager.from_queryset(TrancheQuerySet)):
    def get_queryset(self):
        # A tranche is always named after its contract.
        return super().get_queryset().select_related("contrat")


class Tranche(Cloisonne):
    contrat = models.ForeignKey(Contrat, on_delete=models.PROTECT, related_name="tranches")
    annee = models.PositiveSmallIntegerField("année")
    numero = models.PositiveSmallIntegerField("numéro")
    intitule = models.CharField("intitulé", max_length=250, blank=True)
    statut = models.CharField(
        "statut", max_length=20, choices=StatutTranche.choices, default=StatutTranche.BROUILLON
    )
    # When the vote was recorded (the journal's time); votee_le is the séance's date, shown on the pages.
    verrouillee_le = models.DateTimeField("verrouillée le", null=True, blank=True, editable=False)
    votee_le = models.DateField("votée le", null=True, blank=True, editable=False)
    acte_de_vote = models.CharField(
        "acte de vote",
        max_length=250,
        blank=True,
        help_text="Renseigné par le vote : « Délibération n°2024.00230 du Bureau Métropolitain… ».",
    )

    objects = TrancheManager()

    class Meta:
        ordering = ["contrat", "-annee", "numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["contrat", "annee", "numero"],
                name="tranche_unique_par_contrat_et_annee",
                violation_error_message="Ce contrat a déjà une tranche de ce numéro pour cette année.",
            )
        ]
        triggers = [CloisonnementCollectivite(), VerrouTranche()]

    def __str__(self):
        return f"{self.contrat.intitule} — {self.annee} T{self.numero}"

    @property
    def est_verrouillee(self):
        return self.statut == StatutTranche.VOTEE

    def save(self, *args, **kwargs):
        self.clean()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk and Tranche.objects.filter(pk=self.pk, statut=StatutTranche.VOTEE).exists():
            raise ValidationError(MESSAGE_VERROU.format(tranche=self))
        return super().delete(*args, **kwargs)

    def clean(self):
        # Only a modificative changes a voted tranche: not its status, contract, year or number either.
        avant = (
            Tranche.objects.filter(pk=self.pk).values("statut", "contrat", "annee", "numero").first()
            if self.pk
            else None
        )
        if avant and avant["statut"] == StatutTranche.VOTEE:
            apres = {
                "statut": self.statut,
                "contrat": self.contrat_id,
                "annee": self.annee,
                "numero": self.numero,
            }
            if avant != apres:
                raise ValidationError(MESSAGE_VERROU.format(tranche=self))

    def _modifiable(self):
        if self.statut != StatutTranche.BROUILLON:
            raise ValidationError(
                f"La tranche {self.annee} T{self.numero} est « {self.get_statut_display()} » : "
                "seule une tranche en brouillon se compose."
            )

    def ajouter(self, action, auteur=None):
        """One action in (to « Proposée » on the way when the workflow allows it): the bulk rule for one."""
        self._modifiable()
        appliquer_en_masse([action], lambda a, c: a.entrer_dans(self, c), auteur)

    def retirer(self, action, auteur=None):
        self._modifiable()
        appliquer_en_masse([action], lambda a, c: a.sortir_de(self, c), auteur)

    def soumettre(self, constats):
        """Sent to the séance: only with actions, and no blocking finding."""
        self._modifiable()
        if not self.actions.exists():
            raise ValidationError("Une tranche vide ne peut pas être soumise.")
        bloquants = [c for c in constats if c.bloquant]
        if bloquants:
            raise ValidationError(
                f"{len(bloquants)} anomalie(s) bloquante(s) à corriger avant de soumettre la tranche."
            )
        self.statut = StatutTranche.SOUMISE
        self.save(update_fields=["statut"])

    @transaction.atomic
    def verrouiller(self, acte_de_vote, le=None, auteur=None):
        """Called by the vote that adopts this tranche: from then on its amounts are frozen.

        le: the date of the vote (the séance's), which the pages show; today when not given."""
        self.statut = StatutTranche.VOTEE
        self.verrouillee_le = timezone.now()
        self.votee_le = le or timezone.localdate()
        self.acte_de_vote = acte_de_vote
        self.save(update_fields=["statut", "verrouillee_le", "votee_le", "acte_de_vote"])
        # Locked: a colleague's change to one of them waits, then finds it voted (its version moved).
        proposees = self.actions.filter(statut=StatutAction.PROPOSEE).select_for_update(of=("self",))
        # Each action's history says it was voted, and by which act.
        textes = [("statut", StatutAction.PROPOSEE.label, f"{StatutAction.VOTEE.label} ({acte_de_vote})")]
        changements = Changements(auteur)
        for action in proposees:
            changements.changer(action, textes, statut=StatutAction.VOTEE)
        changements.enregistrer()
