"""The contract domain: who grants, under which contract, on which axes, where, with which budgets.

It knows nothing of actions or séances (those apps build on it).
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import cached_property

from .cloisonnement import Cloisonne, CloisonnementCollectivite, CloisonneQuerySet
from .enums import NatureCollectivite, NatureContrat, NatureFinanceur, NatureQuartier, Section
from .roles import ADMINISTRATEURS
from .textes import sans_accents
from .validators import valider_code_quartier, valider_siren, valider_siret

MONTANT = {"max_digits": 14, "decimal_places": 2}
# Loi 2000-321 art. 10 and décret 2001-495 art. 1: the annual amount per private body above which a
# convention is compulsory. The authority's own threshold is checked against it (Collectivite).
SEUIL_LEGAL_CONVENTION = Decimal("23000")


def majuscules(texte):
    """Capitals without accents, as the délibérations write headings (DEFI, PRIORITE)."""
    return sans_accents(texte.upper())


class Collectivite(models.Model):
    """The grant-giving authority. Every top-level object belongs to one."""

    nom = models.CharField("nom", max_length=200, unique=True)
    sigle = models.CharField(
        "sigle", max_length=20, blank=True, help_text="« SEM » : le nom court des documents."
    )
    nature = models.CharField("nature", max_length=20, choices=NatureCollectivite.choices)
    siren = models.CharField("SIREN", max_length=9, unique=True, validators=[valider_siren])
    siret = models.CharField(
        "SIRET",
        max_length=14,
        blank=True,
        validators=[valider_siret],
        help_text="Laisser vide s'il n'est pas connu : il ne doit jamais être deviné.",
    )
    code_departement = models.CharField(
        "code du département", max_length=3, help_text="Sur 3 caractères, par exemple 042."
    )
    designation = models.CharField(
        "nom dans les actes",
        max_length=250,
        blank=True,
        help_text="« la Ville de Villeneuve », « Saint-Etienne Métropole » : avec son article s'il en prend "
        "un. Laissé vide, il est déduit du nom et de la nature.",
    )
    # Conventions the authority asks for beyond loi 2000-321 art. 10 (private bodies above 23 000 €).
    convention_investissement = models.BooleanField(
        "toute subvention d'investissement fait l'objet d'une convention", default=False
    )
    convention_organismes_publics = models.BooleanField(
        "les organismes publics (bailleurs, lycées…) signent aussi une convention",
        default=False,
        help_text="Aux mêmes seuils que les organismes de droit privé.",
    )
    convention_seuil_local = models.DecimalField(
        "seuil local de convention",
        **MONTANT,
        null=True,
        blank=True,
        help_text="Montant annuel par porteur, inférieur à 23 000 €, au-delà duquel la collectivité "
        "demande une convention. Laissé vide : pas de seuil local.",
    )
    convention_regle_locale = models.CharField(
        "référence de la règle locale",
        max_length=300,
        blank=True,
        help_text="L'acte qui fixe ces règles, par exemple « délibération n°2021.00123 du 12 avril 2021 ».",
    )

    SEUIL_LEGAL_CONVENTION = SEUIL_LEGAL_CONVENTION

    class Meta:
        verbose_name = "collectivité"
        ordering = ["nom"]
        permissions = [("parametrer_collectivite", "Paramétrer sa collectivité")]
        constraints = [
            models.CheckConstraint(
                condition=Q(convention_seuil_local__isnull=True)
                | Q(convention_seuil_local__gt=0, convention_seuil_local__lt=SEUIL_LEGAL_CONVENTION),
                name="collectivite_seuil_local_sous_le_seuil_legal",
                violation_error_message="Le seuil local doit être positif et inférieur à 23 000 €.",
            )
        ]

    def __str__(self):
        return self.nom

    @property
    def nom_court(self):
        return self.sigle or self.nom

    @property
    def nom_dans_les_actes(self):
        """How acts name the authority, article included: « la Ville de Villeneuve »."""
        return self.designation.strip() or self._designation_par_defaut()

    @property
    def de_nom_dans_les_actes(self):
        """After « de »: « de la Ville de X », « du Département de la Loire », « d'Amiens Métropole »."""
        nom = self.nom_dans_les_actes
        for article, contracte in (("le ", "du "), ("les ", "des ")):
            if nom.lower().startswith(article):
                return contracte + nom[len(article) :]
        if nom[:1] and nom[0].lower() in "aeiouyéèêàâîôû":
            return "d'" + nom
        return "de " + nom

    def _designation_par_defaut(self):
        # A commune is « la Ville de X » in its acts, a département « le Département de Y »; an EPCI's
        # name (« Saint-Etienne Métropole ») takes no article.
        nom = self.nom.strip()
        if self.nature == NatureCollectivite.COMMUNE:
            deja_nommee = nom.lower().startswith(("ville de ", "ville d'", "commune de ", "commune d'"))
            return "la " + nom if deja_nommee else f"la Ville de {nom}"
        if self.nature == NatureCollectivite.DEPARTEMENT and nom.lower().startswith("département"):
            return "le " + nom
        return nom

    def clean(self):
        seuil = self.convention_seuil_local
        if seuil is not None and not 0 < seuil < self.SEUIL_LEGAL_CONVENTION:
            raise ValidationError(
                {
                    "convention_seuil_local": "Le seuil local doit être positif et inférieur au seuil "
                    "légal de 23 000 € (au-delà, la loi impose déjà la convention)."
                }
            )


