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

import codecs
import contextlib
import csv
import io
import posixpath
import re
import struct
import zipfile
from dataclasses import dataclass, field
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

from .erreurs import ErreurImport
from .valeurs import Formule

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


def _ouvrir_archive(contenu):
    """The zip, once its directory says that it is a reasonable size once decompressed."""
    # The directory's own count, read before zipfile builds an object per part.
    fin = contenu[-(65536 + 22) :]
    position = fin.rfind(b"PK\x05\x06")
    if position >= 0 and len(fin) >= position + 22:
        parties, taille_repertoire = struct.unpack("<HI", fin[position + 10 : position + 16])
        if parties > PARTIES_MAX or taille_repertoire > PARTIES_MAX * 1024:
            raise ErreurImport(
                f"Ce classeur compte {_nombre(parties)} éléments compressés : un classeur ordinaire en "
                f"compte quelques dizaines (au plus {_nombre(PARTIES_MAX)}). Il ne peut pas être importé."
            )
    try:
        archive = zipfile.ZipFile(io.BytesIO(contenu))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error) as erreur:
        raise ErreurImport(ILLISIBLE) from erreur
    if len(infos) > PARTIES_MAX:
        archive.close()
        raise ErreurImport(f"Ce classeur compte plus de {_nombre(PARTIES_MAX)} éléments compressés.")
    total = 0
    for info in infos:
        total += info.file_size
        if info.flag_bits & 0x1:
            archive.close()
            raise ErreurImport(
                "Ce classeur est protégé par un mot de passe : enregistrez-le sans mot de passe au "
                "format .xlsx, puis recommencez."
            )
        if info.file_size > TAUX_SEUIL and info.file_size > TAUX_MAX * max(info.compress_size, 1):
            archive.close()
            raise ErreurImport(
                f"L'élément « {info.filename[:80]} » du classeur est compressé "
                f"{_nombre(info.file_size // max(info.compress_size, 1))} fois ({_mo(info.file_size)} Mo "
                "une fois décompressé) : un classeur ordinaire ne l'est jamais autant. Ce fichier ne "
                "peut pas être importé ; enregistrez de nouveau les données dans un classeur neuf."
            )
    if total > VOLUME_MAX:
        archive.close()
        raise ErreurImport(
            f"Une fois décompressé, ce classeur occuperait {_mo(total)} Mo : la limite est de "
            f"{VOLUME_MAX // Mo} Mo. Supprimez les feuilles, lignes ou mises en forme inutiles, ou "
            "enregistrez les données au format .csv, puis recommencez."
        )
    return archive


class _Arret(Exception):
    """Stops a parse once what was looked for is found."""


def _analyser(archive, chemin, lecteur, limite):
    """Streams one part of the archive through expat into the lecteur's handlers."""
    try:
        info = archive.getinfo(chemin)
    except KeyError:
        raise ErreurImport(ILLISIBLE) from None
    if info.file_size > limite:
        raise ErreurImport(
            f"L'élément « {chemin[:80]} » du classeur occuperait {_mo(info.file_size)} Mo une fois "
            f"décompressé : la limite est de {_mo(limite)} Mo."
        )
    parseur = expat.ParserCreate()
    parseur.buffer_text = True
    parseur.buffer_size = 65536
    parseur.StartElementHandler = lecteur.debut
    parseur.EndElementHandler = lecteur.fin
    parseur.CharacterDataHandler = getattr(lecteur, "texte", None)
    parseur.StartDoctypeDeclHandler = _refuser_dtd
    parseur.EntityDeclHandler = _refuser_dtd
    parseur.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    lus = 0
    try:
        with archive.open(info) as flux:
            while bloc := flux.read(65536):
                lus += len(bloc)
                if lus > limite:  # zipfile stops at the declared size; this is only a guard
                    raise ErreurImport(f"L'élément « {chemin[:80]} » du classeur est trop grand.")
                parseur.Parse(bloc, False)
            parseur.Parse(b"", True)
    except _Arret:
        pass
    except expat.ExpatError as erreur:
        raise ErreurImport(
            f"Le classeur est endommagé et n'a pas pu être lu (XML invalide dans « {chemin[:80]} », "
            f"ligne {erreur.lineno})."
        ) from erreur


