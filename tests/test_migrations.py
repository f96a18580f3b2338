"""Migrations go forward from an empty database and from the previous release's schema, and back."""

import json

import pytest

from .bases import base_vide, manage

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


def test_it_migrates_back_to_the_previous_release_and_forward_again_keeping_the_data(tmp_path):
    with base_vide(tmp_path) as environnement:
        manage("migrate", "--noinput", environnement=environnement)
        manage("loaddata", *DEMO, environnement=environnement)
        avant = _comptes(environnement)
        for app in ("deliberations", "programmation", "contrat_ville"):
            manage("migrate", app, RELEASE_PRECEDENTE[app], "--noinput", environnement=environnement)
        manage("migrate", "--noinput", environnement=environnement)
        apres = _comptes(environnement)
        manage("makemigrations", "--check", "--dry-run", environnement=environnement)
    # Seeds: 101 actions, 3 délibérations, 204 presences.
    assert avant["programmation.action"] == 101 and avant["deliberations.presence"] == 204
    assert apres == avant


def test_it_unapplies_every_migration_down_to_an_empty_schema(tmp_path):
    with base_vide(tmp_path) as environnement:
        manage("migrate", "--noinput", environnement=environnement)
        for app in ("deliberations", "programmation", "contrat_ville"):
            manage("migrate", app, "zero", "--noinput", environnement=environnement)
        plan = manage(
            "showmigrations", "contrat_ville", "programmation", "deliberations", environnement=environnement
        )
        assert "[X]" not in plan
        manage("migrate", "--noinput", environnement=environnement)
