"""French number formats for money, shared by pages, PDFs and spreadsheets."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import cast

ESPACE_INSECABLE = "\u202f"


def euros(montant: Decimal | int | float | str | None) -> str:
    """Exact to the cent, never rounded: 2696021 -> '2 696 021 €', Decimal('6000.5') -> '6 000,50 €'.

    Whole amounts print without ',00' (as the délibérations write them); any cent prints two
    digits. Narrow no-break spaces group the thousands and precede the sign. An unknown amount
    (None) is an empty text: the caller says « non renseigné », never 0 €.
    """
    if montant is None or montant == "":
        return ""
    valeur = Decimal(str(montant)) if isinstance(montant, float) else Decimal(montant)
    signe = "-" if valeur < 0 else ""
    valeur = abs(valeur)
    if valeur == valeur.to_integral_value():
        entier, fraction = f"{valeur.to_integral_value():f}", ""
    else:
        # Two decimals at least (« ,50 », not « ,5 »); more only if the amount really holds them.
        valeur = valeur.normalize()
        # An int: NaN is refused by `valeur < 0` above, an infinity is integral.
        if valeur.as_tuple().exponent > -2:  # type: ignore[operator]
            valeur = valeur.quantize(Decimal("0.01"))
        entier, _, fraction = f"{valeur:f}".partition(".")
    texte = _grouper(entier)
    if fraction:
        texte += "," + fraction
    return f"{signe}{texte}{ESPACE_INSECABLE}€"


def pourcentage(valeur: Decimal | int | float | str) -> str:
    """Decimal('50.00') -> '50 %', Decimal('55.50') -> '55,5 %'."""
    texte = format(Decimal(valeur).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP).normalize(), "f")
    return f"{texte.replace('.', ',')}{ESPACE_INSECABLE}%"


def taux(valeur: Decimal | int | float | str | None) -> str:
    """A rate as it is stored, never rounded: Decimal('50.00') -> '50 %', Decimal('55.55') -> '55,55 %'.
    (pourcentage() rounds a computed share to the tenth; a typed rate keeps every digit it was typed
    with.) None is an empty text."""
    if valeur is None or valeur == "":
        return ""
    texte = format(Decimal(valeur).normalize(), "f")
    return f"{texte.replace('.', ',')}{ESPACE_INSECABLE}%"


def nombre(valeur: int | Decimal | str | None) -> str:
    """1977 -> « 1 977 » (narrow no-break space), as the reports write head counts; None stays empty."""
    if valeur is None or valeur == "":
        return ""
    signe = "-" if int(valeur) < 0 else ""
    return signe + _grouper(str(abs(int(valeur))))


def _grouper(chiffres: str) -> str:
    groupes: list[str] = []
    while chiffres:
        groupes.insert(0, chiffres[-3:])
        chiffres = chiffres[:-3]
    return ESPACE_INSECABLE.join(groupes)


def date_fr(valeur: datetime.date | None, heure: bool = False) -> str:
    """date(2024, 5, 16) -> « 16 mai 2024 », the one date format of pages and messages
    (« 16 mai 2024 à 10:04 » with the time); machine-readable files write ISO dates."""
    from django.utils import dateformat, timezone

    if valeur is None:
        return ""
    if heure:
        # With the time: a datetime (an aware one, as the models store them).
        return dateformat.format(timezone.localtime(cast(datetime.datetime, valeur)), "j F Y à H:i")
    return dateformat.format(valeur, "j F Y")
