"""Every URL of the application, for every role and two authorities, GET and POST: the expected answer.

The URLs are read from the URL configuration (tests/adresses.py): a new page is in the matrix the day it
is added, and this test fails until the page is classified there (read page or write page, and the
model its <pk> names).
"""

import pytest
from django.urls import reverse

from .adresses import (
    ADMINISTRATION,
    ADRESSES,
    LECTURE,
    NON_PUBLIQUES,
    OBJETS,
    PUBLIQUES,
    REFERENTIELS,
    demander,
    url_de,
)
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
        if nom.startswith("referentiels:"):
            assert (nom in LECTURE) != (nom in REFERENTIELS), f"{nom} : page de lecture ou des référents ?"
    assert {nom for nom, _ in ADRESSES} >= REFERENTIELS


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


@pytest.mark.parametrize("role", ["elu-a", "agent-a", "referent-a"])
@pytest.mark.parametrize("methode", ["GET", "POST"])
def test_it_never_shows_or_changes_an_object_of_another_authority(client, monde, role, methode):
    comptes, objets = monde
    client.force_login(comptes[role])
    for nom in sorted(OBJETS):
        code = demander(client, methode, url_de(nom, objets, "b")).status_code
        assert code in (403, 404, 405), (nom, role, methode, code)


@pytest.mark.parametrize("role", ["agent-a", "referent-a", "administrateur-a", "admin-a"])
def test_it_lets_agents_and_admins_use_every_page_of_their_authority(client, monde, role):
    comptes, objets = monde
    client.force_login(comptes[role])
    for nom in NON_PUBLIQUES:
        for methode in ("GET", "POST"):
            code = demander(client, methode, url_de(nom, objets, "a")).status_code
            if (nom in ADMINISTRATION and role != "admin-a") or (nom in REFERENTIELS and role == "agent-a"):
                assert code in (403, 405), (nom, role, methode, code)
            else:
                assert code not in (401, 403) and code < 500, (nom, role, methode, code)


# The reference data pages, exactly: (GET, POST with an empty form) for each role. A list is read
# (POST: 405); a create or edit page is the référents' (an empty form: 400); a deletion takes a POST
# (GET: 405) and goes back to a page (302), done or refused with a message.
ATTENDUS_REFERENTIELS = {
    "liste": {
        "anonyme": (302, 405),
        "elu-a": (200, 405),
        "agent-a": (200, 405),
        "referent-a": (200, 405),
        "administrateur-a": (200, 405),
        "admin-a": (200, 405),
    },
    "saisie": {
        "anonyme": (302, 302),
        "elu-a": (403, 403),
        "agent-a": (403, 403),
        "referent-a": (200, 400),
        "administrateur-a": (200, 400),
        "admin-a": (200, 400),
    },
    "suppression": {
        "anonyme": (405, 302),
        "elu-a": (405, 403),
        "agent-a": (405, 403),
        "referent-a": (405, 302),
        "administrateur-a": (405, 302),
        "admin-a": (405, 302),
    },
}
PAGES_DES_REFERENTIELS = sorted(nom for nom, _ in ADRESSES if nom.startswith("referentiels:"))


def genre(nom):
    if nom in LECTURE:
        return "liste"
    return "suppression" if nom.endswith("_supprimer") else "saisie"


@pytest.mark.parametrize("role", sorted(ATTENDUS_REFERENTIELS["liste"]))
def test_each_role_gets_the_exact_answer_on_the_reference_data_pages(client, monde, role):
    comptes, objets = monde
    if role != "anonyme":
        client.force_login(comptes[role])
    obtenus, attendus = {}, {}
    # Deletions last: the rows they delete are those the other pages show.
    for nom in sorted(PAGES_DES_REFERENTIELS, key=lambda n: (genre(n) == "suppression", n)):
        adresse = url_de(nom, objets, "a")
        obtenus[nom] = (
            demander(client, "GET", adresse).status_code,
            demander(client, "POST", adresse).status_code,
        )
        attendus[nom] = ATTENDUS_REFERENTIELS[genre(nom)][role]
    assert obtenus == attendus


@pytest.mark.parametrize("role", ["referent-a", "administrateur-a"])
def test_a_referent_finds_no_reference_data_of_another_authority(client, monde, role):
    comptes, objets = monde
    client.force_login(comptes[role])
    for nom in PAGES_DES_REFERENTIELS:
        if nom in OBJETS:
            adresse = url_de(nom, objets, "b")
            attendu = (405 if genre(nom) == "suppression" else 404, 404)
            obtenu = (
                demander(client, "GET", adresse).status_code,
                demander(client, "POST", adresse).status_code,
            )
            assert obtenu == attendu, nom


def test_it_keeps_the_back_office_for_admins(client, monde):
    comptes, _ = monde
    for role, attendu in (
        ("elu-a", 302),
        ("agent-a", 302),
        ("referent-a", 302),
        ("administrateur-a", 200),
        ("admin-a", 200),
    ):
        client.force_login(comptes[role])
        assert client.get(reverse("admin:index")).status_code == attendu, role
