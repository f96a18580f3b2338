"""A copy of the test database taken once per process, put back instead of loading the same data again.

A test that needs committed data (the browser tests, whose pages are served by another thread) runs
without the rolled-back transaction: its database is emptied after it, and the next one loads the demo
again — seeds, frozen acts, ten accounts: seconds each time. The first load of a process is copied
(SQLite: its backup API; PostgreSQL: COPY of every table), and the copy is written back for the next
tests in a few milliseconds. Where the copy cannot be written back (a PostgreSQL user that may not set
session_replication_role), the data is loaded as before.

On PostgreSQL, emptying the database after such a test (Django's flush) is one TRUNCATE of about 80
tables: new files for each table and its indexes, 2 s a test. vider_par_delete() makes it DELETEs, in
the same transaction, triggers off: milliseconds for the few thousand rows a test leaves.
"""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction

_copies = {}
_superutilisateurs = {}


def charger(nom, chargement):
    """Loads the data that chargement() writes, from this process's copy once it has one."""
    if _copies.get(nom) is not None:
        if _remettre(_copies[nom]):
            return
        _copies[nom] = None  # cannot be written back here: loaded the slow way from now on
    chargement()
    if nom not in _copies:
        _copies[nom] = _copier()


def _tables():
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def _copier():
    if connection.vendor == "sqlite":
        import sqlite3

        copie = sqlite3.connect(":memory:", check_same_thread=False)
        connection.ensure_connection()
        connection.connection.backup(copie)
        return copie
    if connection.vendor != "postgresql":
        return None
    lignes = {}
    with connection.cursor() as curseur:
        for table in _tables():
            with curseur.cursor.copy(f"COPY {connection.ops.quote_name(table)} TO STDOUT") as copie:
                lignes[table] = b"".join(bytes(bloc) for bloc in copie)
    return lignes


def _remettre(copie):
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        copie.backup(connection.connection)
    elif not _remettre_postgresql(copie):
        return False
    # Content types were made again, under other keys, when the last test's data was flushed.
    ContentType.objects.clear_cache()
    return True


def _remettre_postgresql(lignes):
    with transaction.atomic(), connection.cursor() as curseur:
        try:
            # Triggers off for this transaction only: the rows are the copy of a consistent database
            # (the vote's lock would refuse to insert voted tranches' actions again).
            with transaction.atomic():
                curseur.execute("SET LOCAL session_replication_role = replica")
        except Exception:  # not a superuser: load the data the slow way
            return False
        for table, donnees in lignes.items():
            # DELETE, not TRUNCATE: the tables hold only what the last flush made again (content
            # types, permissions), and TRUNCATE makes new files for each of about 80 tables (2 s).
            curseur.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
            with curseur.cursor.copy(f"COPY {connection.ops.quote_name(table)} FROM STDIN") as copie:
                copie.write(donnees)
        modeles = apps.get_models(include_auto_created=True)
        for requete in connection.ops.sequence_reset_sql(no_style(), modeles):
            curseur.execute(requete)
    return True


def vider_par_delete():
    """Django's flush on PostgreSQL, in the tests' process only: DELETE instead of TRUNCATE."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    tronquer = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables or not _superutilisateur(self.connection):
            return tronquer(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        # Run in one transaction by execute_sql_flush(): the foreign keys' triggers are off until its end.
        vider = [f"DELETE FROM {self.quote_name(table)}" for table in tables]
        return ["SET LOCAL session_replication_role = replica", *vider]

    DatabaseOperations.sql_flush = sql_flush


def _superutilisateur(connexion):
    if connexion.alias not in _superutilisateurs:
        with connexion.cursor() as curseur:
            curseur.execute("SELECT current_setting('is_superuser') = 'on'")
            _superutilisateurs[connexion.alias] = curseur.fetchone()[0]
    return _superutilisateurs[connexion.alias]
