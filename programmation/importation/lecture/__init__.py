"""Reading an uploaded file into sheets of rows: xlsx or CSV, within bounds checked before and while
reading, so that a small hostile file can never take much memory.

An xlsx is a zip of XML parts. Before anything is parsed, the archive's directory is checked (number
of parts, each part's declared size, the total, the compression ratio), then the start of each sheet
is read for its stated dimension. The parts are then streamed with expat, keeping only the values:
no XML tree is ever built, a text is never kept beyond TEXTE_MAX characters, and reading stops as
soon as a row, column or cell cap is crossed (a file may lie in its dimension, or state none).

A CSV is decoded line by line (UTF-8, UTF-16 with its BOM, or Windows-1252 when it is clearly not
UTF-8) and bounded the same way. Everything that is not a readable spreadsheet ends as an
ErreurImport with a French message.
"""

from ..erreurs import ErreurImport
from ..valeurs import Formule
from .archive import _analyser, _Arret, _local, _ouvrir_archive, _refuser_dtd, _rid
from .classeur import _Chaines, _Classeur, _colonne, _Dimension, _dimension, _Relations, _Styles, _TropLong
from .commun import (
    CELLULES_MAX,
    CHAINES_MAX,
    CHAINES_NOMBRE_MAX,
    COLONNE_EXCEL_MAX,
    COLONNES,
    COLONNES_MAX,
    COORDONNEE,
    FUSIONS_MAX,
    ILLISIBLE,
    LIGNE_CSV_MAX,
    LIGNE_EXCEL_MAX,
    LIGNES_MAX,
    PARTIE_MAX,
    PARTIES_MAX,
    REPORTS_MAX,
    SIGNATURE_OLE,
    TAILLE_MAX,
    TAUX_MAX,
    TAUX_SEUIL,
    TEXTE_MAX,
    VOLUME_MAX,
    Feuille,
    Mo,
    _mo,
    _nombre,
)
from .feuille import _Compteur, _LecteurFeuille, _nombre_xml, _reporter_fusions
from .fichier_csv import (
    ENCODAGES,
    PointVirgule,
    _encodage,
    _extrait,
    _lignes_bornees,
    _lignes_texte,
    _lire_csv,
)

# The private helpers are listed too: when this package was one module, they could be imported from it.
__all__ = [
    "CELLULES_MAX",
    "CHAINES_MAX",
    "CHAINES_NOMBRE_MAX",
    "COLONNE_EXCEL_MAX",
    "COLONNES",
    "COLONNES_MAX",
    "COORDONNEE",
    "ENCODAGES",
    "FUSIONS_MAX",
    "ILLISIBLE",
    "LIGNE_CSV_MAX",
    "LIGNE_EXCEL_MAX",
    "LIGNES_MAX",
    "PARTIE_MAX",
    "PARTIES_MAX",
    "REPORTS_MAX",
    "SIGNATURE_OLE",
    "TAILLE_MAX",
    "TAUX_MAX",
    "TAUX_SEUIL",
    "TEXTE_MAX",
    "VOLUME_MAX",
    "ErreurImport",
    "Feuille",
    "Formule",
    "Mo",
    "PointVirgule",
    "lire",
    "_Arret",
    "_Chaines",
    "_Classeur",
    "_Compteur",
    "_Dimension",
    "_LecteurFeuille",
    "_Relations",
    "_Styles",
    "_TropLong",
    "_analyser",
    "_colonne",
    "_dimension",
    "_encodage",
    "_extrait",
    "_lignes_bornees",
    "_lignes_texte",
    "_lire_csv",
    "_lire_xlsx",
    "_local",
    "_mo",
    "_nombre",
    "_nombre_xml",
    "_ouvrir_archive",
    "_refuser_dtd",
    "_reporter_fusions",
    "_rid",
]


def lire(contenu, nom_fichier, progression=None):
    """The sheets of an .xlsx or .csv file, as bytes; progression(lues, total=…) is called now and then."""
    if not contenu:
        raise ErreurImport("Le fichier est vide.")
    if len(contenu) > TAILLE_MAX:
        raise ErreurImport(
            f"Le fichier pèse {len(contenu) // Mo} Mo : la limite est de {TAILLE_MAX // Mo} Mo. "
            "Pour un très gros fichier, utilisez la commande « importer_programmation »."
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


# --- xlsx: the archive ---------------------------------------------------------------------------


def _lire_xlsx(contenu, progression):
    archive = _ouvrir_archive(contenu)
    try:
        classeur = _Classeur(archive)
        dimensions = [_dimension(archive, nom, chemin) for nom, chemin in classeur.feuilles]
        total = sum(lignes for lignes, _ in dimensions)
        if total > LIGNES_MAX:
            raise ErreurImport(
                f"Les feuilles de ce classeur s'étendent sur {_nombre(total)} lignes en tout : le fichier "
                f"dépasse {_nombre(LIGNES_MAX)} lignes. Supprimez les lignes inutiles (même vides), ou "
                "découpez le fichier, puis recommencez."
            )
        compteur = _Compteur(progression, total)
        chaines = classeur.chaines()
        feuilles = []
        for nom, chemin in classeur.feuilles:
            lecteur = _LecteurFeuille(nom, chaines, classeur, compteur)
            _analyser(archive, chemin, lecteur, VOLUME_MAX)
            _reporter_fusions(lecteur.lignes, lecteur.fusions)
            feuilles.append(Feuille(nom, lecteur.lignes))
        if progression:
            progression(compteur.lues, total=total)
        return feuilles
    except ErreurImport:
        raise
    except Exception as erreur:  # zipfile, zlib and a damaged part raise many kinds
        raise ErreurImport(
            f"Le classeur est endommagé et n'a pas pu être lu ({type(erreur).__name__})."
        ) from erreur
    finally:
        archive.close()
