"""Accent-insensitive search: the same UNACCENT() on PostgreSQL (extension) and SQLite (a Python function)."""

from django.db.models import CharField, Func
from django.db.models.functions import Lower

from contrat_ville import textes


def sans_accents(texte):
    if texte is None:
        return None
    return textes.sans_accents(texte)


class SansAccents(Func):
    function = "UNACCENT"
    output_field = CharField()


def texte_normalise(expression):
    return Lower(SansAccents(expression))


def enregistrer_pour_sqlite(sender, connection, **kwargs):
    """SQLite has no UNACCENT: give it ours on each new connection (PostgreSQL has the extension)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("UNACCENT", 1, sans_accents, deterministic=True)
