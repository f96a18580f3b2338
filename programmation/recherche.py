"""Accent-insensitive search: the same UNACCENT() on PostgreSQL (extension) and SQLite (a Python function)."""

import unicodedata

from django.db.models import CharField, Func
from django.db.models.functions import Lower


def sans_accents(texte):
    if texte is None:
        return None
    decompose = unicodedata.normalize("NFKD", texte)
    return "".join(c for c in decompose if not unicodedata.combining(c))


class SansAccents(Func):
    function = "UNACCENT"
    output_field = CharField()


def texte_normalise(expression):
    return Lower(SansAccents(expression))


def enregistrer_pour_sqlite(sender, connection, **kwargs):
    """SQLite has no UNACCENT: give it ours on each new connection (PostgreSQL has the extension)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("UNACCENT", 1, sans_accents, deterministic=True)
