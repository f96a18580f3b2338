"""The plain xlsx read by python-calamine (Rust), several times faster than the expat reader, when
it is sure to give the same rows; None otherwise, and the expat reader (feuille.py) reads the file.

Where calamine does not give the expat reader's values, the expat reader (with openpyxl's date
rules) keeps the file. calamine gives a formula's cached value, where the import must see the
formula to refuse it; it leaves merged ranges, which the import applies; it decodes _xHHHH_ escapes
and phonetic guides its own way; it rounds durations its own way; and it builds each sheet as a
dense grid in memory. So the expat reader keeps every file that has:
- a formula (<f>), merged cells, phonetic guides, _xHHHH_ escapes, error cells or ISO dates;
- a duration format (openpyxl's is_timedelta_format);
- an element with a namespace prefix, a row or cell without its reference first: the checks below
  would not see everything;
- a grid that could be large (rows x columns beyond GRILLE_MAX), sheets and shared texts beyond
  PARTIES_MAX_CALAMINE: the expat reader streams them within its caps, and names the cap in French.
The archive, its parts' sizes and each sheet's stated dimension are checked before (as for the expat
reader); calamine is given a new archive of the parts as zipfile read them, within their declared
sizes; what it gives is checked again against the same caps, and any doubt falls back.
Values are made the expat reader's: an empty cell is None, a whole number below 10^15 an int (Excel
writes those in plain digits, which the expat reader reads as int), a date at midnight a datetime;
a date or time where openpyxl's rules see no date format falls back too. Dates follow openpyxl's
is_date_format there: both agree on the formats tested (dd/mm/yyyy, d mmmm yyyy, [$-40C]…;@, hh:mm,
yyyy-mm-dd h:mm:ss).
"""

import datetime
import io
import re
import zipfile

from python_calamine import CalamineWorkbook

from .commun import (
    CELLULES_MAX,
    CHAINES_MAX,
    CHAINES_NOMBRE_MAX,
    COLONNES_MAX,
    LIGNES_MAX,
    TEXTE_MAX,
    Feuille,
    Mo,
)

# Cells of the dense grid calamine allocates (about 32 bytes each): 3 000 000 is under 100 MB.
GRILLE_MAX = 3_000_000
PARTIES_MAX_CALAMINE = 40 * Mo  # sheets and shared texts, uncompressed
# Formulas, merged ranges, phonetic guides, escapes, error cells (#N/A) and ISO dates (t="d").
_A_L_EXPAT = (b"<f>", b"<f ", b"<mergeCell", b"rPh", b"_x", b't="e"', b't="d"')
_PREFIXE = re.compile(rb"<[A-Za-z_][\w.\-]*:")
_SANS_REFERENCE = re.compile(rb"<c(?:>|/>|\s(?!r=\"))|<row(?:>|/>|\s(?!r=\"))")
_LIGNES = re.compile(rb'<row r="([0-9]{1,7})"')
_ENTIER_EXACT = 1e15  # Excel writes whole numbers below this in plain digits
_TEMPORELS = (datetime.date, datetime.time, datetime.timedelta)


def lire_calamine(archive, classeur, progression=None, total=0):
    """The sheets as the expat reader would give them, or None if calamine may not be used;
    progression as the expat reader calls it (every 500 rows, then the <row> elements read)."""
    try:
        lues = _parties(archive, classeur)
        if lues is None:
            return None
        parties, lignes_en_tout = lues
        feuilles = _lire(_archive_bornee(parties), classeur, bool(classeur.dates), progression, total)
    except Exception:  # noqa: BLE001 — whatever zipfile or calamine dislikes, the expat reader names
        return None
    if feuilles is not None and progression:
        progression(lignes_en_tout, total=total)
    return feuilles


def _parties(archive, classeur):
    """({path: bytes} of the parts calamine reads, the <row> elements in all), or None."""
    if classeur.durees:
        return None  # durations: openpyxl rounds them its own way
    feuilles = [chemin for _, chemin in classeur.feuilles]
    taille_chaines = archive.getinfo(classeur.chemin_chaines).file_size if classeur.chemin_chaines else 0
    if taille_chaines > CHAINES_MAX:
        return None  # refused by the expat reader, in its words
    if taille_chaines + sum(archive.getinfo(chemin).file_size for chemin in feuilles) > PARTIES_MAX_CALAMINE:
        return None  # read whole here, then by calamine: a large file is streamed by expat
    parties, lignes_en_tout = {}, 0
    for chemin in feuilles:
        parties[chemin] = _lire_partie(archive, chemin)
        lignes = _lignes_bornees(parties[chemin])
        if lignes is None:
            return None
        lignes_en_tout += lignes
    if lignes_en_tout > LIGNES_MAX:
        return None
    if classeur.chemin_chaines is not None:
        chaines = parties[classeur.chemin_chaines] = _lire_partie(archive, classeur.chemin_chaines)
        if b"rPh" in chaines or b"_x" in chaines or _PREFIXE.search(chaines):
            return None
        if chaines.count(b"<si>") + chaines.count(b"<si ") > CHAINES_NOMBRE_MAX:
            return None
    noms = set(archive.namelist())
    for chemin in (
        "[Content_Types].xml",
        "_rels/.rels",
        classeur.chemin,
        classeur.chemin_relations,
        classeur.chemin_styles,
    ):
        if chemin in noms:
            parties[chemin] = _lire_partie(archive, chemin)
    return parties, lignes_en_tout


def _lire_partie(archive, chemin):
    """A part, decompressed a megabyte at a time: zipfile's read() of a whole part would inflate
    all its compressed bytes at once, whatever size the directory declares."""
    morceaux = []
    with archive.open(chemin) as flux:
        while morceau := flux.read(Mo):
            morceaux.append(morceau)
    return b"".join(morceaux)


def _archive_bornee(parties):
    """A new zip of the parts as zipfile read them, within their declared sizes: calamine would
    decompress a part whole, whatever size the archive declares for it."""
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w", zipfile.ZIP_STORED) as archive:
        for chemin, octets in parties.items():
            archive.writestr(chemin, octets)
    return sortie.getvalue()


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
