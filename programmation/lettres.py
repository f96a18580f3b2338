"""Amounts in French words, as a convention writes them (« vingt-trois mille cinq cents euros »)."""

from decimal import ROUND_HALF_UP, Decimal

UNITES = [
    "zéro",
    "un",
    "deux",
    "trois",
    "quatre",
    "cinq",
    "six",
    "sept",
    "huit",
    "neuf",
    "dix",
    "onze",
    "douze",
    "treize",
    "quatorze",
    "quinze",
    "seize",
    "dix-sept",
    "dix-huit",
    "dix-neuf",
]
DIZAINES = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def _moins_de_cent(n):
    if n < 20:
        return UNITES[n]
    dizaine, unite = divmod(n, 10)
    if dizaine in (7, 9):  # soixante-dix…, quatre-vingt-dix…: the tens count on from 60 and 80
        base = "soixante" if dizaine == 7 else "quatre-vingt"
        liaison = " et " if n == 71 else "-"
        return f"{base}{liaison}{UNITES[10 + unite]}"
    if dizaine == 8:
        return "quatre-vingts" if unite == 0 else f"quatre-vingt-{UNITES[unite]}"
    if unite == 0:
        return DIZAINES[dizaine]
    liaison = " et " if unite == 1 else "-"
    return f"{DIZAINES[dizaine]}{liaison}{UNITES[unite]}"


def _moins_de_mille(n, final=True):
    """final: the number ends here, so « cents » and « quatre-vingts » take their plural."""
    centaines, reste = divmod(n, 100)
    mots = []
    if centaines:
        cent = "cent" if centaines == 1 else f"{UNITES[centaines]} cent"
        if centaines > 1 and reste == 0 and final:
            cent += "s"
        mots.append(cent)
    if reste or not centaines:
        texte = _moins_de_cent(reste)
        if not final and texte.endswith("quatre-vingts"):
            texte = texte[:-1]
        mots.append(texte)
    return " ".join(mots)


def en_lettres(n):
    """A whole number in words, up to the billions."""
    if n == 0:
        return "zéro"
    mots = []
    for valeur, singulier, pluriel in ((10**9, "milliard", "milliards"), (10**6, "million", "millions")):
        nombre, n = divmod(n, valeur)
        if nombre:
            mots.append(f"{_moins_de_mille(nombre)} {singulier if nombre == 1 else pluriel}")
    milliers, n = divmod(n, 1000)
    if milliers:
        # « mille » is invariable, and « cents » before it stays singular (deux cent mille).
        mots.append("mille" if milliers == 1 else f"{_moins_de_mille(milliers, final=False)} mille")
    if n:
        mots.append(_moins_de_mille(n))
    return " ".join(mots)


def euros_en_lettres(montant):
    """Decimal('23500') -> 'vingt-trois mille cinq cents euros'; cents in words too."""
    montant = Decimal(montant).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    entiers, centimes = divmod(int(montant * 100), 100)
    texte = en_lettres(entiers)
    # « un million d'euros »: a round million or billion takes « de ».
    if entiers and entiers % 10**6 == 0:
        texte += " d'euros"
    else:
        texte += " euro" if entiers in (0, 1) else " euros"
    if centimes:
        texte += f" et {en_lettres(centimes)} centime{'s' if centimes > 1 else ''}"
    return texte
