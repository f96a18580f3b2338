"""The xlsx parts around the rows: relationships, the workbook, styles, shared texts, sheet dimensions."""

import contextlib
import posixpath

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

from ..erreurs import ErreurImport
from .archive import _analyser, _Arret, _local, _rid
from .commun import (
    CHAINES_MAX,
    CHAINES_NOMBRE_MAX,
    COLONNE_EXCEL_MAX,
    COLONNES_MAX,
    COORDONNEE,
    ILLISIBLE,
    LIGNES_MAX,
    PARTIE_MAX,
    PARTIES_MAX,
    TEXTE_MAX,
    VOLUME_MAX,
    Mo,
    _mo,
    _nombre,
)


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
