"""Cell values as they really come: amounts written as text, odd spaces, Dauphin numbers with a gap."""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

ESPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")
MONTANT_MAX = Decimal("999999999999.99")
CENTIME = Decimal("0.01")


class Formule(str):
    """A cell holding a formula: the file must carry values, we never compute."""


class ValeurInvalide(ValueError):
    pass


NON_ALPHANUMERIQUE = re.compile(r"[^a-z0-9]+")


def normaliser(texte):
    """Lowercase, no accents, punctuation as spaces, single spaces: how headers and names compare."""
    texte = str(texte)
    if not texte.isascii():
        # Accents decompose into a letter and a combining mark, which the ASCII encoding drops.
        texte = unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode()
    return NON_ALPHANUMERIQUE.sub(" ", texte.lower()).strip()


def texte(valeur):
    """Any cell as clean text (numbers stored as numbers come back without '.0')."""
    if valeur is None:
        return ""
    if isinstance(valeur, float) and valeur.is_integer():
        valeur = int(valeur)
    if isinstance(valeur, datetime.datetime | datetime.date):
        return valeur.strftime("%d/%m/%Y")
    return ESPACES.sub(" ", str(valeur)).strip()


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
    if not nombre.is_finite():
        raise ValeurInvalide(f"« {valeur} » n'est pas un montant")
    if nombre < 0:
        raise ValeurInvalide(f"montant négatif ({valeur})")
    if nombre > MONTANT_MAX:
        raise ValeurInvalide(f"montant trop grand ({valeur})")
    return nombre.quantize(CENTIME)


def _montant_ecrit(brut):
    """'52 052', '294 850€', '7 500,50 €', '1.234,50', '12 000 EUR'."""
    nettoye = ESPACES.sub("", brut).replace("€", "").upper().removesuffix("EUR").removesuffix("HT")
    if nettoye in ("", "-"):
        return None
    if not re.fullmatch(r"-?[0-9][0-9.,]*", nettoye):
        raise ValeurInvalide(f"« {brut.strip()[:40]} » n'est pas un montant")
    if "," in nettoye and "." in nettoye:
        decimale = "," if nettoye.rfind(",") > nettoye.rfind(".") else "."
        milliers = "." if decimale == "," else ","
        nettoye = nettoye.replace(milliers, "").replace(decimale, ".")
    elif nettoye.count(",") == 1 and len(nettoye.split(",")[1]) != 3:
        nettoye = nettoye.replace(",", ".")
    elif nettoye.count(".") == 1 and len(nettoye.split(".")[1]) != 3:
        pass
    else:
        # '1.234.567' or '1,234': thousands separators only.
        nettoye = nettoye.replace(",", "").replace(".", "")
    try:
        return Decimal(nettoye)
    except InvalidOperation:
        raise ValeurInvalide(f"« {brut.strip()[:40]} » n'est pas un montant") from None


def numero_dauphin(valeur):
    """('00266007', '0026600 7'): the cleaned number and the raw form when it differed."""
    brut = texte(valeur)
    propre = re.sub(r"\s+", "", brut)
    return propre, (brut if brut != propre else "")


def identifiant(valeur):
    """SIRET or RNA as written, spaces and dots removed; a SIRET stored as a number keeps its 14 digits."""
    if isinstance(valeur, int | float) and not isinstance(valeur, bool):
        return f"{int(valeur):014d}"
    return re.sub(r"[\s.\-]+", "", texte(valeur)).upper()
