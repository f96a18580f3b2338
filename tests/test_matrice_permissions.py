"""Every URL of the application, for every role and two authorities, GET and POST: the expected answer.

The URLs are read from the URL configuration (tests/adresses.py): a new page is in the matrix the day it
is added, and this test fails until the page is classified there (read page or write page, and the
model its <pk> names).
"""

import pytest
from django.urls import reverse

from .adresses import ADMINISTRATION, ADRESSES, LECTURE, NON_PUBLIQUES, OBJETS, PUBLIQUES, demander, url_de
from .adresses import monde as construire_monde

pytestmark = pytest.mark.django_db


@pytest.fixture
def monde(sem, sedr):
    return construire_monde(sem, sedr)


def test_it_classifies_everyurl_de():
    for nom, parametres in ADRESSES:
        if nom in PUBLIQUES:
            continue
        if parametres == ["pk"]:
            assert nom in OBJETS, f"{nom} : quel modèle son <pk> désigne-t-il ? (OBJETS)"
        else:
            assert parametres == [], f"{nom} : paramètres {parametres} non prévus par la matrice"


@pytest.mark.parametrize("methode", ["GET", "POST"])
def test_it_sends_an_anonymous_visitor_to_the_login_page(client, monde, methode):
    _, objets = monde
    for nom in NON_PUBLIQUES:
        reponse = demander(client, methode, url_de(nom, objets, "a"))
        assert reponse.status_code in (302, 405), (nom, methode, reponse.status_code)
        if reponse.status_code == 302:
            assert reponse["Location"].startswith(reverse("login")), (nom, methode)


@pytest.mark.parametrize("methode", ["GET", "POST"])
def test_it_lets_an_official_read_and_never_write(client, monde, methode):
    comptes, objets = monde
    client.force_login(comptes["elu-a"])
    for nom in NON_PUBLIQUES:
        code = demander(client, methode, url_de(nom, objets, "a")).status_code
        if nom in LECTURE:
            # 302: a large document made in the background; 404: a document not ready yet. A read page
            # refuses a POST (405) or answers it as a GET: it changes nothing.
            assert code in (200, 302, 404, 405), (nom, methode, code)
        else:
            assert code in (403, 405), (nom, methode, code)


@pytest.mark.parametrize("role", ["elu-a", "agent-a"])
@pytest.mark.parametrize("methode", ["GET", "POST"])
def test_it_never_shows_or_changes_an_object_of_another_authority(client, monde, role, methode):
    comptes, objets = monde
    client.force_login(comptes[role])
    for nom in sorted(OBJETS):
        code = demander(client, methode, url_de(nom, objets, "b")).status_code
        assert code in (403, 404, 405), (nom, role, methode, code)


@pytest.mark.parametrize("role", ["agent-a", "administrateur-a", "admin-a"])
def test_it_lets_agents_and_admins_use_every_page_of_their_authority(client, monde, role):
    comptes, objets = monde
    client.force_login(comptes[role])
    for nom in NON_PUBLIQUES:
        for methode in ("GET", "POST"):
            code = demander(client, methode, url_de(nom, objets, "a")).status_code
            if nom in ADMINISTRATION and role != "admin-a":
                assert code in (403, 405), (nom, role, methode, code)
            else:
                assert code not in (401, 403) and code < 500, (nom, role, methode, code)


def test_it_keeps_the_back_office_for_admins(client, monde):
    comptes, _ = monde
    for role, attendu in (("elu-a", 302), ("agent-a", 302), ("administrateur-a", 200), ("admin-a", 200)):
        client.force_login(comptes[role])
        assert client.get(reverse("admin:index")).status_code == attendu, role
