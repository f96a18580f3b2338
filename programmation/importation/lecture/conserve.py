"""The rows read from a file, kept between the preview and the load (see Importation.feuilles): the
file is parsed once, at deposit; the preview, a corrected column mapping and the load start from here.

Compact and exact: JSON, zlib-compressed. Strings, ints, floats (repr round-trips exactly) and
booleans are JSON's own; every other value is a [tag, …] list (a cell never holds a list): a formula,
a date, a time, a duration, a non-finite float. What is kept says which reader wrote it and which
file it comes from: anything else (an older format, another file, a damaged copy) is not used, and
the file is read again.
"""

import datetime
import hashlib
import json
import math
import zlib
from pathlib import Path

from ..valeurs import Formule
from .commun import Feuille


def empreinte_des_lecteurs(dossier=Path(__file__).parent):
    """The readers and this module as they are written (every module of this package): a change of what
    they return or of how it is kept, even of a comment, makes another format. Derived, not bumped by
    hand: a forgotten bump would hand an earlier reader's rows to the new code; an extra one costs a
    file read again."""
    sources = hashlib.sha256()
    for chemin in sorted(dossier.glob("*.py")):
        sources.update(chemin.name.encode() + b"\0" + chemin.read_bytes() + b"\0")
    return sources.hexdigest()[:16]


# Kept rows of an earlier reader are read again.
FORMAT = empreinte_des_lecteurs()
_SIMPLES = {str, int, bool}


def empaqueter(feuilles, empreinte):
    """bytes of the sheets of the file whose SHA-256 is empreinte."""
    donnees = {
        "format": FORMAT,
        "empreinte": empreinte,
        "feuilles": [
            [f.nom, [[numero, _cellules(valeurs)] for numero, valeurs in f.lignes]] for f in feuilles
        ],
    }
    texte = json.dumps(donnees, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return zlib.compress(texte.encode(), 1)


def depaqueter(octets, empreinte):
    """The sheets kept in octets, or None if they are not those of this file read by this reader."""
    try:
        donnees = json.loads(zlib.decompress(octets))
        if donnees["format"] != FORMAT or donnees["empreinte"] != empreinte:
            return None
        return [
            Feuille(nom, [(numero, _valeurs(cellules)) for numero, cellules in lignes])
            for nom, lignes in donnees["feuilles"]
        ]
    except (zlib.error, ValueError, TypeError, KeyError, IndexError):  # a damaged copy: read again
        return None


def _cellules(valeurs):
    if all(v is None or v.__class__ in _SIMPLES for v in valeurs):
        return valeurs  # the common row: nothing to tag
    return [_cellule(v) for v in valeurs]


def _cellule(valeur):
    classe = valeur.__class__
    if valeur is None or classe in _SIMPLES:
        return valeur
    if classe is float:
        return valeur if math.isfinite(valeur) else ["n", repr(valeur)]
    if classe is Formule:
        return ["f", str(valeur)]
    if classe is datetime.datetime:
        return ["D", valeur.isoformat()]
    if classe is datetime.date:
        return ["d", valeur.isoformat()]
    if classe is datetime.time:
        return ["t", valeur.isoformat()]
    if classe is datetime.timedelta:
        return ["j", valeur.days, valeur.seconds, valeur.microseconds]
    raise TypeError(f"valeur de cellule inattendue : {classe.__name__}")


def _valeurs(cellules):
    if not any(c.__class__ is list for c in cellules):
        return tuple(cellules)
    return tuple(_valeur(c) if c.__class__ is list else c for c in cellules)


_RELUES = {
    "n": float,
    "f": Formule,
    "D": datetime.datetime.fromisoformat,
    "d": datetime.date.fromisoformat,
    "t": datetime.time.fromisoformat,
}


def _valeur(cellule):
    etiquette, *reste = cellule
    if etiquette == "j":
        return datetime.timedelta(days=reste[0], seconds=reste[1], microseconds=reste[2])
    return _RELUES[etiquette](reste[0])
