"""The plain xlsx read by python-calamine (Rust), several times faster than the expat reader, when
it is sure to give the same rows; None otherwise, and the expat reader (feuille.py) reads the file.

calamine builds each sheet as a dense grid before handing it over, and does not say which cells are
formulas (it gives their cached value) nor apply merged ranges as this import does. So the expat
reader keeps every sheet that has:
- a formula (<f>): the import refuses formulas, and only the expat reader sees them;
- merged cells, phonetic guides or _xHHHH_ escapes: applied or decoded by the expat reader's rules;
- an element with a namespace prefix, a row or cell without its reference first: the checks below
  would not see everything;
- a grid that could be large (rows x columns beyond GRILLE_MAX): the expat reader streams it within
  its caps and says which cap in French.
The archive, its parts' sizes and each sheet's stated dimension are checked before (as for the expat
reader); what calamine gives is checked again against the same caps, and any doubt falls back.
Values are made the expat reader's: an empty cell is None, a whole number an int (Excel writes those
without a decimal point, which the expat reader reads as int), a date at midnight a datetime; a
date, time or duration where openpyxl's rules see no date format falls back too.
"""

import datetime
import io
import re

from python_calamine import CalamineWorkbook

from .commun import CELLULES_MAX, COLONNES_MAX, LIGNES_MAX, TEXTE_MAX, Feuille, Mo

# Cells of the dense grid calamine allocates (about 32 bytes each): 3 000 000 is under 100 MB.
GRILLE_MAX = 3_000_000
PARTIES_MAX_CALAMINE = 60 * Mo  # sheets and shared texts, uncompressed (under CHAINES_MAX's 50 Mo too)
# Formulas, merged ranges, phonetic guides, escapes, error cells (#N/A) and ISO dates (t="d").
_A_L_EXPAT = (b"<f>", b"<f ", b"<mergeCell", b"rPh", b"_x", b't="e"', b't="d"')
_PREFIXE = re.compile(rb"<[A-Za-z_][\w.\-]*:")
_SANS_REFERENCE = re.compile(rb"<c(?:>|/>|\s(?!r=\"))|<row(?:>|/>|\s(?!r=\"))")
_LIGNES = re.compile(rb'<row r="([0-9]{1,7})"')
_ENTIER_EXACT = 1e15  # Excel writes whole numbers below this in plain digits
_TEMPORELS = (datetime.date, datetime.time, datetime.timedelta)


def lire_calamine(contenu, archive, classeur, progression=None, total=0):
    """The sheets as the expat reader would give them, or None if calamine may not be used;
    progression as the expat reader calls it (every 500 rows, then the <row> elements read)."""
    parties = [chemin for _, chemin in classeur.feuilles]
    if classeur.chemin_chaines is not None:
        parties.append(classeur.chemin_chaines)
    if sum(archive.getinfo(chemin).file_size for chemin in parties) > PARTIES_MAX_CALAMINE:
        return None  # read whole here, and again by calamine: a large file is streamed by expat
    lignes_en_tout = 0
    for _, chemin in classeur.feuilles:
        lignes = _lignes_bornees(archive.read(chemin))
        if lignes is None:
            return None
        lignes_en_tout += lignes
    if lignes_en_tout > LIGNES_MAX:
        return None
    if classeur.chemin_chaines is not None:
        chaines = archive.read(classeur.chemin_chaines)
        if b"rPh" in chaines or b"_x" in chaines or _PREFIXE.search(chaines):
            return None
    try:
        feuilles = _lire(contenu, classeur, bool(classeur.dates or classeur.durees), progression, total)
    except Exception:  # noqa: BLE001 — whatever calamine dislikes, the expat reader reads or names
        return None
    if feuilles is not None and progression:
        progression(lignes_en_tout, total=total)
    return feuilles


def _lire(contenu, classeur, dates, progression, total):
    feuilles, cellules, lues = [], 0, 0
    with CalamineWorkbook.from_filelike(io.BytesIO(contenu)) as classeur_calamine:
        for nom, _ in classeur.feuilles:
            lignes = []
            grille = classeur_calamine.get_sheet_by_name(nom).to_python(skip_empty_area=False)
            for rang, valeurs in enumerate(grille, start=1):
                lues += 1
                if progression and lues % 500 == 0:
                    progression(lues, total=total)
                ligne = _ligne(valeurs, dates)
                if ligne is None:
                    return None
                if ligne:
                    cellules += sum(v is not None for v in ligne)
                    lignes.append((rang, ligne))
            feuilles.append(Feuille(nom, lignes))
    return None if cellules > CELLULES_MAX else feuilles


def _lignes_bornees(xml):
    """The number of <row> of a sheet that calamine may read, else None."""
    if any(marque in xml for marque in _A_L_EXPAT):
        return None
    if _PREFIXE.search(xml) or _SANS_REFERENCE.search(xml):
        return None
    numeros = _LIGNES.findall(xml)
    if not numeros:
        return 0
    # The grid spans up to the highest row a cell names: bounded by the rows' digits (a cell naming
    # a row of more digits falls back), its columns by their letters (three letters fall back).
    chiffres = max(map(len, numeros))
    if re.search(rb'<c r="(?:[A-Z]{3}|[A-Z]{1,2}[0-9]{%d})' % (chiffres + 1), xml):
        return None
    colonnes = 26 if re.search(rb'<c r="[A-Z]{2}', xml) is None else 702
    return len(numeros) if 10**chiffres * colonnes <= GRILLE_MAX else None


def _ligne(valeurs, dates):
    """A row as a tuple, trailing empty cells dropped; () if empty; None if it needs the expat reader."""
    fin = len(valeurs)
    while fin and valeurs[fin - 1] == "":
        fin -= 1
    if fin > COLONNES_MAX:
        return None
    ligne = []
    for valeur in valeurs[:fin]:
        classe = valeur.__class__
        if classe is str:
            if not valeur:
                valeur = None
            elif len(valeur) > TEXTE_MAX:
                return None
        elif classe is float:
            if valeur.is_integer() and -_ENTIER_EXACT < valeur < _ENTIER_EXACT:
                valeur = int(valeur)
        elif isinstance(valeur, _TEMPORELS):
            if not dates:
                return None
            if classe is datetime.date:
                valeur = datetime.datetime(valeur.year, valeur.month, valeur.day)
        ligne.append(valeur)
    return tuple(ligne)
