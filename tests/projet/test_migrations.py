"""Migrations go forward from an empty database and from the previous release's schema, and back."""

import json

import pytest
from django.db import connection

from ..bases import base_vide, manage

pytestmark = pytest.mark.django_db

# The schema of the release before this one (what `main` held before these migrations were added).
RELEASE_PRECEDENTE = {
    "contrat_ville": "0002_gestionnaire_des_utilisateurs",
    "programmation": "0003_historique_et_version",
    "deliberations": "0001_initial",
}
DEMO = ["sem_referentiel", "sem_programmation", "sem_deliberations"]
# Rows that every schema since the previous release holds, counted before and after the round trip.
TABLES = [
    "contrat_ville.collectivite",
    "contrat_ville.axe",
    "programmation.action",
    "programmation.cofinancement",
    "programmation.tranche",
    "deliberations.deliberation",
    "deliberations.presence",
]


def _comptes(environnement):
    script = (
        "import json; from django.apps import apps; "
        f"print(json.dumps({{t: apps.get_model(t)._base_manager.count() for t in {TABLES!r}}}))"
    )
    return json.loads(manage("shell", "-c", script, environnement=environnement).strip().splitlines()[-1])


# Issue 20 (CI time): one round trip instead of two, on the production database. On SQLite (the demo), every
# test database is migrated forward from empty at each run already; the way back is PostgreSQL's concern.
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="aller-retour des migrations : PostgreSQL, la base de production (SQLite est migré en avant à "
    "chaque création de base de test)",
)
def test_it_migrates_back_to_the_previous_release_and_forward_keeping_the_data_then_down_to_nothing(tmp_path):
    with base_vide(tmp_path) as environnement:
        manage("migrate", "--noinput", environnement=environnement)
        manage("loaddata", *DEMO, environnement=environnement)
        avant = _comptes(environnement)
        for app in ("deliberations", "programmation", "contrat_ville"):
            manage("migrate", app, RELEASE_PRECEDENTE[app], "--noinput", environnement=environnement)
        manage("migrate", "--noinput", environnement=environnement)
        apres = _comptes(environnement)
        manage("makemigrations", "--check", "--dry-run", environnement=environnement)
        # Then every migration unapplied, the demo's rows still there.
        for app in ("deliberations", "programmation", "contrat_ville"):
            manage("migrate", app, "zero", "--noinput", environnement=environnement)
        plan = manage(
            "showmigrations", "contrat_ville", "programmation", "deliberations", environnement=environnement
        )
    # Seeds: 101 actions, 3 délibérations, 204 presences.
    assert avant["programmation.action"] == 101 and avant["deliberations.presence"] == 204
    assert apres == avant
    assert "[X]" not in plan and plan.count("[ ]") > 30