def _refuser_dtd(*args):
    raise ErreurImport("Ce classeur contient une déclaration XML (DTD) qu'aucun tableur n'écrit : refusé.")


def _local(nom):
    """'c' for 'c' or 'x:c' (no namespace processing: faster, and a prefix is all a writer varies)."""
    return nom.rpartition(":")[2]


def _rid(attributs):
    for cle, valeur in attributs.items():
        if cle.endswith(":id"):
            return valeur
    return None


class _Relations:
    """A .rels part: identifier -> (type, target path in the archive)."""

    def __init__(self, base):
        self.base, self.cibles = base, {}

    def debut(self, nom, attributs):
        if _local(nom) != "Relationship" or attributs.get("TargetMode") == "External":
            return
        cible = attributs.get("Target", "")
        if cible.startswith("/"):
            chemin = cible.lstrip("/")
        else:
            chemin = posixpath.normpath(posixpath.join(self.base, cible))
        if len(self.cibles) < PARTIES_MAX:
            self.cibles[attributs.get("Id")] = (attributs.get("Type", ""), chemin)

    def fin(self, nom):
        pass

    def du_type(self, suffixe):
        return [chemin for type_, chemin in self.cibles.values() if type_.endswith(suffixe)]


class _Classeur:
    """The workbook part: its sheets in order, its calendar, the styles that are dates."""

    def __init__(self, archive):
        self.archive = archive
        noms = set(archive.namelist())
        racine = _Relations("")
        if "_rels/.rels" in noms:
            _analyser(archive, "_rels/.rels", racine, PARTIE_MAX)
        chemin = next(iter(racine.du_type("/officeDocument")), "xl/workbook.xml")
        if chemin not in noms:
            raise ErreurImport(ILLISIBLE)
        self._feuilles, self.epoque = [], CALENDAR_WINDOWS_1900
        _analyser(archive, chemin, self, PARTIE_MAX)
        dossier, base = posixpath.split(chemin)
        relations = _Relations(dossier)
        chemin_relations = posixpath.join(dossier, "_rels", base + ".rels")
        if chemin_relations in noms:
            _analyser(archive, chemin_relations, relations, PARTIE_MAX)
        self.feuilles = []
        for nom, rid in self._feuilles:
            type_, cible = relations.cibles.get(rid, ("", ""))
            if not type_.endswith("/worksheet"):
                continue  # a chart sheet, or a dangling reference
            if cible not in noms:
                raise ErreurImport(ILLISIBLE)
            self.feuilles.append((nom, cible))
        if not self.feuilles:
            raise ErreurImport(ILLISIBLE)
        self.chemin_chaines = next(
            (c for c in relations.du_type("/sharedStrings") if c in noms),
            "xl/sharedStrings.xml" if "xl/sharedStrings.xml" in noms else None,
        )
        styles = next((c for c in relations.du_type("/styles") if c in noms), None)
        self.dates, self.durees = set(), set()
        if styles:
            lecteur = _Styles()
            _analyser(archive, styles, lecteur, PARTIE_MAX)
            for index, format_id in enumerate(lecteur.xfs):
                code = lecteur.formats.get(format_id) or BUILTIN_FORMATS.get(format_id, "General")
                if is_date_format(code):
                    self.dates.add(index)
                if is_timedelta_format(code):
                    self.durees.add(index)

    def debut(self, nom, attributs):
        local = _local(nom)
        if local == "sheet" and len(self._feuilles) < PARTIES_MAX:
            self._feuilles.append((attributs.get("name", "")[:200], _rid(attributs)))
        elif local == "workbookPr" and attributs.get("date1904") in ("1", "true"):
            self.epoque = CALENDAR_MAC_1904

    def fin(self, nom):
        pass

    def chaines(self):
        if self.chemin_chaines is None:
            return []
        info = self.archive.getinfo(self.chemin_chaines)
        if info.file_size > CHAINES_MAX:
            raise ErreurImport(
                f"Les textes de ce classeur occuperaient {_mo(info.file_size)} Mo une fois décompressés : "
                f"la limite est de {CHAINES_MAX // Mo} Mo. Supprimez les textes inutiles, ou enregistrez "
                "les données au format .csv, puis recommencez."
            )
        lecteur = _Chaines()
        _analyser(self.archive, self.chemin_chaines, lecteur, CHAINES_MAX)
        return lecteur.chaines


