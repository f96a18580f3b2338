"""Reading a CSV: its encoding guessed, its dialect sniffed, decoded line by line within the caps."""

import codecs
import csv
import io

from openpyxl.utils import get_column_letter

from ..erreurs import ErreurImport
from .commun import CELLULES_MAX, COLONNES_MAX, LIGNE_CSV_MAX, LIGNES_MAX, TEXTE_MAX, Feuille, _nombre


class PointVirgule(csv.excel):
    delimiter = ";"


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
