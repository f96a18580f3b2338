"""Accent- and case-insensitive search, read from trigram indexes on PostgreSQL.

PostgreSQL: `programmation_sans_accents(text)`, an IMMUTABLE wrapper of the unaccent extension, made and
indexed by migration 0011. SQLite: a Python function of the same name, given to each new connection.
"""

from django.db.models import CharField, Func, Q, Value
from django.db.models.lookups import Contains

from contrat_ville import textes


class TexteCherche(Func):
    """A column as the search compares it: lower case, no accents; the very expression the indexes hold,
    so that LIKE '%…%' reads the index instead of every row."""

    function = "PROGRAMMATION_SANS_ACCENTS"
    output_field = CharField()


def contient(colonne, texte):
    """Q: the column holds the text, whatever the accents and the case.

    The text typed is normalised by the database's own function, the very one the column goes through:
    PostgreSQL's unaccent rules (’ « ² …) and Python's cannot drift apart. A constant, the planner folds
    it before choosing the index."""
    return Q(Contains(TexteCherche(colonne), TexteCherche(Value(texte, output_field=CharField()))))


# Letters that Unicode does not decompose but PostgreSQL's unaccent spells out (unaccent.rules): SQLite's
# function spells them out too, so that « oeuvre » finds « Œuvre » on either database.
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ŧ": "t"})


def _texte_cherche(texte):
    return None if texte is None else textes.sans_accents(texte).lower().translate(LIGATURES)


def enregistrer_pour_sqlite(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "PROGRAMMATION_SANS_ACCENTS", 1, _texte_cherche, deterministic=True
        )
