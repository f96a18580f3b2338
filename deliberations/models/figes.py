"""The documents of a voted act, rendered once at the vote and kept as they were voted.

A row and its file are never changed nor deleted: the act is what the assembly voted, whatever is
edited afterwards (référentiels, porteurs, settings). The préfecture's stamp added later makes a new
version of the extract; the first one stays. PostgreSQL holds the same rule (`ActeFigeImmuable`).
"""

import hashlib

import pgtrigger
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite, CloisonneQuerySet
from contrat_ville.documents import conserver
from programmation.enums import StatutConvention
from programmation.models import Convention

from ..enums import NatureActeFige
from .deliberations import Deliberation

IMMUABLE = "Un document voté est conservé tel quel : il ne peut être ni modifié ni supprimé."


def empreinte(contenu):
    if isinstance(contenu, str):
        contenu = contenu.encode()
    return hashlib.sha256(contenu).hexdigest()


def _chemin(acte, nom):
    """Under upload_to (« actes/ »): one folder an authority, one a délibération."""
    convention = f"c{acte.convention_id}-" if acte.convention_id else ""
    return f"{acte.deliberation.collectivite_id}/{acte.deliberation_id}/{convention}v{acte.version}-{nom}"


class ActeFigeQuerySet(CloisonneQuerySet):
    def update(self, **kwargs):
        raise ValidationError(IMMUABLE)

    def delete(self):
        raise ValidationError(IMMUABLE)

    def _raw_delete(self, using):
        raise ValidationError(IMMUABLE)

    def dernier(self, nature):
        return self.filter(nature=nature).order_by("-version").first()

    def ajouter(
        self,
        deliberation,
        nature,
        nom_fichier,
        contenu,
        version_donnees,
        source="",
        version=None,
        convention=None,
    ):
        """A new version of this document of this act (the first is 1); never replaces one.

        `version`: the PDF laid out from a kept HTML takes that HTML's version. `convention`: one of
        the conventions the act approves (each has its own versions)."""
        if version is None:
            precedent = deliberation.actes_figes.filter(convention=convention).dernier(nature)
            version = precedent.version + 1 if precedent else 1
        if isinstance(contenu, str):
            contenu = contenu.encode()
        acte = self.model(
            deliberation=deliberation,
            nature=nature,
            version=version,
            nom_fichier=nom_fichier,
            sha256=empreinte(contenu),
            taille=len(contenu),
            version_donnees=version_donnees,
            source=source,
            convention=convention,
        )
        acte.fichier.save(_chemin(acte, nom_fichier), ContentFile(contenu), save=False)
        acte.save(force_insert=True)
        return acte


class ActeFigeImmuable(pgtrigger.Trigger):
    """The same rule for every writer, raw SQL included."""

    name = "acte_fige_immuable"
    when = pgtrigger.Before
    operation = pgtrigger.Update | pgtrigger.Delete
    func = f"RAISE EXCEPTION '{IMMUABLE}' USING ERRCODE = 'check_violation';"


class ActeFige(Cloisonne):
    deliberation = models.ForeignKey(
        Deliberation, verbose_name="délibération", on_delete=models.PROTECT, related_name="actes_figes"
    )
    convention = models.ForeignKey(
        Convention,
        verbose_name="convention",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actes_figes",
    )
    nature = models.CharField("document", max_length=20, choices=NatureActeFige.choices)
    version = models.PositiveSmallIntegerField("version", default=1)
    fichier = models.FileField("fichier", upload_to="actes/", max_length=300)
    nom_fichier = models.CharField("nom du fichier", max_length=200)
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    taille = models.PositiveIntegerField("taille (octets)")
    rendu_le = models.DateTimeField("rendu le", default=timezone.now)
    version_donnees = models.CharField(
        "version des données", max_length=64, help_text="Empreinte SHA-256 du document source (HTML)."
    )
    # The extract's HTML with a place for the préfecture's stamp: a stamped version is this text with
    # the stamp put in, so nothing else of the voted act can change with it.
    source = models.TextField("source", blank=True, editable=False)

    objects = ActeFigeQuerySet.as_manager()

    class Meta:
        triggers = [CloisonnementCollectivite(), ActeFigeImmuable()]
        verbose_name = "document voté"
        verbose_name_plural = "documents votés"
        ordering = ["deliberation", "nature", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation", "nature", "version"],
                condition=Q(convention__isnull=True),
                name="acte_fige_version_unique",
            ),
            models.UniqueConstraint(
                fields=["convention", "nature", "version"],
                condition=Q(convention__isnull=False),
                name="acte_fige_convention_version_unique",
            ),
        ]

    def __str__(self):
        return f"{self.get_nature_display()} — v{self.version} — {self.deliberation.numero}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(IMMUABLE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(IMMUABLE)

    def contenu(self):
        with self.fichier.open("rb") as fichier:
            return fichier.read()