class UserManager(BaseUserManager):
    def get_queryset(self):
        # Every page names the user's authority: loaded with the user, in the same query.
        return super().get_queryset().select_related("collectivite")


class User(AbstractUser):
    objects = UserManager()

    collectivite = models.ForeignKey(
        Collectivite,
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="utilisateurs",
    )
    # The contract and year last chosen on the programmation ({"contrat": "12", "annee": "2024"}; "" =
    # all): the list opens on them next time. Plain values, checked against the user's authority on use.
    consultation = models.JSONField("dernière consultation", default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = "utilisateur"

    @cached_property
    def administre(self):
        """May use the back-office: a superuser, or a staff member of the authority's administrators."""
        return self.is_active and (
            self.is_superuser or (self.is_staff and self.groups.filter(name=ADMINISTRATEURS).exists())
        )


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


class Quartier(Cloisonne):
    collectivite = models.ForeignKey(
        Collectivite,
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="quartiers",
    )
    code = models.CharField(
        "code quartier",
        max_length=8,
        blank=True,
        validators=[valider_code_quartier],
        help_text="QP042xxx (2015-2023) ou QN042xxX (depuis 2024). Vide s'il n'est pas connu.",
    )
    nom = models.CharField("nom", max_length=200)
    commune = models.CharField("commune", max_length=120)
    nature = models.CharField("nature", max_length=5, choices=NatureQuartier.choices)

    class Meta:
        triggers = [CloisonnementCollectivite()]
        ordering = ["commune", "nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="quartier_code_unique",
                violation_error_message="Un quartier porte déjà ce code.",
            ),
            models.UniqueConstraint(
                fields=["collectivite", "commune", "nom"], name="quartier_nom_unique_par_commune"
            ),
        ]

    def __str__(self):
        return f"{self.commune} : {self.nom}"


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