class _Styles:
    """Only what tells a date from a number: the custom number formats and each cell style's format."""

    def __init__(self):
        self.formats, self.xfs, self.dans_xfs = {}, [], False

    def debut(self, nom, attributs):
        local = _local(nom)
        if local == "numFmt" and len(self.formats) < COLONNE_EXCEL_MAX:
            with contextlib.suppress(ValueError):
                self.formats[int(attributs.get("numFmtId", ""))] = attributs.get("formatCode", "")[:255]
        elif local == "cellXfs":
            self.dans_xfs = True
        elif local == "xf" and self.dans_xfs and len(self.xfs) < 65_536:
            try:
                self.xfs.append(int(attributs.get("numFmtId", 0)))
            except ValueError:
                self.xfs.append(0)

    def fin(self, nom):
        if _local(nom) == "cellXfs":
            self.dans_xfs = False


class _TropLong:
    """A shared text longer than TEXTE_MAX, kept only by its length: refused if a cell uses it."""

    __slots__ = ("longueur",)

    def __init__(self, longueur):
        self.longueur = longueur


class _Chaines:
    """xl/sharedStrings.xml: one text per <si>, its runs joined, the phonetic guides left out; a text
    is never kept beyond TEXTE_MAX characters."""

    def __init__(self):
        self.chaines, self.morceaux, self.longueur = [], [], 0
        self.collecte, self.phonetique = False, 0

    def debut(self, nom, attributs):
        local = _local(nom)
        if local == "si":
            self.morceaux, self.longueur = [], 0
        elif local == "t" and not self.phonetique:
            self.collecte = True
        elif local == "rPh":
            self.phonetique += 1

    def fin(self, nom):
        local = _local(nom)
        if local == "t":
            self.collecte = False
        elif local == "rPh":
            self.phonetique -= 1
        elif local == "si":
            if self.longueur > TEXTE_MAX:
                self.chaines.append(_TropLong(self.longueur))
            else:
                self.chaines.append("".join(self.morceaux).replace("x005F_", ""))
            self.morceaux = []
            if len(self.chaines) > CHAINES_NOMBRE_MAX:
                raise ErreurImport(
                    f"Ce classeur compte plus de {_nombre(CHAINES_NOMBRE_MAX)} textes différents : "
                    "il ne peut pas être importé."
                )

    def texte(self, donnees):
        if self.collecte:
            self.longueur += len(donnees)
            if self.longueur <= TEXTE_MAX:
                self.morceaux.append(donnees)


class _Dimension:
    """The start of a sheet, up to its <dimension> or its first row."""

    def __init__(self):
        self.ref = None

    def debut(self, nom, attributs):
        local = _local(nom)
        if local == "dimension":
            self.ref = attributs.get("ref")
            raise _Arret
        if local in ("sheetData", "row"):
            raise _Arret

    def fin(self, nom):
        pass


