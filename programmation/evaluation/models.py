"""Evaluation: each action's bilan (CERFA 15059 in spirit) and the annual report's free sections.

The report itself is assembled by `programmation.rapport_annuel`; the délibération that gives the
council's opinion is stored here as plain text (actions know nothing of séances).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from contrat_ville.calendrier import echeance_compte_rendu
from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite, CloisonneQuerySet
from contrat_ville.formats import euros
from contrat_ville.models import MONTANT, Collectivite, Contrat, Financeur, Quartier

from ..enums import PartieRapport
from ..models.actions import Action

POSITIF = [MinValueValidator(Decimal(0), "Ce montant ne peut pas être négatif.")]
TRANCHES_AGE = [
    ("age_moins_6", "moins de 6 ans"),
    ("age_6_11", "6-11 ans"),
    ("age_12_15", "12-15 ans"),
    ("age_16_17", "16-17 ans"),
    ("age_18_25", "18-25 ans"),
    ("age_26_64", "26-64 ans"),
    ("age_65_plus", "65 ans et plus"),
]


echeance = echeance_compte_rendu  # a year's bilans are due with its compte rendu financier


def _nombre(libelle):
    return models.PositiveIntegerField(libelle, null=True, blank=True)


class BilanQuerySet(CloisonneQuerySet):
    def visibles_par(self, user):
        return self.filter(action__contrat__collectivite=user.collectivite_id)


class Bilan(Cloisonne):
    """What an action did in its year: public reached, indicators, means, compte rendu financier.

    Unknown figures stay empty (never 0): a source that gives only « 385 personnes » has no F/H split.
    """

    action = models.OneToOneField(Action, on_delete=models.CASCADE, related_name="bilan")
    realisation = models.TextField("ce qui a été réalisé", blank=True)
    public_detail = models.TextField(
        "public touché, tel que décrit", blank=True, help_text="Le texte du bilan, chiffres détaillés."
    )
    public_total = _nombre("personnes touchées")
    public_femmes = _nombre("dont femmes")
    public_hommes = _nombre("dont hommes")
    public_qpv = _nombre("dont habitants d'un QPV")
    age_moins_6 = _nombre("moins de 6 ans")
    age_6_11 = _nombre("6-11 ans")
    age_12_15 = _nombre("12-15 ans")
    age_16_17 = _nombre("16-17 ans")
    age_18_25 = _nombre("18-25 ans")
    age_26_64 = _nombre("26-64 ans")
    age_65_plus = _nombre("65 ans et plus")
    etp = models.DecimalField(
        "équivalents temps plein", max_digits=6, decimal_places=2, null=True, blank=True, validators=POSITIF
    )
    nombre_salaries = _nombre("salariés et agents mobilisés")
    nombre_benevoles = _nombre("bénévoles")
    moyens_humains = models.TextField("moyens humains, tels que décrits", blank=True)
    points_forts = models.TextField("points forts", blank=True)
    points_faibles = models.TextField("points faibles et pistes d'amélioration", blank=True)
    commentaires = models.TextField("commentaires", blank=True)
    cout_prevu = models.DecimalField("coût prévu", **MONTANT, null=True, blank=True, validators=POSITIF)
    cout_realise = models.DecimalField("coût réalisé", **MONTANT, null=True, blank=True, validators=POSITIF)
    depose_le = models.DateField("reçu le", null=True, blank=True)

    objects = BilanQuerySet.as_manager()

    class Meta:
        triggers = [CloisonnementCollectivite()]
        ordering = ["action"]
        constraints = [
            models.CheckConstraint(
                condition=Q(public_total__isnull=True)
                | (Q(public_qpv__isnull=True) | Q(public_qpv__lte=models.F("public_total"))),
                name="bilan_qpv_dans_le_total",
                violation_error_message="Les habitants des QPV ne peuvent pas dépasser le public total.",
            ),
            models.CheckConstraint(
                condition=(Q(cout_prevu__isnull=True) | Q(cout_prevu__gte=0))
                & (Q(cout_realise__isnull=True) | Q(cout_realise__gte=0))
                & (Q(etp__isnull=True) | Q(etp__gte=0)),
                name="bilan_montants_positifs",
                violation_error_message="Un coût ou un nombre d'ETP ne peut pas être négatif.",
            ),
        ]

    def __str__(self):
        return f"Bilan {self.action.annee} — {self.action}"

    @property
    def echeance(self):
        return echeance(self.action.annee)

    @property
    def en_retard(self):
        return bool(self.depose_le and self.depose_le > self.echeance)

    def ages(self):
        return [(libelle, getattr(self, champ)) for champ, libelle in TRANCHES_AGE]

    def clean(self):
        erreurs = {}
        total, femmes, hommes, qpv = (
            self.public_total,
            self.public_femmes,
            self.public_hommes,
            self.public_qpv,
        )
        if total is None and any(v is not None for v in (femmes, hommes, qpv)):
            erreurs["public_total"] = "Indiquez le nombre total de personnes touchées avant sa répartition."
        if total is not None:
            if femmes is not None and hommes is not None and femmes + hommes != total:
                erreurs["public_hommes"] = (
                    f"Femmes ({femmes}) + hommes ({hommes}) = {femmes + hommes} : "
                    f"la somme doit être égale au public total ({total})."
                )
            for champ, valeur, libelle in (
                ("public_femmes", femmes, "femmes"),
                ("public_hommes", hommes, "hommes"),
            ):
                if valeur is not None and valeur > total and champ not in erreurs:
                    erreurs[champ] = f"Le nombre de {libelle} ({valeur}) dépasse le public total ({total})."
            if qpv is not None and qpv > total:
                erreurs["public_qpv"] = (
                    f"Les habitants des QPV ({qpv}) ne peuvent pas dépasser le public total ({total})."
                )
            ages = [getattr(self, champ) for champ, _ in TRANCHES_AGE if getattr(self, champ) is not None]
            if sum(ages) > total:
                erreurs["age_65_plus"] = (
                    f"Les tranches d'âge additionnées ({sum(ages)}) dépassent le public total ({total})."
                )
        if erreurs:
            raise ValidationError(erreurs)

    def verifier_equilibre(self, lignes):
        """The compte rendu financier balances, as the CERFA 15059 requires.

        lignes: the financeurs' (prévu, réalisé) amounts, None when not given. Rule: when a cost is
        given, the products of the same column (every financeur, the authority included) add up to it
        to the cent; products given with no cost are refused. Returns the French messages, [] if fine.
        """
        messages = []
        colonnes = (("prévu", "prévus", self.cout_prevu, 0), ("réalisé", "réalisés", self.cout_realise, 1))
        for nom, pluriel, cout, i in colonnes:
            montants = [ligne[i] for ligne in lignes if ligne[i] is not None]
            produits = sum(montants, Decimal(0))
            if cout is None and montants:
                messages.append(f"Indiquez le coût {nom} : des financements {pluriel} sont saisis.")
            elif cout is not None and montants and produits != cout:
                messages.append(
                    f"Compte rendu déséquilibré : le coût {nom} est de {euros(cout)} "
                    f"mais les financements {pluriel} font {euros(produits)} "
                    f"(écart {euros(cout - produits)})."
                )
        return messages


class BilanFinancement(Cloisonne):
    """A line of the compte rendu financier: what a financeur was to give, and gave."""

    bilan = models.ForeignKey(Bilan, on_delete=models.CASCADE, related_name="financements")
    financeur = models.ForeignKey(Financeur, on_delete=models.PROTECT, related_name="+")
    prevu = models.DecimalField("prévu", **MONTANT, null=True, blank=True, validators=POSITIF)
    realise = models.DecimalField("réalisé", **MONTANT, null=True, blank=True, validators=POSITIF)

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "financement du bilan"
        verbose_name_plural = "financements du bilan"
        ordering = ["bilan", "financeur__nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["bilan", "financeur"],
                name="bilan_financeur_unique",
                violation_error_message="Ce financeur figure déjà dans ce compte rendu.",
            ),
            models.CheckConstraint(
                condition=(Q(prevu__isnull=True) | Q(prevu__gte=0))
                & (Q(realise__isnull=True) | Q(realise__gte=0)),
                name="bilan_financement_positif",
                violation_error_message="Un financement ne peut pas être négatif.",
            ),
        ]

    def __str__(self):
        return f"{self.financeur} — {self.bilan}"


class BilanIndicateur(Cloisonne):
    bilan = models.ForeignKey(Bilan, on_delete=models.CASCADE, related_name="indicateurs")
    libelle = models.CharField("indicateur", max_length=250)
    cible = models.DecimalField("valeur cible", max_digits=12, decimal_places=2, null=True, blank=True)
    realise = models.DecimalField("valeur atteinte", max_digits=12, decimal_places=2, null=True, blank=True)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "indicateur du bilan"
        verbose_name_plural = "indicateurs du bilan"
        ordering = ["bilan", "ordre", "pk"]

    def __str__(self):
        return self.libelle


class BilanQuartier(Cloisonne):
    """The public reached in one quartier (the dashboard adds these up by quartier)."""

    bilan = models.ForeignKey(Bilan, on_delete=models.CASCADE, related_name="quartiers")
    quartier = models.ForeignKey(Quartier, on_delete=models.PROTECT, related_name="+")
    nombre = models.PositiveIntegerField("personnes touchées")

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "public par quartier"
        verbose_name_plural = "public par quartier"
        ordering = ["bilan", "quartier__nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["bilan", "quartier"],
                name="bilan_quartier_unique",
                violation_error_message="Ce quartier figure déjà dans ce bilan.",
            )
        ]

    def __str__(self):
        return f"{self.quartier} — {self.nombre}"


class RapportAnnuelQuerySet(CloisonneQuerySet):
    def visibles_par(self, user):
        return self.filter(collectivite=user.collectivite_id)


class RapportAnnuel(Cloisonne):
    """The yearly report on the politique de la ville (loi 2014-173), with its free-text parts."""

    collectivite = models.ForeignKey(
        Collectivite, verbose_name="collectivité", on_delete=models.PROTECT, related_name="rapports"
    )
    contrat = models.ForeignKey(Contrat, on_delete=models.PROTECT, related_name="rapports")
    annee = models.PositiveSmallIntegerField("année rapportée")
    intitule = models.CharField("intitulé", max_length=300)

    objects = RapportAnnuelQuerySet.as_manager()

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "rapport annuel"
        verbose_name_plural = "rapports annuels"
        ordering = ["collectivite", "-annee"]
        constraints = [
            models.UniqueConstraint(
                fields=["contrat", "annee"],
                name="rapport_unique_par_contrat_et_annee",
                violation_error_message="Ce contrat a déjà un rapport pour cette année.",
            )
        ]

    def __str__(self):
        return self.intitule

    def clean(self):
        if self.contrat_id and self.collectivite_id and self.contrat.collectivite_id != self.collectivite_id:
            raise ValidationError({"contrat": "Ce contrat n'est pas de la collectivité du rapport."})


class SectionRapport(Cloisonne):
    rapport = models.ForeignKey(RapportAnnuel, on_delete=models.CASCADE, related_name="sections")
    partie = models.CharField("partie", max_length=20, choices=PartieRapport.choices)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)
    titre = models.CharField("titre", max_length=250, blank=True)
    texte = models.TextField("texte", blank=True)

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "section du rapport"
        verbose_name_plural = "sections du rapport"
        ordering = ["rapport", "partie", "ordre"]

    def __str__(self):
        return self.titre or self.get_partie_display()
