"""How texts compare: the one place where accents are taken off."""

import re
import unicodedata

NON_ALPHANUMERIQUE = re.compile(r"[^a-z0-9]+")


def sans_accents(texte):
    """« Élue déléguée » -> « Elue deleguee »: accents decompose into a letter and a combining mark,
    and the marks are dropped; any other character is kept."""
    decompose = unicodedata.normalize("NFKD", texte)
    return "".join(c for c in decompose if not unicodedata.combining(c))


def normaliser(texte):
    """« Début de mandat ! » -> « debut de mandat »: how headers and names typed by people compare
    (no accents, no case, punctuation as single spaces)."""
    texte = str(texte)
    if not texte.isascii():  # most cells are: they skip the decomposition, a large import stays quick
        # What is still not ASCII once accents are off (œ, ß, emoji) is dropped rather than spaced.
        texte = sans_accents(texte).encode("ascii", "ignore").decode()
    return NON_ALPHANUMERIQUE.sub(" ", texte.lower()).strip()
