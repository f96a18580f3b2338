"""HTML to PDF with WeasyPrint, and the cache every generated document is kept in.

Two keys. A document's own key (`cle_document`) is a hash of the rows it prints, read with a few
`values_list` queries, of the templates and of what else changes its bytes: a repeat download finds its
file without rendering anything. Under it, a PDF is also kept under the SHA-256 of its HTML: laying out
is what costs (seconds for a large annex), so HTML that comes out the same is never laid out twice.
"""

import contextlib
import functools
import hashlib
import os
import time
from importlib.metadata import version
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import translation

# Entries unread for this long are pruned when a new one is written.
CONSERVATION = 30 * 24 * 3600
# Another WeasyPrint may lay out otherwise: part of the key.
VERSION_WEASYPRINT = version("weasyprint")
# Settings that change a document's bytes (dates, numbers, the base the PDF's resources are read from).
REGLAGES = ("LANGUAGE_CODE", "TIME_ZONE", "USE_TZ", "BASE_DIR")


def rendre_html(gabarit, contexte):
    # Documents are French whatever the request's language (dates: « 16 mai 2024 »).
    with translation.override("fr"):
        return render_to_string(gabarit, contexte)


def html_vers_pdf(html, avancer=None):
    """avancer(pourcentage, étape), if given, is told when layout starts and when it is written."""
    chemin = _dossier() / f"{_cle_html(html)}.pdf"
    contenu = lire(chemin)
    if contenu is None:
        contenu = _mettre_en_page(html, avancer)
        garder(chemin, contenu)
    return contenu


def _mettre_en_page(html, avancer):
    import weasyprint  # imported here: loading it costs ~0.3 s and most requests need no PDF

    avancer = avancer or (lambda *_: None)
    avancer(20, "Mise en page")
    document = weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    avancer(85, f"Écriture du PDF ({len(document.pages)} pages)")
    return document.write_pdf()


def _dossier():
    return Path(settings.MEDIA_ROOT) / "cache-pdf"


def _cle_html(html):
    return hashlib.sha256(f"{VERSION_WEASYPRINT}\n{settings.BASE_DIR}\n{html}".encode()).hexdigest()


def cle_document(nature, *parties):
    """The key of a document: its nature, then every row it prints, each part a `values_list` queryset
    (or a plain value). A queryset's rows are hashed as the database driver gives them: Django's
    conversions (dates, decimals) cost more than the rest of a repeat download."""
    empreinte = hashlib.sha256(f"{nature}\n{_contexte_de_rendu()}\n".encode())
    for partie in parties:
        if isinstance(partie, QuerySet):
            sql, parametres = partie.query.sql_with_params()
            with connections[partie.db].cursor() as curseur:
                curseur.execute(sql, parametres)
                partie = curseur.fetchall()
        empreinte.update(repr(partie).encode())
        empreinte.update(b"\n")
    return empreinte.hexdigest()


def _contexte_de_rendu():
    reglages = [repr(getattr(settings, nom, None)) for nom in REGLAGES]
    dossiers = tuple(str(d) for moteur in settings.TEMPLATES for d in moteur.get("DIRS", []))
    return "\n".join([VERSION_WEASYPRINT, empreinte_gabarits(dossiers), empreinte_code(), *reglages])


@functools.cache
def empreinte_gabarits(dossiers):
    """Once a process: templates change only with a deployment, which starts new processes."""
    empreinte = hashlib.sha256()
    for dossier in dossiers:
        for fichier in sorted(Path(dossier).rglob("*")):
            if fichier.is_file():
                empreinte.update(f"{fichier.relative_to(dossier)}\n".encode())
                empreinte.update(fichier.read_bytes())
    return empreinte.hexdigest()


@functools.cache
def empreinte_code():
    """The Python of the project's own apps, once a process: the code that builds a document (the
    annex's groupings, totals, wording) changes its bytes as much as its template."""
    empreinte = hashlib.sha256()
    for app in sorted(apps.get_app_configs(), key=lambda a: a.label):
        dossier = Path(app.path)
        if dossier.parent != Path(settings.BASE_DIR):  # Django's and the libraries' are versioned
            continue
        for fichier in sorted(dossier.rglob("*.py")):
            empreinte.update(f"{app.label}/{fichier.relative_to(dossier)}\n".encode())
            empreinte.update(fichier.read_bytes())
    return empreinte.hexdigest()


def chemin_en_cache(cle, extension):
    return Path(settings.MEDIA_ROOT) / "cache-documents" / f"{cle}.{extension}"


def lire(chemin):
    """The kept bytes, or None. A read marks the entry used (access time), keeping it from pruning; its
    modification time stays the date it was made (the Last-Modified of the answer)."""
    try:
        contenu = chemin.read_bytes()
    except FileNotFoundError:
        return None
    marquer_lu(chemin)
    return contenu


def marquer_lu(chemin):
    with contextlib.suppress(FileNotFoundError):  # pruned meanwhile
        os.utime(chemin, (time.time(), chemin.stat().st_mtime))


def garder(chemin, contenu):
    """Written under a temporary name then renamed: a reader never sees half a file."""
    chemin.parent.mkdir(parents=True, exist_ok=True)
    provisoire = chemin.with_suffix(f".{os.getpid()}.{time.monotonic_ns()}.tmp")
    provisoire.write_bytes(contenu)
    # Dated by the clock that prunes, not by the file system's: a file server whose clock is a month
    # behind (or a test run at another date) would otherwise see the new file as stale and delete it.
    maintenant = time.time()
    os.utime(provisoire, (maintenant, maintenant))
    provisoire.replace(chemin)
    elaguer(chemin.parent)


def elaguer(dossier):
    """Entries neither read nor written for CONSERVATION seconds are deleted."""
    limite = time.time() - CONSERVATION
    for ancien in dossier.iterdir():
        if ancien.suffix == ".tmp":
            continue
        try:
            etat = ancien.stat()
            if max(etat.st_atime, etat.st_mtime) < limite:
                ancien.unlink()
        except FileNotFoundError:  # pruned by another process meanwhile
            pass


def colonnes(modele, chemin=""):
    """Every column of `modele` for `values_list`, reached through `chemin` (« porteur__ »)."""
    return [f"{chemin}{champ.attname}" for champ in modele._meta.concrete_fields]
