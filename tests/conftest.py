import pytest
from django.core.management import call_command

DEMO = ["sem_referentiel", "sem_programmation", "sem_deliberations"]


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
def agent(db, sem):
    from django.contrib.auth.models import Group

    from contrat_ville.models import User
    from contrat_ville.roles import AGENTS, synchroniser_roles

    synchroniser_roles()
    user = User.objects.create_user("agent-test", password="x", collectivite=sem, is_staff=True)
    user.groups.add(Group.objects.get(name=AGENTS))
    return user


@pytest.fixture
def elu(db, sem):
    from django.contrib.auth.models import Group

    from contrat_ville.models import User
    from contrat_ville.roles import ELUS, synchroniser_roles

    synchroniser_roles()
    user = User.objects.create_user("elu-test", password="x", collectivite=sem, is_staff=True)
    user.groups.add(Group.objects.get(name=ELUS))
    return user
