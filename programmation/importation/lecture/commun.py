"""What the xlsx and CSV readers share: the caps on what is read, their French wording, the sheet."""

import re
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

Mo = 1024 * 1024
TAILLE_MAX = 20 * Mo  # the file as sent
COLONNES_MAX = 200
# 100 000 rows keep the preview of the densest accepted file under 300 MB (200 000 measured 383 MB).
LIGNES_MAX = 100_000
CELLULES_MAX = 2_000_000  # filled cells kept in all
TEXTE_MAX = 10_000  # characters in one cell
LIGNE_CSV_MAX = 1_000_000  # characters in one CSV row
# The xlsx archive, as it declares itself before anything is decompressed.
VOLUME_MAX = 100 * Mo  # all parts, uncompressed
CHAINES_MAX = 50 * Mo  # xl/sharedStrings.xml, uncompressed
CHAINES_NOMBRE_MAX = 1_000_000
PARTIE_MAX = 10 * Mo  # workbook, relationships, styles
PARTIES_MAX = 1_000
TAUX_MAX = 200  # uncompressed / compressed, for a part above TAUX_SEUIL
TAUX_SEUIL = Mo
FUSIONS_MAX = 20_000
REPORTS_MAX = 2_000_000  # cells filled from merged ranges
# Excel's own limits: beyond them a file is forged.
COLONNE_EXCEL_MAX = 16_384
LIGNE_EXCEL_MAX = 1_048_576
SIGNATURE_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

ILLISIBLE = (
    "Ce fichier n'est pas un classeur Excel lisible (.xlsx) : ouvrez-le dans votre tableur "
    "et enregistrez-le de nouveau au format .xlsx."
)
COLONNES = {get_column_letter(n): n for n in range(1, 16_385)}  # 'A' -> 1 … 'XFD' -> 16 384
COORDONNEE = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})")


def _nombre(n):
    return f"{n:,}".replace(",", " ")


def _mo(octets):
    return f"{octets / Mo:,.0f}".replace(",", " ")


@dataclass
class Feuille:
    nom: str
    lignes: list = field(default_factory=list)  # (numéro de ligne, tuple des valeurs)
