"""Reading an uploaded file into sheets of rows: xlsx streamed with openpyxl (read-only), or CSV.

Everything that is not a readable spreadsheet ends as an ErreurImport with a French message.
"""

import csv
import functools
import io
import zipfile
from dataclasses import dataclass, field

from openpyxl import load_workbook
from openpyxl.utils import range_boundaries
from openpyxl.worksheet._reader import WorkSheetParser

from .erreurs import ErreurImport
from .valeurs import Formule

TAILLE_MAX = 20 * 1024 * 1024
COLONNES_MAX = 200
LIGNES_MAX = 200_000
SIGNATURE_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class PointVirgule(csv.excel):
    delimiter = ";"


@dataclass
class Feuille:
    nom: str
    lignes: list = field(default_factory=list)  # (numéro de ligne, tuple des valeurs)


def lire(contenu, nom_fichier, progression=None):
    """The sheets of an .xlsx or .csv file, as bytes; progression(lues, total=…) is called now and then."""
    if not contenu:
        raise ErreurImport("Le fichier est vide.")
    if len(contenu) > TAILLE_MAX:
        raise ErreurImport(
            f"Le fichier pèse {len(contenu) // (1024 * 1024)} Mo : la limite est de "
            f"{TAILLE_MAX // (1024 * 1024)} Mo. Pour un très gros fichier, utilisez la commande "
            "« importer_programmation »."
        )
    if contenu.startswith(SIGNATURE_OLE):
        raise ErreurImport(
            "Ce fichier est protégé par un mot de passe, ou au format Excel 97-2003 (.xls) : "
            "enregistrez-le sans mot de passe au format .xlsx, puis recommencez."
        )
    if contenu.startswith(b"PK"):
        return _lire_xlsx(contenu, progression)
    if nom_fichier.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        raise ErreurImport(f"« {nom_fichier} » n'est pas un classeur Excel lisible (.xlsx).")
    if not nom_fichier.lower().endswith((".csv", ".txt")):
        raise ErreurImport(
            f"« {nom_fichier} » n'est ni un classeur Excel (.xlsx) ni un fichier texte (.csv) : "
            "seuls ces deux formats peuvent être importés."
        )
    return [_lire_csv(contenu, nom_fichier)]


