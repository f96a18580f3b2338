import datetime
import os
from zoneinfo import ZoneInfo

import hypothesis
import pytest
import time_machine
from django.core.management import call_command

from contrat_ville.management.commands.demo import FIXTURES as DEMO

# In CI, Hypothesis draws the same examples on every run (a red run can be replayed as it was) and keeps
# no example database between runs; on a workstation it explores new ones each time.
hypothesis.settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
hypothesis.settings.load_profile("ci" if os.environ.get("CI") else "default")


def pytest_addoption(parser):
    parser.addoption(
        "--horloge",
        metavar="AAAA-MM-JJ[THH:MM]",
        help="Lance toute la suite à cette date et heure de Paris (l'horloge avance ensuite normalement), "
        "par exemple --horloge=2031-12-31T23:30 : aucun test ne doit dépendre du jour où il tourne.",
    )


def pytest_configure(config):
    from django.conf import settings

    if horloge := config.getoption("horloge"):
        debut = datetime.datetime.fromisoformat(horloge).replace(tzinfo=ZoneInfo("Europe/Paris"))
        time_machine.travel(debut, tick=True).start()

    # PBKDF2's million rounds cost 0.4 s for each account a test creates or logs in with (the demo
    # creates ten): the suite is not where passwords are kept safe.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    from .instantane import vider_par_delete

    vider_par_delete()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The seeds' data, loaded once into the test database; each test runs in a rolled-back transaction."""
    with django_db_blocker.unblock():
        call_command("loaddata", *DEMO, verbosity=0)


@pytest.fixture
def sem(db):
    from contrat_ville.models import Collectivite

    return Collectivite.objects.get(siren="244200770")


@pytest.fixture
def admin_user(db, sem):
    from contrat_ville.models import User

    return User.objects.create_superuser("admin-test", "admin@example.org", "x", collectivite=sem)


@pytest.fixture
def agent(sem):
    from contrat_ville.roles import AGENTS

    return _compte("agent-test", sem, AGENTS)


@pytest.fixture
def elu(sem):
    from contrat_ville.roles import ELUS

    return _compte("elu-test", sem, ELUS)


@pytest.fixture
def administrateur(sem):
    """An administrator of the Métropole: the agents' rights and the back-office."""
    from contrat_ville.roles import ADMINISTRATEURS

    return _compte("administrateur-test", sem, ADMINISTRATEURS)


@pytest.fixture
def referent(sem):
    """A référent of the Métropole: keeps its reference data (contracts, financeurs, instances…)."""
    from contrat_ville.roles import REFERENTS

    return _compte("referent-test", sem, REFERENTS)


@pytest.fixture
def sedr(db):
    """Saint-Étienne-du-Rouvray, the second authority of the demo data (seed 004)."""
    from contrat_ville.models import Collectivite

    return Collectivite.objects.get(siren="217605757")


def _compte(nom, collectivite, role, **champs):
    from .factories import compte

    return compte(nom, collectivite, role, **champs)


@pytest.fixture
def agent_sedr(sedr):
    from contrat_ville.roles import AGENTS

    return _compte("agent-sedr-test", sedr, AGENTS)


@pytest.fixture
def elu_sedr(sedr):
    from contrat_ville.roles import ELUS

    return _compte("elu-sedr-test", sedr, ELUS)


@pytest.fixture
def referent_sedr(sedr):
    from contrat_ville.roles import REFERENTS

    return _compte("referent-sedr-test", sedr, REFERENTS)


@pytest.fixture
def administrateur_sedr(sedr):
    from contrat_ville.roles import ADMINISTRATEURS

    return _compte("administrateur-sedr-test", sedr, ADMINISTRATEURS)
