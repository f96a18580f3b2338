"""Imports from spreadsheets: the file waiting for confirmation, and the column mappings remembered."""

import hashlib

from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone

from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite, CloisonneQuerySet
from contrat_ville.models import Collectivite, Contrat

from . import lecture
from .lecture import conserve


class CorrespondanceColonnes(Cloisonne):
    """The mapping an agent confirmed for one shape of file (its header row), offered again next time."""

    collectivite = models.ForeignKey(Collectivite, on_delete=models.CASCADE, related_name="+")
    signature = models.CharField("signature des en-têtes", max_length=64)
    entetes = models.JSONField("en-têtes", default=list)
    champs = models.JSONField("champ de chaque colonne", default=list)
    modifiee_le = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "correspondance de colonnes"
        verbose_name_plural = "correspondances de colonnes"
        constraints = [
            models.UniqueConstraint(fields=["collectivite", "signature"], name="correspondance_unique")
        ]

    def __str__(self):
        return " | ".join(self.entetes)[:120]


class ImportationQuerySet(CloisonneQuerySet):
    def visibles_par(self, user):
        return self.filter(collectivite=user.collectivite_id)

    def deposer(self, contenu, nom_fichier, contrat, annee, auteur, feuilles=None):
        """Kept under MEDIA_ROOT/imports, named by its hash, with the rows read from it (feuilles,
        when the caller has read them already; else read here): the preview and the load, in any web
        process, start from those rows and never parse the file again."""
        empreinte = hashlib.sha256(contenu).hexdigest()
        importation = self.model(
            collectivite_id=contrat.collectivite_id,
            contrat=contrat,
            annee=annee,
            auteur=auteur,
            nom_fichier=nom_fichier[:255],
            empreinte=empreinte,
        )
        # Named after what was read, never after the user's name: nothing else can land in the storage.
        extension = ".xlsx" if contenu.startswith(b"PK") else ".csv"
        importation.fichier.save(f"{empreinte}{extension}", ContentFile(contenu), save=False)
        importation._conserver(feuilles if feuilles is not None else lecture.lire(contenu, nom_fichier))
        importation.save()
        return importation


class Importation(Cloisonne):
    """An uploaded file kept on the server between its preview and its confirmation."""

    collectivite = models.ForeignKey(Collectivite, on_delete=models.CASCADE, related_name="+")
    contrat = models.ForeignKey(Contrat, on_delete=models.CASCADE, related_name="+")
    annee = models.PositiveSmallIntegerField("année")
    auteur = models.ForeignKey("contrat_ville.User", on_delete=models.SET_NULL, null=True, related_name="+")
    nom_fichier = models.CharField("fichier", max_length=255)
    fichier = models.FileField("fichier", upload_to="imports/")
    empreinte = models.CharField("empreinte SHA-256", max_length=64)
    champs = models.JSONField("champ de chaque colonne", default=list)
    # The rows read from the file (lecture.conserve: compressed JSON), so that it is parsed only once.
    lignes = models.BinaryField("lignes lues", default=bytes, editable=False)
    creee_le = models.DateTimeField("déposée le", auto_now_add=True)
    chargee_le = models.DateTimeField("chargée le", null=True, blank=True)

    objects = ImportationQuerySet.as_manager()

    class Meta:
        triggers = [CloisonnementCollectivite()]
        ordering = ["-creee_le"]

    def __str__(self):
        return f"{self.nom_fichier} ({self.contrat}, {self.annee})"

    def contenu(self):
        with self.fichier.open("rb") as fichier:
            return fichier.read()

    def feuilles(self):
        """The rows of the file, read once at deposit and kept on this row (so that any web process
        finds them); read again only for a copy that is not this file's as this reader reads it."""
        feuilles = conserve.depaqueter(bytes(self.lignes), self.empreinte) if self.lignes else None
        if feuilles is None:
            feuilles = lecture.lire(self.contenu(), self.nom_fichier)
            self._conserver(feuilles)
            self.save(update_fields=["lignes"])
        return feuilles

    def _conserver(self, feuilles):
        self.lignes = conserve.empaqueter(feuilles, self.empreinte)

    def correspondance(self, entete):
        """The mapping confirmed for this file, else the one remembered for its shape (else None)."""
        if self.champs:
            return self.champs
        memoire = CorrespondanceColonnes.objects.filter(
            collectivite=self.collectivite_id, signature=entete.signature
        ).first()
        return memoire.champs if memoire else None

    def marquer_chargee(self):
        self.chargee_le = timezone.now()
        self.save(update_fields=["chargee_le"])

    def retenir(self, entete, champs):
        self.champs = champs
        self.save(update_fields=["champs"])
        CorrespondanceColonnes.objects.update_or_create(
            collectivite_id=self.collectivite_id,
            signature=entete.signature,
            defaults={"entetes": list(entete.textes), "champs": champs},
        )
