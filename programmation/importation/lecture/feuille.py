"""One xlsx worksheet streamed into rows of values, within the row and cell caps, merged ranges applied."""

import contextlib

from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.datetime import from_excel, from_ISO8601

from ..erreurs import ErreurImport
from ..valeurs import Formule
from .archive import _local
from .classeur import _TropLong
from .commun import (
    CELLULES_MAX,
    COLONNE_EXCEL_MAX,
    COLONNES,
    COLONNES_MAX,
    FUSIONS_MAX,
    LIGNE_EXCEL_MAX,
    LIGNES_MAX,
    REPORTS_MAX,
    TEXTE_MAX,
    _nombre,
)


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

    def _formule(self):
        """A formula cell, as written (a shared formula's first cell lends its text to the others)."""
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

    def _valeur_cellule(self):
        if self.formule is not None:
            return self._formule()
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
