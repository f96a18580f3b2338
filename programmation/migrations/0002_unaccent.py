from django.db import migrations


def creer_extension(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


class Migration(migrations.Migration):
    """Accent-insensitive search uses PostgreSQL's unaccent extension (SQLite gets a Python function)."""

    dependencies = [("programmation", "0001_initial")]

    operations = [migrations.RunPython(creer_extension, migrations.RunPython.noop)]
