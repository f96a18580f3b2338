"""A second, empty database of the tests' own engine, and manage.py run against it in a subprocess."""

import contextlib
import os
import subprocess
import sys
import uuid

from django.conf import settings
from django.db import connection


@contextlib.contextmanager
def base_vide(dossier):
    """Yields the environment of a new empty database (SQLite file, or PostgreSQL database dropped after)."""
    if connection.vendor == "sqlite":
        yield {**os.environ, "DATABASE_URL": f"sqlite:///{dossier / f'{uuid.uuid4().hex[:8]}.sqlite3'}"}
        return
    import psycopg

    reglages = connection.settings_dict
    nom = f"vide_{uuid.uuid4().hex[:8]}"
    serveur = (
        f"host={reglages['HOST']} port={reglages['PORT'] or 5432} user={reglages['USER']} dbname=postgres"
    )
    with psycopg.connect(serveur, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{nom}"')
    try:
        url = f"postgres://{reglages['USER']}@{reglages['HOST']}:{reglages['PORT'] or 5432}/{nom}"
        yield {**os.environ, "DATABASE_URL": url}
    finally:
        with psycopg.connect(serveur, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')


def manage(*arguments, environnement):
    resultat = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=settings.BASE_DIR,
        env=environnement,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resultat.returncode == 0, resultat.stdout + resultat.stderr
    return resultat.stdout


def charger_la_metropole(*fixtures):
    """The Métropole's demo data for a transactional test: present already when the session's data is
    still committed (the first such test), loaded again after another one has emptied the tables.
    Loading it over itself would reopen its voted tranches, which the database refuses."""
    from django.core.management import call_command

    from contrat_ville.models import Collectivite

    if not Collectivite.objects.filter(siren="244200770").exists():
        call_command("loaddata", *fixtures, verbosity=0)