def _dimension(archive, nom, chemin):
    """(rows, columns) the sheet states, refused beyond the caps before any row is read."""
    lecteur = _Dimension()
    _analyser(archive, chemin, lecteur, VOLUME_MAX)
    if not lecteur.ref:
        return 0, 0
    fin = lecteur.ref.upper().rpartition(":")[2]
    correspondance = COORDONNEE.fullmatch(fin)
    if not correspondance:
        return 0, 0
    lignes, colonnes = int(correspondance[2]), _colonne(correspondance[1])
    if lignes > LIGNES_MAX:
        raise ErreurImport(
            f"La feuille « {nom} » s'étend sur {_nombre(lignes)} lignes ({lecteur.ref[:40]}) : le fichier "
            f"dépasse {_nombre(LIGNES_MAX)} lignes. Supprimez les lignes inutiles (même vides), ou "
            "découpez le fichier, puis recommencez."
        )
    if colonnes > COLONNES_MAX:
        raise ErreurImport(
            f"La feuille « {nom} » s'étend sur {_nombre(colonnes)} colonnes ({lecteur.ref[:40]}) : un "
            f"fichier d'import compte au plus {COLONNES_MAX} colonnes. Supprimez les colonnes inutiles "
            "(même vides) puis recommencez."
        )
    return lignes, colonnes


def _colonne(lettres):
    numero = 0
    for lettre in lettres:
        numero = numero * 26 + ord(lettre) - 64
    return numero


class _Compteur:
    """Rows read in all the sheets (for the caps and the progress bar), filled cells kept in all."""

    def __init__(self, progression, total):
        self.progression, self.total, self.lues, self.cellules = progression, total, 0, 0

    def ligne(self):
        self.lues += 1
        if self.lues > LIGNES_MAX:
            raise ErreurImport(f"Le fichier dépasse {_nombre(LIGNES_MAX)} lignes.")
        if self.progression and self.lues % 500 == 0:
            self.progression(self.lues, total=self.total)

    def cellule(self):
        self.cellules += 1
        if self.cellules > CELLULES_MAX:
            raise ErreurImport(
                f"Le fichier compte plus de {_nombre(CELLULES_MAX)} cellules remplies : découpez-le, "
                "puis recommencez."
            )