def _lire_xlsx(contenu, progression):
    try:
        classeur = load_workbook(io.BytesIO(contenu), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as erreur:
        raise ErreurImport(
            "Ce fichier n'est pas un classeur Excel lisible (.xlsx) : ouvrez-le dans votre tableur "
            "et enregistrez-le de nouveau au format .xlsx."
        ) from erreur
    except Exception as erreur:  # openpyxl raises many kinds on a damaged archive
        raise ErreurImport(f"Le classeur est illisible ({type(erreur).__name__}).") from erreur
    feuilles, lues = [], 0
    try:
        if progression:
            # The sheets' stated dimensions: enough for a progress bar.
            total = sum(feuille.max_row or 0 for feuille in classeur.worksheets)
            progression = functools.partial(progression, total=total)
        for feuille in classeur.worksheets:
            lignes, lues = _lignes_feuille(feuille, lues, progression)
            feuilles.append(Feuille(feuille.title, lignes))
        if progression:
            progression(lues)
    except ErreurImport:
        raise
    except Exception as erreur:
        raise ErreurImport(
            f"Le classeur est endommagé et n'a pas pu être lu ({type(erreur).__name__})."
        ) from erreur
    finally:
        classeur.close()
    return feuilles


def _lignes_feuille(feuille, lues, progression):
    """Streams the sheet with openpyxl's own parser, so that formulas are told from values and the
    merged ranges (listed at the end of the sheet) are known once the rows are read."""
    lignes = []
    with feuille._get_source() as source:
        parseur = WorkSheetParser(
            source,
            feuille._shared_strings,
            data_only=False,
            epoch=feuille.parent.epoch,
            date_formats=feuille.parent._date_formats,
            timedelta_formats=feuille.parent._timedelta_formats,
        )
        for numero, cellules in parseur.parse():
            valeurs = _valeurs(cellules, numero)
            if valeurs:
                lignes.append((numero, valeurs))
            lues += 1
            if lues > LIGNES_MAX:
                raise ErreurImport(f"Le fichier dépasse {LIGNES_MAX:,} lignes.".replace(",", " "))
            if progression and lues % 500 == 0:
                progression(lues)
        fusions = parseur.merged_cells
    if fusions:
        _reporter_fusions(lignes, [c.ref for c in fusions.mergeCell])
    return lignes, lues


def _valeurs(cellules, numero):
    largeur = 0
    for cellule in cellules:
        if cellule["value"] is not None and cellule["value"] != "":
            largeur = max(largeur, cellule["column"])
    if not largeur:
        return ()
    if largeur > COLONNES_MAX:
        raise ErreurImport(
            f"La ligne {numero} remplit la colonne n°{largeur} : un fichier d'import compte au plus "
            f"{COLONNES_MAX} colonnes. Supprimez les colonnes inutiles puis recommencez."
        )
    valeurs = [None] * largeur
    for cellule in cellules:
        colonne = cellule["column"]
        if colonne <= largeur:
            valeur = cellule["value"]
            if cellule["data_type"] == "f":
                valeur = Formule(valeur)
            valeurs[colonne - 1] = valeur
    return tuple(valeurs)


def _reporter_fusions(lignes, plages):
    """A value merged over several rows (a shared territory or objective) applies to each of them."""
    par_numero = {numero: i for i, (numero, _) in enumerate(lignes)}
    for plage in plages:
        col_min, ligne_min, col_max, ligne_max = range_boundaries(plage)
        if ligne_max == ligne_min or ligne_min not in par_numero:
            continue
        valeurs_haut = lignes[par_numero[ligne_min]][1]
        for numero in range(ligne_min + 1, ligne_max + 1):
            if numero not in par_numero:
                continue
            i = par_numero[numero]
            valeurs = list(lignes[i][1])
            for colonne in range(col_min, min(col_max, len(valeurs_haut)) + 1):
                if len(valeurs) < colonne:
                    valeurs.extend([None] * (colonne - len(valeurs)))
                if valeurs[colonne - 1] is None:
                    valeurs[colonne - 1] = valeurs_haut[colonne - 1]
            lignes[i] = (numero, tuple(valeurs))


def _lire_csv(contenu, nom_fichier):
    if b"\x00" in contenu[:4096]:
        raise ErreurImport(f"« {nom_fichier} » n'est ni un classeur Excel (.xlsx) ni un fichier CSV.")
    try:
        texte = contenu.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves CSV in cp1252; an odd byte becomes a visible « ? » rather than an error.
        texte = contenu.decode("cp1252", errors="replace")
    try:
        dialecte = csv.Sniffer().sniff(texte[:8192], delimiters=";,\t|")
    except csv.Error:
        dialecte = PointVirgule
    feuille = Feuille(nom_fichier)
    try:
        for numero, ligne in enumerate(csv.reader(io.StringIO(texte), dialecte), start=1):
            while ligne and not ligne[-1].strip():
                ligne.pop()
            if len(ligne) > COLONNES_MAX:
                raise ErreurImport(
                    f"La ligne {numero} compte {len(ligne)} colonnes : un fichier d'import en compte "
                    f"au plus {COLONNES_MAX}."
                )
            if numero > LIGNES_MAX:
                raise ErreurImport(f"Le fichier dépasse {LIGNES_MAX} lignes.")
            if ligne:
                feuille.lignes.append((numero, tuple(v if v.strip() else None for v in ligne)))
    except csv.Error as erreur:
        raise ErreurImport(f"Le fichier CSV est mal formé : {erreur}.") from erreur
    return feuille