class StatutDocument(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente"
    EN_COURS = "en_cours", "En cours"
    PRET = "pret", "Prêt"
    ECHEC = "echec", "Échec"


# A document waiting for a worker or being made: at most one of a kind and data at a time.
EN_PRODUCTION = [StatutDocument.EN_ATTENTE, StatutDocument.EN_COURS]


def limite_d_abandon():
    """A document or task started before this has lost its worker (settings.DOCUMENTS_DELAI_MAXIMAL)."""
    return timezone.now() - timedelta(seconds=settings.DOCUMENTS_DELAI_MAXIMAL)


def limite_de_silence():
    """A worker whose last heartbeat is older than this is dead (settings.DOCUMENTS_SILENCE_MAXIMAL)."""
    return timezone.now() - timedelta(seconds=settings.DOCUMENTS_SILENCE_MAXIMAL)


class DocumentGenereQuerySet(CloisonneQuerySet):
    def en_production(self):
        return self.filter(statut__in=EN_PRODUCTION)

    def declarer_abandonnes(self):
        """Documents still waiting or running long after any document takes lost their worker: marked
        failed with a message the user can act on, never left running forever."""
        return self.filter(statut__in=EN_PRODUCTION, cree_le__lt=limite_d_abandon()).update(
            statut=StatutDocument.ECHEC,
            termine_le=timezone.now(),
            erreur=(
                "Le service de production des documents s'est interrompu avant la fin. "
                "Demandez le document à nouveau."
            ),
        )

    def commencer(self, pk):
        """The worker takes the document: its attempt number, or None when it is no longer to be made
        (finished, failed, or given up while it waited)."""
        with transaction.atomic():
            document = self.select_for_update().filter(pk=pk, statut__in=EN_PRODUCTION).first()
            if document is None:
                return None
            document.tentatives += 1
            document.statut, document.progression, document.etape = (
                StatutDocument.EN_COURS,
                5,
                "Lecture des données",
            )
            document.save(update_fields=["tentatives", "statut", "progression", "etape"])
        return document


class DocumentGenere(Cloisonne):
    """A document produced in the background, kept for download."""

    collectivite = models.ForeignKey(
        Collectivite, verbose_name="collectivité", on_delete=models.CASCADE, related_name="documents"
    )
    nature = models.CharField("nature", max_length=40, help_text="Par exemple « annexe-pdf ».")
    objet_id = models.PositiveBigIntegerField("identifiant de l'objet")
    nom_fichier = models.CharField("nom du fichier", max_length=120)
    statut = models.CharField(
        "statut", max_length=20, choices=StatutDocument.choices, default=StatutDocument.EN_ATTENTE
    )
    progression = models.PositiveSmallIntegerField("progression (%)", default=0)
    etape = models.CharField("étape", max_length=120, blank=True)
    erreur = models.TextField("erreur", blank=True)
    fichier = models.FileField("fichier", upload_to="documents/%Y/%m/", blank=True)
    demande_par = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    cree_le = models.DateTimeField("demandé le", auto_now_add=True)
    termine_le = models.DateTimeField("terminé le", null=True, blank=True)
    # The task that makes it (django_tasks_db), and how many times a worker started on it: a worker
    # that lost the document to another (taken back after its silence) writes nothing.
    tache = models.UUIDField("tâche", null=True, blank=True, editable=False)
    tentatives = models.PositiveSmallIntegerField("tentatives", default=0, editable=False)

    objects = DocumentGenereQuerySet.as_manager()

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "document généré"
        verbose_name_plural = "documents générés"
        ordering = ["-cree_le"]
        constraints = [
            models.CheckConstraint(condition=Q(progression__lte=100), name="document_progression_bornee"),
            # A second request for the same document while it is being made joins the first.
            models.UniqueConstraint(
                fields=["collectivite", "nature", "objet_id", "nom_fichier"],
                condition=Q(statut__in=EN_PRODUCTION),
                name="document_unique_en_production",
                violation_error_message="Ce document est déjà en cours de production.",
            ),
        ]

    def __str__(self):
        return f"{self.nom_fichier} ({self.get_statut_display()})"

    @property
    def termine(self):
        return self.statut in (StatutDocument.PRET, StatutDocument.ECHEC)

    def _a_soi(self):
        """This very attempt, while it still holds the document."""
        return DocumentGenere.objects.filter(pk=self.pk, tentatives=self.tentatives, statut__in=EN_PRODUCTION)

    def avancer(self, progression, etape):
        self.statut, self.progression, self.etape = StatutDocument.EN_COURS, progression, etape
        self._a_soi().update(statut=self.statut, progression=progression, etape=etape)

    def terminer(self, contenu):
        """Keep the file, once: False (and nothing written) when the document is no longer this attempt's."""
        with transaction.atomic():
            if not self._a_soi().select_for_update().exists():
                return False
            self.fichier.save(self.nom_fichier, ContentFile(contenu), save=False)
            try:
                self.statut, self.progression, self.etape = StatutDocument.PRET, 100, "Terminé"
                self.termine_le = timezone.now()
                self.save()
            except BaseException:
                self.fichier.delete(save=False)  # no file without its row
                raise
        return True

    def echouer(self, erreur):
        self.statut, self.erreur, self.termine_le = StatutDocument.ECHEC, erreur, timezone.now()
        return bool(self._a_soi().update(statut=self.statut, erreur=erreur, termine_le=self.termine_le))


class TravailleurDocuments(models.Model):
    """A document worker's heartbeat (`manage.py travailleur`): one row a worker process, touched every
    DOCUMENTS_BATTEMENT seconds. A worker silent for DOCUMENTS_SILENCE_MAXIMAL seconds is dead: /sante/
    says so and the tasks it held are taken back."""

    identifiant = models.CharField("identifiant", max_length=64, unique=True)
    machine = models.CharField("machine", max_length=255, blank=True)
    processus = models.PositiveIntegerField("processus", default=0)
    demarre_le = models.DateTimeField("démarré le", default=timezone.now)
    vu_le = models.DateTimeField("dernier signe de vie", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "service de production des documents"
        verbose_name_plural = "services de production des documents"
        ordering = ["-vu_le"]

    def __str__(self):
        return f"{self.machine} ({self.processus})"


# The strategic frame: the contract's second level and its protocol of commitments (seed 004).


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
