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


# The whole round trip in one process: each manage.py started apart cost two seconds of Django's start, a
# dozen times (issue 20, CI time). The counts are printed as JSON lines, read back below.
ALLER_RETOUR = f"""
import json
from django.apps import apps
from django.core.management import call_command

def comptes():
    print(json.dumps({{t: apps.get_model(t)._base_manager.count() for t in {TABLES!r}}}))

call_command("migrate", "--noinput", verbosity=0)
call_command("loaddata", *{DEMO!r}, verbosity=0)
comptes()
for app in ("deliberations", "programmation", "contrat_ville"):  # the dependent apps first
    call_command("migrate", app, {RELEASE_PRECEDENTE!r}[app], "--noinput", verbosity=0)
call_command("migrate", "--noinput", verbosity=0)
comptes()
for app in ("deliberations", "programmation", "contrat_ville"):
    call_command("migrate", app, "zero", "--noinput", verbosity=0)
call_command("showmigrations", "contrat_ville", "programmation", "deliberations")
"""


# Issue 20 (CI time): one round trip instead of two, on the production database. On SQLite (the demo), every
# test database is migrated forward from empty at each run already; the way back is PostgreSQL's concern.
# Models and migrations agree: CI's lint step runs makemigrations --check.
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="aller-retour des migrations : PostgreSQL, la base de production (SQLite est migré en avant à "
    "chaque création de base de test)",
)
def test_it_migrates_back_to_the_previous_release_and_forward_keeping_the_data_then_down_to_nothing(tmp_path):
    with base_vide(tmp_path) as environnement:
        sortie = manage("shell", "-c", ALLER_RETOUR, environnement=environnement)
    lignes = sortie.splitlines()
    avant, apres = (json.loads(ligne) for ligne in lignes if ligne.startswith("{"))
    plan = "\n".join(ligne for ligne in lignes if not ligne.startswith("{"))
    # Seeds: 101 actions, 3 délibérations, 204 presences.
    assert avant["programmation.action"] == 101 and avant["deliberations.presence"] == 204
    assert apres == avant
    assert "[X]" not in plan and plan.count("[ ]") > 30
