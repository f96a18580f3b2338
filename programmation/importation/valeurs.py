"""Cell values as they really come: amounts written as text, odd spaces, Dauphin numbers with a gap."""

import datetime
import functools
import re
from decimal import Decimal, InvalidOperation

from contrat_ville import textes

ESPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
MONTANT_MAX = Decimal("999999999999.99")
CENTIME = Decimal("0.01")


class Formule(str):
    """A cell holding a formula: the file must carry values, we never compute."""


class ValeurInvalide(ValueError):
    pass


# How headers and names compare, kept under its import's name; remembered, since a porteur's name
# comes back on each of its rows.
normaliser = functools.lru_cache(maxsize=65_536)(textes.normaliser)


def texte(valeur):
    """Any cell as clean text (numbers stored as numbers come back without '.0')."""
    if valeur is None:
        return ""
    if valeur.__class__ is str and valeur.isprintable() and "  " not in valeur:
        # Printable: its only space is the ASCII one, never two in a row, so ESPACES would change
        # nothing. Most cells are so; 20 000 rows call this 400 000 times.
        return valeur.strip()
    if isinstance(valeur, float) and valeur.is_integer():
        valeur = int(valeur)
    if isinstance(valeur, datetime.datetime | datetime.date):
        return valeur.strftime("%d/%m/%Y")
    return ESPACES.sub(" ", str(valeur)).strip()


CHIFFRES = re.compile(r"[0-9](?:[0-9., ]*[0-9])?[.,]?")
SEPARATEURS = re.compile(r"[ .,]")
BLANCS = re.compile(r"\s+")
PONCTUATION_IDENTIFIANT = re.compile(r"[\s.\-]+")
NON_NOMBRE = re.compile(r"[+-]?(NAN|INF|INFINI|INFINITY|INFINITE)")
SIGNE = re.compile(r"-\s?")


def montant(valeur):
    """A non-negative amount in euros, or None for an empty cell; ValeurInvalide says why not."""
    if valeur is None or valeur == "":
        return None
    if isinstance(valeur, Formule):
        raise ValeurInvalide(
            f"formule « {valeur[:40]} » : le fichier doit contenir des valeurs "
            "(dans le tableur : copier, puis collage spécial « valeurs »)"
        )
    if isinstance(valeur, bool):
        raise ValeurInvalide(f"« {valeur} » n'est pas un montant")
    if isinstance(valeur, datetime.datetime | datetime.date | datetime.time | datetime.timedelta):
        raise ValeurInvalide("une date à la place d'un montant (vérifiez le format de la cellule)")
    if isinstance(valeur, int | float | Decimal):
        try:
            nombre = Decimal(str(valeur))
        except InvalidOperation:
            raise ValeurInvalide(f"« {valeur} » n'est pas un montant") from None
    else:
        nombre = _montant_ecrit(str(valeur))
        if nombre is None:
            return None
    if not nombre.is_finite():
        raise _non_nombre(valeur)
    if nombre < 0:
        raise ValeurInvalide(f"montant négatif ({valeur})")
    if nombre > MONTANT_MAX:
        raise ValeurInvalide(f"montant trop grand ({valeur})")
    return nombre.quantize(CENTIME)


def _non_nombre(valeur):
    ecrit = str(valeur).strip()[:40]
    if "NAN" in ecrit.upper():
        return ValeurInvalide(f"« {ecrit} » : valeur indéfinie (NaN), pas un montant — saisissez le montant")
    return ValeurInvalide(f"« {ecrit} » : valeur infinie, pas un montant — saisissez le montant")


def _montant_ecrit(brut):
    """'52 052', '294 850€', '7 500,50 €', '1.234,50', '12 000 EUR', '12345.67'.

    Thousands are grouped by three, whatever the separator (space, no-break space, dot or comma);
    a grouping that is not ('12,34,56') is refused rather than guessed."""
    ecrit = brut.strip()[:40]
    nettoye = ESPACES.sub(" ", brut).replace("€", " ").upper().strip()
    for suffixe in ("HT", "TTC", "EUROS", "EURO", "EUR"):
        nettoye = nettoye.removesuffix(suffixe).strip()
    if nettoye in ("", "-"):
        return None
    if NON_NOMBRE.fullmatch(nettoye.replace(" ", "")):
        raise _non_nombre(brut)
    negatif = bool(SIGNE.match(nettoye))
    if negatif:
        nettoye = SIGNE.sub("", nettoye, count=1)
    if not CHIFFRES.fullmatch(nettoye):
        raise ValeurInvalide(f"« {ecrit} » n'est pas un montant")
    entier, decimales = _separer_decimales(nettoye, ecrit)
    groupes = SEPARATEURS.split(entier)
    if len(groupes) > 1 and (
        not 1 <= len(groupes[0]) <= 3 or any(len(groupe) != 3 for groupe in groupes[1:])
    ):
        raise ValeurInvalide(
            f"« {ecrit} » : montant ambigu (les milliers se groupent par trois chiffres, "
            "par exemple « 12 345,67 ») — corrigez la cellule"
        )
    nombre = Decimal("".join(groupes) + ("." + decimales if decimales else ""))
    return -nombre if negatif else nombre


def _separer_decimales(nettoye, ecrit):
    """('12 345', '67') from '12 345,67': the decimal separator is the last comma or dot, unless it
    is a thousands separator ('1.234', '1,234,567': every group of three)."""
    position = max(nettoye.rfind(","), nettoye.rfind("."))
    if position < 0:
        return nettoye, ""
    separateur, apres = nettoye[position], nettoye[position + 1 :]
    autre = "." if separateur == "," else ","
    if autre in nettoye[:position]:
        # '1.234,56' or '1,234.56': the last one is decimal, the other one groups thousands.
        decimal = True
    elif nettoye.count(separateur) > 1:
        decimal = False  # '1.234.567', '12,34,56' (the latter refused by the grouping check)
    elif " " in nettoye[:position]:
        decimal = True  # '12 345,678': spaces group the thousands, so the comma is decimal
    else:
        decimal = len(apres) != 3  # '12345,67' and '12,5' decimal; '1,234' and '1.234' thousands
    if not decimal:
        return nettoye, ""
    if not apres.isdigit() and apres:
        raise ValeurInvalide(f"« {ecrit} » n'est pas un montant")
    return nettoye[:position], apres


def numero_dauphin(valeur):
    """('00266007', '0026600 7'): the cleaned number and the raw form when it differed."""
    brut = texte(valeur)
    propre = BLANCS.sub("", brut)
    return propre, (brut if brut != propre else "")


def identifiant(valeur):
    """SIRET or RNA as written, spaces and dots removed; a SIRET stored as a number keeps its 14 digits."""
    if isinstance(valeur, int | float) and not isinstance(valeur, bool):
        return f"{int(valeur):014d}"
    return PONCTUATION_IDENTIFIANT.sub("", texte(valeur)).upper()