class SourceFigee:
    """A large voted act kept as its HTML: the first layout after the vote is kept, and is the only one
    ever served (contrat_ville.documents runs it, in the worker for a large document)."""

    def __init__(self, html, nature_pdf):
        self.html, self.nature_pdf = html, nature_pdf

    def produire(self, avancer):
        from contrat_ville.pdf import html_vers_pdf  # WeasyPrint is only loaded when a PDF is made

        contenu = html_vers_pdf(self.html.contenu().decode(), avancer)
        deliberation = self.html.deliberation
        try:
            with transaction.atomic():
                ActeFige.objects.ajouter(
                    deliberation,
                    self.nature_pdf,
                    self.html.nom_fichier.removesuffix(".html") + ".pdf",
                    contenu,
                    self.html.version_donnees,
                    source=self.html.source,
                    version=self.html.version,
                )
        except IntegrityError:  # another attempt kept its layout first: that one is the act's
            return deliberation.actes_figes.get(nature=self.nature_pdf, version=self.html.version).contenu()
        return contenu


class ConventionSigneeAFiger:
    """The signed copy of a convention the act approved: laid out at its first download after the
    signature and kept as its second version; the approved draft stays the first."""

    def __init__(self, approuvee):
        self.approuvee = approuvee

    def produire(self, avancer):
        from contrat_ville.pdf import html_vers_pdf
        from programmation.conventions import convention_html

        convention = Convention.objects.get(pk=self.approuvee.convention_id)
        html = convention_html(convention)
        contenu = html_vers_pdf(html, avancer)
        try:
            with transaction.atomic():
                ActeFige.objects.ajouter(
                    self.approuvee.deliberation,
                    NatureActeFige.CONVENTION_PDF,
                    self.approuvee.nom_fichier,
                    contenu,
                    empreinte(html),
                    version=2,
                    convention=convention,
                )
        except IntegrityError:  # another request kept its copy first: that one is the signed copy
            return convention.actes_figes.get(nature=NatureActeFige.CONVENTION_PDF, version=2).contenu()
        return contenu


def _de_la_convention(pk):
    """(the kept convention to serve, or None and the signed copy still to be kept)."""
    dernier = ActeFige.objects.filter(convention_id=pk).dernier(NatureActeFige.CONVENTION_PDF)
    if dernier is None:  # not approved by a vote in the app: served from the cache
        return None, None
    if dernier.version == 1 and Convention.objects.filter(pk=pk, statut=StatutConvention.SIGNEE).exists():
        return None, ConventionSigneeAFiger(dernier)
    return dernier, None


def _fige(actes, nature_pdf, nature_html):
    """(the kept PDF to serve, or None and the kept HTML whose PDF is still to be laid out)."""
    html = actes.dernier(nature_html)
    if html is None:
        return actes.dernier(nature_pdf), None
    pdf = actes.filter(nature=nature_pdf, version=html.version).first()
    return pdf, None if pdf else SourceFigee(html, nature_pdf)


def _de_la_deliberation(pk):
    return _fige(
        ActeFige.objects.filter(deliberation_id=pk), NatureActeFige.EXTRAIT_PDF, NatureActeFige.EXTRAIT_HTML
    )


def _de_la_tranche(pk):
    return _fige(
        ActeFige.objects.filter(deliberation__tranche_id=pk),
        NatureActeFige.ANNEXE_PDF,
        NatureActeFige.ANNEXE_HTML,
    )


# The download views serve the kept version of a voted act (contrat_ville.documents.servir).
conserver(NatureActeFige.EXTRAIT_PDF, _de_la_deliberation)
conserver(NatureActeFige.ANNEXE_PDF, _de_la_tranche)
conserver(NatureActeFige.CONVENTION_PDF, _de_la_convention)
conserver(
    NatureActeFige.ANNEXE_XLSX,
    lambda pk: (
        ActeFige.objects.filter(deliberation__tranche_id=pk).dernier(NatureActeFige.ANNEXE_XLSX),
        None,
    ),
)
