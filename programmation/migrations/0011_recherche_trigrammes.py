# The text search served by trigram indexes on PostgreSQL.
#
# Measured by bench/programmation.py --lentes (100 000 actions, 20 000 in the searched authority): the
# search « reussite » read and unaccented every action of the authority, 560 ms, growing with the table.
# unaccent() is only STABLE, so an index cannot hold it: an IMMUTABLE wrapper (with its dictionary
# named, as PostgreSQL's documentation advises) lets GIN trigram indexes hold the unaccented lower text,
# and LIKE '%…%' reads the index. SQLite gets the same function in Python (programmation/recherche.py).
# COST 1000: about what a call costs (16 µs a row measured); at the default cost the planner would rather
# unaccent the 20 000 rows of a contract than read the indexes (700 ms instead of a few).

from django.db import migrations

# {schema}: where migration 0002 installed unaccent (the first schema of the search path, not always public).
FONCTION = """
CREATE OR REPLACE FUNCTION programmation_sans_accents(texte text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT COST 1000
AS $$ SELECT lower({schema}.unaccent('{schema}.unaccent'::regdictionary, texte)) $$
"""
INDEX = [
    ("action_intitule_trgm", "programmation_action", "intitule"),
    ("action_objectifs_trgm", "programmation_action", "objectifs"),
    ("porteur_nom_trgm", "programmation_porteur", "nom"),
]


def creer(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with schema_editor.connection.cursor() as curseur:
        # regnamespace's text is the schema's name, quoted where it must be.
        curseur.execute(
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'unaccent'"
        )
        (schema,) = curseur.fetchone()
    schema_editor.execute(FONCTION.format(schema=schema))
    for nom, table, colonne in INDEX:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {nom} ON {table} "
            f"USING gin (programmation_sans_accents({colonne}) gin_trgm_ops)"
        )


def supprimer(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for nom, _, _ in INDEX:
        schema_editor.execute(f"DROP INDEX IF EXISTS {nom}")
    schema_editor.execute("DROP FUNCTION IF EXISTS programmation_sans_accents(text)")


class Migration(migrations.Migration):
    dependencies = [("programmation", "0010_index_contrat_annee")]

    operations = [migrations.RunPython(creer, supprimer)]