class _LecteurFeuille:
    """One worksheet streamed: each row as the tuple of its values, formulas told from values, the
    merged ranges (listed after the rows) kept to be applied at the end. Written for speed: one
    call per XML event, flat state, the text of <v>, <f> and <is> collected up to TEXTE_MAX."""

    def __init__(self, nom, chaines, classeur, compteur):
        self.nom, self.chaines, self.compteur = nom, chaines, compteur
        self.dates, self.durees, self.epoque = classeur.dates, classeur.durees, classeur.epoque
        self.lignes, self.fusions, self.formules_partagees = [], [], {}
        self.dans_donnees, self.numero, self.rang, self.cellules_ligne, self.valeurs_ligne = (
            False,
            0,
            0,
            0,
            {},
        )
        self.morceaux, self.longueur, self.collecte, self.phonetique = [], 0, False, 0
        self.type, self.style, self.v, self.f, self.formule, self.en_ligne = "n", 0, None, None, None, None
        self.debuts = {
            "c": self._debut_cellule,
            "v": self._debut_texte,
            "f": self._debut_formule,
            "is": self._debut_en_ligne,
            "t": self._debut_t,
            "rPh": self._debut_phonetique,
            "row": self._debut_ligne,
        }
        self.fins = {
            "c": self._fin_cellule,
            "v": self._fin_valeur,
            "f": self._fin_formule,
            "is": self._fin_en_ligne,
            "t": self._fin_t,
            "rPh": self._fin_phonetique,
            "row": self._fin_ligne,
            "sheetData": self._fin_donnees,
        }

    # expat handlers

    def debut(self, nom, attributs):
        if self.dans_donnees:
            action = self.debuts.get(nom) or self.debuts.get(_local(nom))
            if action is not None:
                action(attributs)
            return
        local = _local(nom)
        if local == "sheetData":
            self.dans_donnees = True
        elif local == "mergeCell":
            self._fusion(attributs.get("ref", ""))

    def fin(self, nom):
        if self.dans_donnees:
            action = self.fins.get(nom) or self.fins.get(_local(nom))
            if action is not None:
                action()

    def texte(self, donnees):
        if self.collecte:
            self.longueur += len(donnees)
            if self.longueur <= TEXTE_MAX:
                self.morceaux.append(donnees)

    # text of the cell's parts

    def _debut_texte(self, attributs):
        self.morceaux, self.longueur, self.collecte = [], 0, True

    def _pris(self):
        self.collecte = False
        if self.longueur > TEXTE_MAX:
            return _TropLong(self.longueur)
        return "".join(self.morceaux)

    def _fin_valeur(self):
        self.v = self._pris()

    def _debut_formule(self, attributs):
        self.formule = attributs.get("t"), attributs.get("si")
        self._debut_texte(attributs)

    def _fin_formule(self):
        self.f = self._pris()

    def _debut_en_ligne(self, attributs):
        self.morceaux, self.longueur, self.collecte = [], 0, False
        self.en_ligne = ""

    def _debut_t(self, attributs):
        if self.en_ligne is not None and not self.phonetique:
            self.collecte = True

    def _fin_t(self):
        self.collecte = False

    def _fin_en_ligne(self):
        self.en_ligne = self._pris()

    def _debut_phonetique(self, attributs):
        self.phonetique += 1

    def _fin_phonetique(self):
        self.phonetique -= 1

    def _fin_donnees(self):
        self.dans_donnees = False

    # rows and cells

    def _debut_ligne(self, attributs):
        self.compteur.ligne()
        numero = attributs.get("r")
        if numero is None:
            self.numero += 1
        else:
            try:
                self.numero = int(float(numero)) if "." in numero else int(numero)
            except ValueError:
                raise ErreurImport(
                    f"Le classeur est endommagé : numéro de ligne « {numero[:20]} »."
                ) from None
        if not 0 < self.numero <= LIGNE_EXCEL_MAX:
            raise ErreurImport(f"Le classeur est endommagé : numéro de ligne {self.numero}.")
        if self.numero > LIGNES_MAX:
            raise ErreurImport(
                f"La feuille « {self.nom} » a une ligne n°{_nombre(self.numero)} : le fichier dépasse "
                f"{_nombre(LIGNES_MAX)} lignes."
            )
        self.rang, self.cellules_ligne, self.valeurs_ligne = 0, 0, {}

    def _debut_cellule(self, attributs):
        self.cellules_ligne += 1
        if self.cellules_ligne > COLONNE_EXCEL_MAX:
            raise ErreurImport(
                f"La ligne {self.numero} de la feuille « {self.nom} » compte plus de "
                f"{_nombre(COLONNE_EXCEL_MAX)} cellules, le maximum d'Excel : ce fichier ne peut pas "
                "être importé."
            )
        reference = attributs.get("r")
        if reference:
            rang = COLONNES.get(reference.rstrip("0123456789"))
            if rang is None:
                raise ErreurImport(f"Le classeur est endommagé : cellule « {reference[:20]} ».")
            self.rang = rang
        else:
            self.rang += 1
            if self.rang > COLONNE_EXCEL_MAX:
                raise ErreurImport(
                    f"Le classeur est endommagé : la ligne {self.numero} a une cellule au-delà de la "
                    "dernière colonne d'Excel."
                )
        self.type = attributs.get("t", "n")
        style = attributs.get("s")
        self.style = int(style) if style and style.isdigit() else 0
        self.v = self.f = self.formule = self.en_ligne = None
        self.collecte = False

    def _fin_cellule(self):
        valeur = self._valeur_cellule()
        if valeur is None or valeur == "":
            return
        if isinstance(valeur, str) and len(valeur) > TEXTE_MAX:
            valeur = _TropLong(len(valeur))
        if valeur.__class__ is _TropLong:
            raise ErreurImport(
                f"La cellule {get_column_letter(self.rang)}{self.numero} de la feuille « {self.nom} » "
                f"contient {_nombre(valeur.longueur)} caractères : une cellule "
                f"en compte au plus {_nombre(TEXTE_MAX)}. Raccourcissez-la, puis recommencez."
            )
        if self.rang > COLONNES_MAX:
            raise ErreurImport(
                f"La ligne {self.numero} remplit la colonne n°{self.rang} : un fichier d'import compte au "
                f"plus {COLONNES_MAX} colonnes. Supprimez les colonnes inutiles puis recommencez."
            )
        self.compteur.cellule()
        self.valeurs_ligne[self.rang] = valeur

    def _valeur_cellule(self):
        if self.formule is not None:
            texte = self.f or ""
            if texte.__class__ is _TropLong:
                return texte
            type_, index = self.formule
            if type_ == "shared":
                if texte:
                    if len(self.formules_partagees) < COLONNE_EXCEL_MAX:
                        self.formules_partagees[index] = texte
                else:
                    texte = self.formules_partagees.get(index, "")
            return Formule("=" + texte)
        type_ = self.type
        if type_ == "inlineStr":
            return self.en_ligne
        brut = self.v
        if not brut or brut.__class__ is _TropLong:
            return brut or None
        if type_ == "n":
            nombre = _nombre_xml(brut)
            if self.style not in self.dates or isinstance(nombre, str):
                return nombre
            try:
                return from_excel(nombre, self.epoque, timedelta=self.style in self.durees)
            except (OverflowError, ValueError, TypeError):
                return "#VALUE!"
        if type_ == "s":
            try:
                return self.chaines[int(brut)]
            except (ValueError, IndexError):
                raise ErreurImport(
                    f"Le classeur est endommagé : la cellule {get_column_letter(self.rang)}{self.numero} "
                    "renvoie à un texte qui n'existe pas."
                ) from None
        if type_ == "b":
            return brut.strip() in ("1", "true")
        if type_ == "d":
            try:
                return from_ISO8601(brut)
            except (ValueError, TypeError):
                return brut
        return brut  # "str", "e" (#N/A…) and unknown types: the text as written

    def _fin_ligne(self):
        if self.valeurs_ligne:
            valeurs = [None] * max(self.valeurs_ligne)
            for colonne, valeur in self.valeurs_ligne.items():
                valeurs[colonne - 1] = valeur
            self.lignes.append((self.numero, tuple(valeurs)))
            self.valeurs_ligne = {}

    def _fusion(self, plage):
        if len(self.fusions) >= FUSIONS_MAX:
            raise ErreurImport(
                f"La feuille « {self.nom} » compte plus de {_nombre(FUSIONS_MAX)} cellules fusionnées : "
                "annulez les fusions inutiles, puis recommencez."
            )
        with contextlib.suppress(ValueError, TypeError):  # a damaged merge is ignored, as in a spreadsheet
            self.fusions.append(range_boundaries(plage))


