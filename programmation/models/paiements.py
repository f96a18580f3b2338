"""Payments of the conventions' yearly amounts, and what is due.

When is a payment due? Each year of a signed convention has an amount, paid in two parts:
- the advance (`pourcentage_avance` of the year's amount) is due at signature for the first year,
  and on 1 January of each following year;
- the balance is due once the compte rendu financier is due: six months after the year's end
  (30 June of the next year, CERFA 15059). Waiting for the document is the porteur's part; after that
  date an unpaid balance counts as late so that it is chased, whichever side holds it up.
Nothing is due before signature. « En retard » is what is due and not yet paid.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest, Round

from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite, CloisonneQuerySet
from contrat_ville.formats import date_fr, euros
from contrat_ville.models import MONTANT

from ..enums import NaturePaiement, StatutAction, StatutConvention
from ..evaluation.models import echeance
from .actions import Action
from .conventions import EcheanceConvention
from .montants import ZERO, somme


def annee_des_soldes_dus(jour):
    """The last year whose balance is due on `jour`: its compte rendu financier, due with its bilans."""
    return jour.year - 1 if jour > echeance(jour.year - 1) else jour.year - 2


def _du_le(jour):
    """SQL: what one yearly row has made due by `jour` (advance, then balance; see the module's doc)."""
    avance = Round(F("montant") * F("convention__pourcentage_avance") / Value(Decimal(100)), 2)
    avance_due = Q(annee__lte=jour.year) | Q(annee=F("convention__annee_debut"))
    return Case(When(avance_due, then=avance), default=ZERO) + Case(
        When(annee__lte=annee_des_soldes_dus(jour), then=F("montant") - avance), default=ZERO
    )


def annoter_versements(actions, jour=None):
    """Granted, paid, due and late amounts per action, each a subquery summed by the database."""
    jour = jour or datetime.date.today()
    paye = (
        Paiement.objects.filter(action=OuterRef("pk"))
        .order_by()  # the default ordering would join the action's tables into every subquery
        .values("action")
        .annotate(total=Sum("montant"))
        .values("total")
    )
    du = (
        EcheanceConvention.objects.filter(
            convention__action=OuterRef("pk"),
            convention__date_signature__lte=jour,
            convention__statut=StatutConvention.SIGNEE,
        )
        .order_by()
        .values("convention__action")
        .annotate(total=Sum(_du_le(jour)))
        .values("total")
    )
    return actions.annotate(
        montant_verse=Coalesce(Subquery(paye), ZERO),
        montant_echu=Coalesce(Subquery(du), ZERO),
    ).annotate(
        montant_reste=F("contribution") - F("montant_verse"),
        montant_en_retard=Greatest(F("montant_echu") - F("montant_verse"), ZERO),
    )


def totaux_versements(actions, jour=None):
    """The same figures summed over a set of actions (a porteur's, a year's)."""
    return annoter_versements(actions, jour).aggregate(
        accorde=somme("contribution"),
        verse=somme("montant_verse"),
        echu=somme("montant_echu"),
        reste_a_verser=somme("montant_reste"),
        en_retard=somme("montant_en_retard"),
    )


class PaiementQuerySet(CloisonneQuerySet):
    def visibles_par(self, user):
        return self.filter(action__contrat__collectivite=user.collectivite_id)

    @transaction.atomic
    def enregistrer(self, action, *, nature, date, montant, reference="", auteur=None, aujourd_hui=None):
        """A payment, refused when it would take the action past its grant."""
        aujourd_hui = aujourd_hui or datetime.date.today()
        # The action's row locked: two agents paying at once cannot both pass the check.
        action = Action.objects.select_for_update().get(pk=action.pk)
        if action.statut not in (StatutAction.VOTEE, StatutAction.CONVENTIONNEE):
            raise ValidationError(
                f"« {action} » est « {action.get_statut_display()} » : seule une action votée ou "
                "conventionnée reçoit des versements."
            )
        if montant is None or montant <= 0:
            raise ValidationError("Le montant d'un versement doit être positif.")
        if date > aujourd_hui:
            raise ValidationError(
                "Un versement s'enregistre une fois fait : sa date ne peut pas être future."
            )
        paiement = self.model(
            action=action, nature=nature, date=date, montant=montant, reference=reference, saisi_par=auteur
        )
        paiement.verifier_plafond()
        paiement.save()
        return paiement


class Paiement(Cloisonne):
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="paiements")
    nature = models.CharField("nature", max_length=10, choices=NaturePaiement.choices)
    date = models.DateField("date du versement")
    montant = models.DecimalField("montant", **MONTANT)
    reference = models.CharField("référence (n° de mandat)", max_length=60, blank=True)
    saisi_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    saisi_le = models.DateTimeField("saisi le", auto_now_add=True)

    objects = PaiementQuerySet.as_manager()

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "versement"
        ordering = ["action", "date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(montant__gt=0),
                name="paiement_montant_positif",
                violation_error_message="Le montant d'un versement doit être positif.",
            )
        ]

    def __str__(self):
        return f"{self.get_nature_display()} du {date_fr(self.date)} : {euros(self.montant)}"

    def clean(self):
        if self.action_id and self.montant:
            self.verifier_plafond()

    def verifier_plafond(self):
        """Never more paid than granted (the other payments of the action plus this one)."""
        action = self.action
        deja = action.paiements.exclude(pk=self.pk).aggregate(total=somme("montant"))["total"]
        if deja + self.montant > action.contribution:
            raise ValidationError(
                f"Versement refusé : {euros(self.montant)} porteraient les versements à "
                f"{euros(deja + self.montant)}, au-delà des {euros(action.contribution)} accordés "
                f"(déjà versé : {euros(deja)} ; reste à verser : {euros(action.contribution - deja)})."
            )
