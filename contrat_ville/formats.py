"""French number formats for money, shared by pages, PDFs and spreadsheets."""

from decimal import ROUND_HALF_UP, Decimal

ESPACE_INSECABLE = "\u202f"


def euros(montant, decimales=0):
    """2696021 -> '2 696 021 €' (narrow no-break spaces, as in the délibérations)."""
    if montant is None or montant == "":
        return ""
    quantum = Decimal(1).scaleb(-decimales)
    valeur = Decimal(montant).quantize(quantum, rounding=ROUND_HALF_UP)
    signe = "-" if valeur < 0 else ""
    entier, _, fraction = f"{abs(valeur):f}".partition(".")
    texte = _grouper(entier)
    if fraction:
        texte += "," + fraction
    return f"{signe}{texte}{ESPACE_INSECABLE}€"


def pourcentage(valeur):
    """Decimal('50.00') -> '50 %', Decimal('55.50') -> '55,5 %'."""
    texte = format(Decimal(valeur).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP).normalize(), "f")
    return f"{texte.replace('.', ',')}{ESPACE_INSECABLE}%"


def nombre(valeur):
    """1977 -> « 1 977 » (narrow no-break space), as the reports write head counts; None stays empty."""
    if valeur is None or valeur == "":
        return ""
    signe = "-" if int(valeur) < 0 else ""
    return signe + _grouper(str(abs(int(valeur))))


def _grouper(chiffres):
    groupes = []
    while chiffres:
        groupes.insert(0, chiffres[-3:])
        chiffres = chiffres[:-3]
    return ESPACE_INSECABLE.join(groupes)
