"""HTML to PDF with WeasyPrint, for every document of the project."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def rendre_html(gabarit, contexte):
    # Documents are French whatever the request's language (dates: « 16 mai 2024 »).
    with translation.override("fr"):
        return render_to_string(gabarit, contexte)


def html_vers_pdf(html, avancer=None):
    """avancer(pourcentage, étape), if given, is told when layout starts and when it is written."""
    import weasyprint  # imported here: loading it costs ~0.3 s and most requests need no PDF

    avancer = avancer or (lambda *_: None)
    avancer(20, "Mise en page")
    document = weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    avancer(85, f"Écriture du PDF ({len(document.pages)} pages)")
    return document.write_pdf()