def _nombre_xml(brut):
    """A number cell's text as int or float ('NaN' and 'INF' included: the amount check names them);
    a text that is no number at all is kept as written."""
    try:
        if "." in brut or "e" in brut or "E" in brut:
            return float(brut)
        return int(brut)
    except ValueError:
        try:
            return float(brut)
        except ValueError:
            return brut


def _reporter_fusions(lignes, plages):
    """A value merged over several rows (a shared territory or objective) applies to each of them."""
    if not plages or not lignes:
        return
    par_numero = {numero: i for i, (numero, _) in enumerate(lignes)}
    derniere = max(par_numero)
    reports = 0
    for col_min, ligne_min, col_max, ligne_max in plages:
        if col_min is None or ligne_min is None or ligne_max is None or col_max is None:
            continue
        if ligne_max == ligne_min or ligne_min not in par_numero:
            continue
        valeurs_haut = lignes[par_numero[ligne_min]][1]
        col_max = min(col_max, len(valeurs_haut))
        for numero in range(ligne_min + 1, min(ligne_max, derniere) + 1):
            if numero not in par_numero:
                continue
            reports += max(col_max - col_min + 1, 0)
            if reports > REPORTS_MAX:
                raise ErreurImport(
                    "Les cellules fusionnées de ce classeur couvrent trop de cellules : annulez les fusions "
                    "inutiles, puis recommencez."
                )
            i = par_numero[numero]
            valeurs = list(lignes[i][1])
            for colonne in range(col_min, col_max + 1):
                if len(valeurs) < colonne:
                    valeurs.extend([None] * (colonne - len(valeurs)))
                if valeurs[colonne - 1] is None:
                    valeurs[colonne - 1] = valeurs_haut[colonne - 1]
            lignes[i] = (numero, tuple(valeurs))


