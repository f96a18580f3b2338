"""HTML to PDF with WeasyPrint, for every document of the project.

A PDF is kept in MEDIA_ROOT under the SHA-256 of its HTML: the HTML is drawn from every row, template
and setting the document depends on, so the same HTML is the same document, and a change to any of
them makes a new key. Laying out is what costs (seconds for a large annex); rendering the HTML does not.
"""

import hashlib
import os
import time
from importlib.metadata import version
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

# Entries unread for this long are pruned when a new one is written.
CONSERVATION = 30 * 24 * 3600
# Another WeasyPrint may lay out otherwise: part of the key.
VERSION_WEASYPRINT = version("weasyprint")


def rendre_html(gabarit, contexte):
    # Documents are French whatever the request's language (dates: « 16 mai 2024 »).
    with translation.override("fr"):
        return render_to_string(gabarit, contexte)


def html_vers_pdf(html, avancer=None):
    """avancer(pourcentage, étape), if given, is told when layout starts and when it is written."""
    chemin = _dans_le_cache(html)
    try:
        contenu = chemin.read_bytes()
    except FileNotFoundError:
        contenu = _mettre_en_page(html, avancer)
        _garder(chemin, contenu)
    else:
        os.utime(chemin)  # read: kept from pruning
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


def _dans_le_cache(html):
    cle = hashlib.sha256(f"{VERSION_WEASYPRINT}\n{settings.BASE_DIR}\n{html}".encode()).hexdigest()
    return _dossier() / f"{cle}.pdf"


def _garder(chemin, contenu):
    """Written under a temporary name then renamed: a reader never sees half a file."""
    chemin.parent.mkdir(parents=True, exist_ok=True)
    provisoire = chemin.with_suffix(f".{os.getpid()}.tmp")
    provisoire.write_bytes(contenu)
    provisoire.replace(chemin)
    limite = time.time() - CONSERVATION
    for ancien in chemin.parent.glob("*.pdf"):
        try:
            if ancien.stat().st_mtime < limite:
                ancien.unlink()
        except FileNotFoundError:  # pruned by another process meanwhile
            pass
