"""The documents produced in the background, and the heartbeat of the workers that make them."""

from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from ..cloisonnement import Cloisonne, CloisonnementCollectivite, CloisonneQuerySet
from .collectivites import Collectivite
from .utilisateurs import User


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