# --- CSV -----------------------------------------------------------------------------------------


def _lire_csv(contenu, nom_fichier):
    encodage = _encodage(contenu, nom_fichier)
    echantillon, longueur = [], 0
    for ligne in _lignes_texte(contenu, encodage):
        echantillon.append(ligne[: 8192 - longueur])
        longueur += len(echantillon[-1])
        if longueur >= 8192:
            break
    try:
        dialecte = csv.Sniffer().sniff("".join(echantillon), delimiters=";,\t|")
    except csv.Error:
        dialecte = PointVirgule
    feuille = Feuille(nom_fichier)
    etat = {"longueur": 0, "numero": 1}
    lecteur = csv.reader(_lignes_bornees(_lignes_texte(contenu, encodage), etat), dialecte)
    cellules = 0
    try:
        for numero, ligne in enumerate(lecteur, start=1):
            etat["longueur"], etat["numero"] = 0, numero + 1
            if numero > LIGNES_MAX:
                raise ErreurImport(f"Le fichier dépasse {_nombre(LIGNES_MAX)} lignes.")
            while ligne and not ligne[-1].strip():
                ligne.pop()
            if len(ligne) > COLONNES_MAX:
                raise ErreurImport(
                    f"La ligne {numero} compte {_nombre(len(ligne))} colonnes : un fichier d'import en "
                    f"compte au plus {COLONNES_MAX}."
                )
            valeurs = []
            for colonne, valeur in enumerate(ligne, start=1):
                if not valeur.strip():
                    valeurs.append(None)
                    continue
                if len(valeur) > TEXTE_MAX:
                    raise ErreurImport(
                        f"La cellule {get_column_letter(colonne)}{numero} contient {_nombre(len(valeur))} "
                        f"caractères : une cellule en compte au plus {_nombre(TEXTE_MAX)}. Raccourcissez-la, "
                        "puis recommencez."
                    )
                cellules += 1
                if cellules > CELLULES_MAX:
                    raise ErreurImport(
                        f"Le fichier compte plus de {_nombre(CELLULES_MAX)} cellules remplies : "
                        "découpez-le, puis recommencez."
                    )
                valeurs.append(valeur)
            if valeurs:
                feuille.lignes.append((numero, tuple(valeurs)))
    except csv.Error as erreur:
        if "field larger than field limit" in str(erreur):
            raise ErreurImport(
                f"La ligne {etat['numero']} a une cellule de plus de {_nombre(TEXTE_MAX)} caractères : "
                "raccourcissez-la, puis recommencez."
            ) from erreur
        raise ErreurImport(f"Le fichier CSV est mal formé : {erreur}.") from erreur
    return feuille


def _lignes_bornees(lignes, etat):
    """The lines, refused once the row being read (a quoted cell may span lines) passes LIGNE_CSV_MAX."""
    for ligne in lignes:
        etat["longueur"] += len(ligne)
        if etat["longueur"] > LIGNE_CSV_MAX:
            raise ErreurImport(
                f"La ligne {etat['numero']} du fichier dépasse {_nombre(LIGNE_CSV_MAX)} caractères : ce "
                "n'est pas un fichier d'import ordinaire."
            )
        yield ligne


ENCODAGES = {"utf-8": "UTF-8", "cp1252": "Windows-1252"}


