"""Who funds, through which schemes (dispositifs), with which budgets (enveloppes)."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce

from ..cloisonnement import Cloisonne, CloisonnementCollectivite
from ..enums import NatureFinanceur, Section
from .collectivites import MONTANT, Collectivite
from .contrats import Axe, Contrat


class Financeur(Cloisonne):
    collectivite = models.ForeignKey(
        Collectivite,
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="financeurs",
        help_text="La collectivité dont c'est la liste de financeurs.",
    )
    nom = models.CharField("nom", max_length=200)
    nature = models.CharField("nature", max_length=20, choices=NatureFinanceur.choices)
    precision = models.CharField(
        "précision", max_length=120, blank=True, help_text="Par exemple « ANCT, BOP 147 »."
    )

    class Meta:
        triggers = [CloisonnementCollectivite()]
        ordering = ["collectivite", "nom"]
        constraints = [models.UniqueConstraint(fields=["collectivite", "nom"], name="financeur_nom_unique")]

    def __str__(self):
        return self.nom


class Dispositif(Cloisonne):
    """An appel à projets or a programme sheet such as "Cité de l'emploi"."""

    collectivite = models.ForeignKey(
        Collectivite,
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="dispositifs",
    )
    contrat = models.ForeignKey(
        Contrat, on_delete=models.PROTECT, null=True, blank=True, related_name="dispositifs"
    )
    axe = models.ForeignKey(
        Axe,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispositifs",
        help_text="L'axe que le dispositif renforce, le cas échéant.",
    )
    intitule = models.CharField("intitulé", max_length=200)
    objectifs = models.TextField("objectifs", blank=True)
    public_eligible = models.TextField("public éligible", blank=True)
    periode = models.TextField("période", blank=True)
    priorites = models.TextField("priorités", blank=True)
    porteurs_eligibles = models.TextField("porteurs de projets éligibles", blank=True)
    criteres_financement = models.TextField("critères de financement", blank=True)
    # The same rules, in a form the checks can apply.
    residents_qpv_uniquement = models.BooleanField(
        "public : habitants des QPV uniquement",
        default=False,
        help_text="Les territoires vulnérables et quartiers de veille active ne sont pas éligibles.",
    )
    natures_porteur_eligibles = models.CharField(
        "natures de porteur éligibles",
        max_length=200,
        blank=True,
        help_text="Codes séparés par des virgules (association, collectivite…). Vide : toutes.",
    )
    annee_de_l_appel_uniquement = models.BooleanField(
        "l'action se déroule durant l'année de l'appel", default=False
    )
    bilan_precedent_requis = models.BooleanField("bilan de l'exercice précédent requis", default=False)

    class Meta:
        triggers = [CloisonnementCollectivite()]
        ordering = ["collectivite", "intitule"]

    def __str__(self):
        return self.intitule


class Enveloppe(Cloisonne):
    """A budget allocated to a contract for a year, optionally narrowed to an axe, a section, a financeur."""

    contrat = models.ForeignKey(Contrat, on_delete=models.CASCADE, related_name="enveloppes")
    annee = models.PositiveSmallIntegerField("année")
    axe = models.ForeignKey(Axe, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    section = models.CharField("section", max_length=20, choices=Section.choices, blank=True)
    financeur = models.ForeignKey(
        Financeur,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enveloppes",
        help_text="Vide : le budget du programme, tous financeurs confondus.",
    )
    montant = models.DecimalField("montant", **MONTANT)
    taux_maximum = models.DecimalField(
        "part maximale du programme (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    source = models.CharField(
        "source", max_length=250, blank=True, help_text="Le document qui fixe ce montant."
    )

    class Meta:
        triggers = [CloisonnementCollectivite()]
        ordering = ["contrat", "annee", "axe", "financeur"]
        constraints = [
            models.CheckConstraint(
                condition=Q(montant__gte=0),
                name="enveloppe_montant_positif",
                violation_error_message="Le montant d'une enveloppe ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(taux_maximum__isnull=True) | Q(taux_maximum__gte=0, taux_maximum__lte=100),
                name="enveloppe_taux_borne",
                violation_error_message="Le taux doit être compris entre 0 et 100 %.",
            ),
            # An empty axe or financeur is a key too (« tout le contrat », « tous financeurs »): compared
            # as 0, two such rows collide, in full_clean() and in the database alike (NULL ≠ NULL).
            models.UniqueConstraint(
                "contrat",
                "annee",
                Coalesce("axe", 0, output_field=models.IntegerField()),
                "section",
                Coalesce("financeur", 0, output_field=models.IntegerField()),
                name="enveloppe_unique",
                violation_error_message="Cette enveloppe existe déjà.",
            ),
        ]

    def __str__(self):
        portee = " · ".join(str(p) for p in (self.axe, self.get_section_display(), self.financeur) if p)
        return f"{self.contrat.intitule} {self.annee}" + (f" — {portee}" if portee else "")
