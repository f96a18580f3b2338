"""Délibérations: put on an agenda with the register's next number, voted, sent to the préfecture.

A vote that adopts a tranche asks it to lock itself; a "modificative" is the only way to change
a locked amount afterwards. The délibération's topics have their own modules (requetes, texte,
transmission, vote, modificative); this one keeps the model, its core methods and the models that point at it.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction

from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite
from contrat_ville.models import Collectivite
from programmation.enums import StatutTranche
from programmation.models import Tranche

from ..enums import EtatPresence, ModePublication, NatureDeliberation, ResultatVote
from .journal import Trace
from .modificative import ModificativeDeliberation
from .registre import Registre
from .requetes import DeliberationQuerySet
from .seances import Elu, Seance
from .texte import CHAMPS_REDIGES, TexteDeliberation, TexteFige, _texte_du_champ
from .texte import MESSAGE_TEXTE_FIGE as MESSAGE_TEXTE_FIGE  # defined here before the split by topic
from .transmission import CHAMPS_DU_TAMPON, TransmissionDeliberation, valider_identifiant_actes
from .transmission import FORMAT_ACTES as FORMAT_ACTES  # defined here before the split by topic
from .transmission import NATURES_ACTE as NATURES_ACTE  # defined here before the split by topic
from .vote import ADOPTEE as ADOPTEE  # defined here before the split by topic
from .vote import VoteDeliberation


class Deliberation(
    Cloisonne, TransmissionDeliberation, TexteDeliberation, VoteDeliberation, ModificativeDeliberation
):
    collectivite = models.ForeignKey(
        Collectivite,
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="deliberations",
        editable=False,
    )
    seance = models.ForeignKey(Seance, on_delete=models.PROTECT, related_name="deliberations")
    ordre_du_jour = models.PositiveSmallIntegerField("rang à l'ordre du jour", default=0)
    numero = models.CharField("numéro", max_length=20, help_text="Par exemple 2024.00230.")
    annee = models.PositiveSmallIntegerField("année du registre", null=True, blank=True, editable=False)
    rang = models.PositiveIntegerField("rang dans le registre", null=True, blank=True, editable=False)
    nature = models.CharField(
        "nature", max_length=20, choices=NatureDeliberation.choices, default=NatureDeliberation.ORDINAIRE
    )
    retiree = models.BooleanField(
        "retirée de l'ordre du jour", default=False, help_text="Son numéro reste attribué."
    )
    objet = models.CharField("objet", max_length=300)
    expose = models.TextField("exposé (avant le tableau récapitulatif)", blank=True)
    expose_suite = models.TextField("exposé (après le tableau récapitulatif)", blank=True)
    tableau_recapitulatif = models.BooleanField(
        "tableau récapitulatif par axe dans le texte",
        default=True,
        help_text="Le nombre d'actions et le montant par axe, calculés depuis la tranche.",
    )
    decisions = models.TextField(
        "décisions", blank=True, help_text="Une décision par ligne, telles que votées."
    )
    chapitres_budgetaires = models.CharField("chapitres budgétaires imputés", max_length=300, blank=True)
    tranche = models.OneToOneField(
        Tranche,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliberation",
        help_text="La tranche de programmation que cette délibération adopte.",
    )
    tranche_corrigee = models.ForeignKey(
        Tranche,
        verbose_name="tranche corrigée",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="modificatives",
        help_text="Pour une modificative : la tranche votée dont elle change des montants.",
    )
    ne_prenant_pas_part = models.ManyToManyField(
        Elu,
        verbose_name="ne prennent pas part au vote",
        blank=True,
        related_name="+",
        help_text="Par exemple un élu membre du conseil d'administration d'une association financée.",
    )
    resultat_vote = models.CharField(
        "résultat du vote", max_length=20, choices=ResultatVote.choices, blank=True
    )
    vote_pour = models.PositiveSmallIntegerField("pour", null=True, blank=True)
    vote_contre = models.PositiveSmallIntegerField("contre", null=True, blank=True)
    vote_abstention = models.PositiveSmallIntegerField("abstentions", null=True, blank=True)
    rapporteur = models.ForeignKey(
        Elu,
        verbose_name="rapporteur",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="L'élu qui présente le dossier à l'instance.",
    )
    signataire = models.ForeignKey(Elu, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    qualite_signataire = models.CharField(
        "qualité du signataire", max_length=120, blank=True, help_text="« Le Président »…"
    )
    qualite_secretaire = models.CharField(
        "qualité du secrétaire signataire",
        max_length=120,
        blank=True,
        help_text="« La secrétaire de Séance » ; vide si le secrétaire ne signe pas l'extrait.",
    )
    identifiant_actes = models.CharField(
        "identifiant ACTES", max_length=60, blank=True, validators=[valider_identifiant_actes]
    )
    voie_transmission = models.CharField(
        "voie de transmission", max_length=120, blank=True, help_text="« VIA DOTELEC - iXBus »."
    )
    date_reception_prefecture = models.DateField("reçu en préfecture le", null=True, blank=True)
    mode_publication = models.CharField(
        "publication", max_length=20, choices=ModePublication.choices, blank=True
    )
    date_publication = models.DateField("publié le", null=True, blank=True)

    objects = DeliberationQuerySet.as_manager()

    class Meta:
        triggers = [CloisonnementCollectivite(), TexteFige()]
        verbose_name = "délibération"
        ordering = ["-seance__date", "ordre_du_jour"]
        constraints = [
            models.UniqueConstraint(
                fields=["collectivite", "numero"],
                name="deliberation_numero_unique",
                violation_error_message="Ce numéro de délibération est déjà attribué.",
            )
        ]

    def __str__(self):
        return f"Délibération n°{self.numero} — {self.objet}"

    def save(self, *args, **kwargs):
        self.collectivite_id = self.seance.instance.collectivite_id
        champs = kwargs.get("update_fields")
        if champs is None or set(champs) & set(CHAMPS_REDIGES):
            changes = self._texte_change_apres_le_vote()
            if changes:
                raise ValidationError(changes)
        super().save(*args, **kwargs)
        if self.est_votee and (champs is None or CHAMPS_DU_TAMPON & set(champs)):
            # The préfecture's stamp, saved after the vote (its form, the back-office): a new kept
            # version of the extract, the first one untouched.
            from ..documents import tamponner  # the documents module builds on these models

            tamponner(self)

    @property
    def est_modificative(self):
        return self.nature == NatureDeliberation.MODIFICATIVE

    @property
    def etat(self):
        if self.retiree:
            return "retirée"
        if self.resultat_vote:
            return self.get_resultat_vote_display().lower()
        return "à voter"

    def numeroter(self):
        """Takes the register's next number for the séance's year; the caller's transaction holds the
        counter until it commits."""
        collectivite_id = self.seance.instance.collectivite_id
        registre = Registre.objects.de(collectivite_id)
        self.annee = self.seance.date.year
        while True:
            self.rang = registre.attribuer(self.annee)
            self.numero = registre.numero(self.annee, self.rang)
            # A number typed by hand before the register was kept here is skipped, never given twice.
            if not Deliberation.objects.filter(collectivite_id=collectivite_id, numero=self.numero).exists():
                return

    def clean(self):
        erreurs = {}
        erreurs.update(self._erreurs_d_identifiant_actes())
        erreurs.update(self._erreurs_de_dates())
        erreurs.update(self._erreurs_de_tranche())
        if not self.resultat_vote and self.seance_id:
            erreurs.update(self._erreurs_de_membres())
        changes = self._texte_change_apres_le_vote()
        if changes:
            erreurs[NON_FIELD_ERRORS] = changes
        if erreurs:
            raise ValidationError(erreurs)

    def _erreurs_de_tranche(self):
        erreurs = {}
        if self.tranche_id and not self.pk and self.tranche.statut != StatutTranche.SOUMISE:
            erreurs["tranche"] = (
                f"La tranche {self.tranche} est « {self.tranche.get_statut_display()} » : "
                "seule une tranche soumise à l'instance s'inscrit à l'ordre du jour."
            )
        if self.est_modificative and not (self.tranche_corrigee_id and self.tranche_corrigee.est_verrouillee):
            erreurs["tranche_corrigee"] = "Une modificative corrige une tranche votée : choisissez-la."
        if self.tranche_id and self.est_modificative:
            erreurs["tranche"] = "Une modificative n'adopte pas de tranche : elle en corrige une."
        return erreurs

    # --- the written text and its signature

    def _texte_change_apres_le_vote(self):
        """The fields of the written text changed on a voted or withdrawn délibération: the register
        keeps the text as it was adopted (a correction is another délibération)."""
        if self.pk is None:
            return []
        noms = [Deliberation._meta.get_field(c).attname for c in CHAMPS_REDIGES]
        avant = Deliberation.objects.filter(pk=self.pk).values("resultat_vote", "retiree", *noms).first()
        if avant is None or not (avant["resultat_vote"] or avant["retiree"]):
            return []
        changes = [c for c, nom in zip(CHAMPS_REDIGES, noms, strict=True) if avant[nom] != getattr(self, nom)]
        if not changes:
            return []
        etat = "votée" if avant["resultat_vote"] else "retirée de l'ordre du jour"
        libelles = ", ".join(str(Deliberation._meta.get_field(c).verbose_name) for c in changes)
        return [f"La délibération n°{self.numero} est {etat} : son texte ne se modifie plus ({libelles})."]

    @transaction.atomic
    def rediger(self, auteur=None):
        """Saves the written text and signature as set on this object, each change in the journal."""
        avant = Deliberation.objects.select_for_update().get(pk=self.pk)
        avant._en_projet()
        self.full_clean()
        self.save(update_fields=CHAMPS_REDIGES)
        for champ in CHAMPS_REDIGES:
            ancien, nouveau = _texte_du_champ(avant, champ), _texte_du_champ(self, champ)
            if ancien != nouveau:
                libelle = Deliberation._meta.get_field(champ).verbose_name
                self._tracer(auteur, str(libelle), ancien, nouveau)

    # --- the agenda

    def _en_projet(self):
        if self.retiree:
            raise ValidationError(f"La délibération n°{self.numero} est retirée de l'ordre du jour.")
        if self.resultat_vote:
            raise ValidationError(f"La délibération n°{self.numero} est déjà votée.")

    def retirer(self, auteur=None):
        """Withdrawn from the agenda: the number stays taken, and shows as withdrawn."""
        self._en_projet()
        self._tracer(auteur, "ordre du jour", "inscrite", "retirée")
        self.retiree = True
        # The tranche it was to adopt goes back to be put on another séance's agenda.
        self.tranche = None
        self.save(update_fields=["retiree", "tranche"])

    def deplacer(self, sens):
        """Swaps with the previous (sens -1) or next (sens 1) délibération of the agenda."""
        voisines = self.seance.deliberations.exclude(pk=self.pk)
        if sens < 0:
            voisine = (
                voisines.filter(ordre_du_jour__lte=self.ordre_du_jour).order_by("-ordre_du_jour").first()
            )
        else:
            voisine = voisines.filter(ordre_du_jour__gte=self.ordre_du_jour).order_by("ordre_du_jour").first()
        if voisine is None:
            return
        if voisine.ordre_du_jour == self.ordre_du_jour:
            voisine.ordre_du_jour -= sens
        self.ordre_du_jour, voisine.ordre_du_jour = voisine.ordre_du_jour, self.ordre_du_jour
        Deliberation.objects.bulk_update([self, voisine], ["ordre_du_jour"])

    # --- attendance and vote

    @transaction.atomic
    def voter(self, resultat, pour=None, contre=None, abstention=None, ne_prenant_pas_part=(), auteur=None):
        """Records the vote; with quorum only, and figures that add up. Adopting locks the tranche."""
        # The séance's row first (its attendance list is saved under the same lock), then this one's.
        Seance.objects.select_for_update().filter(pk=self.seance_id).first()
        Deliberation.objects.select_for_update().filter(pk=self.pk).first()
        self.refresh_from_db(fields=["resultat_vote", "retiree"])
        pour, contre, abstention = self.verifier_vote(resultat, pour, contre, abstention, ne_prenant_pas_part)
        self.resultat_vote = resultat
        self.vote_pour, self.vote_contre, self.vote_abstention = pour, contre, abstention
        self.save(update_fields=["resultat_vote", "vote_pour", "vote_contre", "vote_abstention"])
        self.ne_prenant_pas_part.set([e.pk for e in ne_prenant_pas_part])
        self._tracer(auteur, "vote", "", self.texte_du_vote)
        if self.est_votee:
            self._appliquer(auteur)

    def _tracer(self, auteur, champ, avant, apres):
        Trace.objects.create(
            seance_id=self.seance_id, deliberation=self, auteur=auteur, champ=champ, avant=avant, apres=apres
        )


class PresenceDeliberation(Cloisonne):
    """The attendance of one member for one délibération, when it differs from the séance's."""

    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.CASCADE, related_name="presences_modifiees"
    )
    elu = models.ForeignKey(Elu, verbose_name="élu", on_delete=models.PROTECT, related_name="+")
    etat = models.CharField(
        "présence", max_length=10, choices=EtatPresence.choices, blank=True, help_text="Vide : ne siège pas."
    )
    mandataire = models.ForeignKey(
        Elu, verbose_name="donne pouvoir à", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "présence pour une délibération"
        verbose_name_plural = "présences pour une délibération"
        constraints = [
            models.UniqueConstraint(fields=["deliberation", "elu"], name="presence_deliberation_unique"),
            models.UniqueConstraint(
                fields=["deliberation", "mandataire"],
                name="presence_deliberation_un_pouvoir",
                violation_error_message="Un membre ne peut détenir qu'un seul pouvoir (CGCT L2121-20).",
            ),
        ]

    def __str__(self):
        return f"{self.elu} : {self.get_etat_display() or 'ne siège pas'}"