def _lignes_texte(contenu, encodage):
    """The decoded lines, one at a time (never the whole text in memory twice)."""
    if encodage.startswith(("utf-16", "utf-32")):
        flux = io.TextIOWrapper(io.BytesIO(contenu), encoding=encodage, newline="")
        numero = 0
        try:
            for numero, ligne in enumerate(flux, start=1):  # noqa: B007
                if "\x00" in ligne:
                    raise ErreurImport("Ce fichier n'est ni un classeur Excel (.xlsx) ni un fichier CSV.")
                yield ligne
        except UnicodeDecodeError as erreur:
            raise ErreurImport(
                f"Le fichier est en {encodage.upper()}, mais il est mal encodé après la ligne {numero} : "
                "enregistrez-le de nouveau au format « CSV UTF-8 », puis recommencez."
            ) from erreur
        return
    octets_max = 4 * LIGNE_CSV_MAX
    for numero, ligne in enumerate(io.BytesIO(contenu), start=1):
        if len(ligne) > octets_max:
            raise ErreurImport(
                f"La ligne {numero} du fichier dépasse {_nombre(LIGNE_CSV_MAX)} caractères : ce "
                "n'est pas un fichier d'import ordinaire."
            )
        if numero == 1 and ligne.startswith(codecs.BOM_UTF8):
            ligne = ligne[len(codecs.BOM_UTF8) :]
        if encodage == "utf-8":
            yield ligne.decode("utf-8")  # checked by _encodage
        else:
            # An undefined byte of Windows-1252 becomes a visible « � » rather than an error.
            yield ligne.decode("cp1252", errors="replace")


def _encodage(contenu, nom_fichier):
    """The CSV's encoding. A BOM says it (UTF-8, UTF-16, UTF-32). Otherwise: UTF-8 when every
    non-ASCII line is valid UTF-8; Windows-1252 (Excel's « CSV » on Windows) when no line is valid
    UTF-8, or when invalid lines outnumber valid ones (a few Windows-1252 byte pairs can look like
    UTF-8); a file that is mostly UTF-8 with a few invalid lines is refused, naming them, rather than
    being read wholly as Windows-1252."""
    if contenu.startswith(codecs.BOM_UTF8):
        encodage = "utf-8"
    elif contenu.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    elif contenu.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    else:
        debut = contenu[:4096]
        if b"\x00" in debut:
            pairs, impairs = debut[0::2], debut[1::2]
            if impairs.count(0) >= 0.7 * len(impairs) and pairs.count(0) <= 0.1 * len(pairs):
                return "utf-16-le"
            if pairs.count(0) >= 0.7 * len(pairs) and impairs.count(0) <= 0.1 * len(impairs):
                return "utf-16-be"
            raise ErreurImport(f"« {nom_fichier} » n'est ni un classeur Excel (.xlsx) ni un fichier CSV.")
        encodage = None
    if contenu.isascii():
        return "utf-8"
    valides, invalides, exemple = 0, [], None
    for numero, ligne in enumerate(io.BytesIO(contenu), start=1):
        if ligne.isascii():
            continue
        try:
            ligne.decode("utf-8-sig" if numero == 1 else "utf-8")
            valides += 1
        except UnicodeDecodeError as erreur:
            invalides.append(numero)
            if exemple is None:
                exemple = _extrait(ligne, erreur.start)
    if not invalides:
        return "utf-8"
    if encodage is None and len(invalides) > valides:
        return "cp1252"
    lignes = [str(n) for n in invalides[:5]]
    liste = ", ".join(lignes[:-1]) + " et " + lignes[-1] if len(lignes) > 1 else lignes[0]
    if len(invalides) > 5:
        liste = f"{', '.join(lignes)} et {len(invalides) - 5} autre(s)"
    pluriel = len(invalides) > 1
    raise ErreurImport(
        f"Le fichier est enregistré en UTF-8, mais {'les lignes' if pluriel else 'la ligne'} {liste} "
        f"{'contiennent' if pluriel else 'contient'} des caractères illisibles (ligne {invalides[0]} : "
        f"« {exemple} ») : corrigez {'ces lignes' if pluriel else 'cette ligne'}, ou enregistrez de "
        "nouveau le fichier au format « CSV UTF-8 », puis recommencez."
    )


def _extrait(ligne, position):
    """A few characters around the first invalid byte, the byte shown as « � »."""
    avant = ligne[max(position - 40, 0) : position].decode("utf-8", errors="replace")
    apres = ligne[position : position + 40].decode("utf-8", errors="replace")
    return (avant[-30:] + apres[:20]).strip()
