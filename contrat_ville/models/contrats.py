"""The contracts, their transversal stakes and their first level (the axes)."""

from django.db import models
from django.db.models import Q

from ..cloisonnement import Cloisonne, CloisonnementCollectivite, CloisonneQuerySet
from ..enums import NatureContrat
from ..textes import sans_accents
from .collectivites import Collectivite


def majuscules(texte):
    """Capitals without accents, as the délibérations write headings (DEFI, PRIORITE)."""
    return sans_accents(texte.upper())


class ContratQuerySet(CloisonneQuerySet):
    def de(self, collectivite):
        return self.filter(collectivite=collectivite)

    def en_vigueur(self, annee):
        return self.filter(annee_debut__lte=annee, annee_fin__gte=annee)


class Contrat(Cloisonne):
    collectivite = models.ForeignKey(
        Collectivite, verbose_name="collectivité", on_delete=models.PROTECT, related_name="contrats"
    )
    nature = models.CharField("nature", max_length=20, choices=NatureContrat.choices)
    intitule = models.CharField("intitulé", max_length=250)
    annee_debut = models.PositiveSmallIntegerField("première année")
    annee_fin = models.PositiveSmallIntegerField("dernière année")
    date_adoption = models.DateField("date d'adoption", null=True, blank=True)
    instance_adoption = models.CharField(
        "adopté par", max_length=200, blank=True, help_text="Par exemple « Conseil Métropolitain »."
    )
    libelle_niveau = models.CharField(
        "nom du premier niveau",
        max_length=30,
        default="Axe",
        help_text="Le mot qu'emploie le contrat : Pilier, Défi, Axe, Priorité…",
    )

    objects = ContratQuerySet.as_manager()

    class Meta:
        triggers = [CloisonnementCollectivite()]
        ordering = ["collectivite", "-annee_debut", "intitule"]
        constraints = [
            models.CheckConstraint(
                condition=Q(annee_fin__gte=models.F("annee_debut")),
                name="contrat_periode_ordonnee",
                violation_error_message="La dernière année doit suivre la première.",
            )
        ]

    def __str__(self):
        return f"{self.intitule} ({self.periode})"

    @property
    def periode(self):
        return f"{self.annee_debut}-{self.annee_fin}"

    def annees(self):
        return range(self.annee_debut, self.annee_fin + 1)


class EnjeuTransversal(Cloisonne):
    contrat = models.ForeignKey(Contrat, on_delete=models.CASCADE, related_name="enjeux_transversaux")
    intitule = models.CharField("intitulé", max_length=250)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "enjeu transversal"
        verbose_name_plural = "enjeux transversaux"
        ordering = ["contrat", "ordre"]

    def __str__(self):
        return self.intitule


class AxeManager(models.Manager.from_queryset(CloisonneQuerySet)):
    def get_queryset(self):
        # An axe is always shown with its contract's word for it ("Défi 2 : …").
        return super().get_queryset().select_related("contrat")


class Axe(Cloisonne):
    """The first level of a contract: pilier, défi, axe or priorité, as the contract names it."""

    contrat = models.ForeignKey(Contrat, on_delete=models.CASCADE, related_name="axes")
    numero = models.PositiveSmallIntegerField("numéro")
    intitule = models.CharField("intitulé", max_length=300)
    nom_court = models.CharField("nom court", max_length=40, blank=True, help_text="EMANCIPER…")
    devise = models.CharField(
        "intitulé dans les annexes",
        max_length=120,
        blank=True,
        help_text="Par exemple « NOS QUARTIERS EMANCIPENT ».",
    )
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    objects = AxeManager()

    class Meta:
        triggers = [CloisonnementCollectivite()]
        ordering = ["contrat", "ordre", "numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["contrat", "numero"],
                name="axe_numero_unique_par_contrat",
                violation_error_message="Ce contrat a déjà un axe portant ce numéro.",
            )
        ]

    def __str__(self):
        return f"{self.contrat.libelle_niveau} {self.numero} : {self.devise or self.intitule}"

    @property
    def titre_annexe(self):
        """« DEFI 2 : NOS QUARTIERS EMANCIPENT », as the annex tables head each axe."""
        return f"{majuscules(self.contrat.libelle_niveau)} {self.numero} : {self.devise or self.intitule}"

    @property
    def libelle_total(self):
        """« TOTAL DEFI « NOS QUARTIERS EMANCIPENT » », or « TOTAL AXE 3 » for an axe with no motto."""
        niveau = majuscules(self.contrat.libelle_niveau)
        return f"TOTAL {niveau} « {self.devise} »" if self.devise else f"TOTAL {niveau} {self.numero}"
