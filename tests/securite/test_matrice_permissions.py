"""Every URL of the application, for every role and two authorities, GET and POST: the expected answer.

The URLs are read from the URL configuration (tests/adresses.py): a new page is in the matrix the day it
is added, and this test fails until the page is classified there (read page or write page, and the
model its <pk> names).
"""

import pytest
from django.urls import reverse

from ..adresses import (
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
from ..adresses import monde as construire_monde

pytestmark = pytest.mark.django_db


@pytest.fixture
def monde(sem, sedr):
    return construire_monde(sem, sedr)


ROLES = ("elu-a", "agent-a", "referent-a", "administrateur-a", "admin-a")
# Each page's exact answers (GET/POST with an empty form) for the roles above, in that order. A read page
# answers a POST as a GET (200) or refuses it (405); an empty form is refused (400); a change done or
# refused with a message goes back to a page (302).
REPONSES = {
    "200/200 200/200 200/200 200/200 200/200": [
        "deliberations:acte_fige",
        "deliberations:deliberation",
        "deliberations:donnees_ouvertes",
        "deliberations:elus",
        "deliberations:extrait_pdf",
        "deliberations:instance",
        "deliberations:instances",
        "deliberations:journal",
        "deliberations:liste",
        "deliberations:seance",
        "deliberations:seances",
        "document",
        "parametres",
        "programmation:action",
        "programmation:bilan",
        "programmation:bilans",
        "programmation:convention_pdf",
        "programmation:conventions",
        "programmation:dispositif",
        "programmation:indicateurs",
        "programmation:porteur",
        "programmation:rapport_pdf",
        "programmation:rapport_xlsx",
        "programmation:rapports",
        "programmation:tableau_de_bord",
        "programmation:tranche",
        "programmation:tranche_annexe_pdf",
        "programmation:tranche_annexe_xlsx",
        "programmation:tranches",
    ],
    "200/405 200/405 200/405 200/405 200/405": [
        "programmation:programmation",
        "referentiels:axes",
        "referentiels:contrats",
        "referentiels:enveloppes",
        "referentiels:financeurs",
        "referentiels:index",
        "referentiels:quartiers",
    ],
    # The référents' forms.
    "403/403 403/403 200/400 200/400 200/400": [
        "deliberations:elu_creer",
        "deliberations:elu_modifier",
        "deliberations:instance_creer",
        "deliberations:instance_modifier",
        "deliberations:modele",
        "deliberations:registre",
        "referentiels:axe_creer",
        "referentiels:axe_modifier",
        "referentiels:contrat_creer",
        "referentiels:contrat_modifier",
        "referentiels:enveloppe_creer",
        "referentiels:enveloppe_modifier",
        "referentiels:enveloppes_grille",
        "referentiels:financeur_creer",
        "referentiels:financeur_modifier",
        "referentiels:quartier_creer",
        "referentiels:quartier_modifier",
        "referentiels:theme_creer",
        "referentiels:theme_modifier",
    ],
    "403/403 403/403 200/200 200/200 200/200": ["deliberations:modeles"],
    "405/403 405/403 405/302 405/302 405/302": [
        "deliberations:instance_importer_confirmer",
        "deliberations:instance_membres",
        "parametres_modifier",
        "referentiels:enveloppe_supprimer",
        "referentiels:financeur_supprimer",
    ],
    "405/403 405/403 405/400 405/400 405/400": ["deliberations:instance_importer"],
    # The agents' forms.
    "403/403 200/400 200/400 200/400 200/400": [
        "deliberations:seance_creer",
        "deliberations:seance_modifier",
        "programmation:action_creer",
        "programmation:action_modifier",
        "programmation:bilan_saisir",
        "programmation:importation_deposer",
    ],
    "403/403 200/200 200/200 200/200 200/200": [
        "programmation:importation",
        "programmation:tranche_composer",
    ],
    "403/403 200/302 200/302 200/302 200/302": ["programmation:reconduction"],
    "403/403 302/302 302/302 302/302 302/302": ["deliberations:rediger"],
    "405/403 405/302 405/302 405/302 405/302": [
        "deliberations:deplacer",
        "deliberations:ligne",
        "deliberations:prefecture",
        "deliberations:presence",
        "deliberations:retirer",
        "deliberations:seance_inscrire",
        "programmation:action_reconduire",
        "programmation:action_statut",
        "programmation:action_supprimer",
        "programmation:actions_masse",
        "programmation:convention_creer",
        "programmation:convention_signer",
        "programmation:importation_charger",
        "programmation:paiement_creer",
        "programmation:tranche_ajouter",
        "programmation:tranche_retirer",
        "programmation:tranche_soumettre",
    ],
    "405/403 405/400 405/400 405/400 405/400": [
        "deliberations:seance_presences",
        "deliberations:seance_reprendre_presences",
        "deliberations:seance_tous_presents",
        "deliberations:voter",
        "programmation:importation_colonnes",
    ],
    # Pages that need the contract in their query: without it, no contract is found.
    "403/403 404/404 404/404 404/404 404/404": ["programmation:importation_modele"],
    "405/403 405/404 405/404 405/404 405/404": ["programmation:tranche_creer"],
    # The authority's own SIRET: the administrators' (change_collectivite).
    "405/403 405/403 405/403 405/403 405/302": ["deliberations:donnees_ouvertes_siret"],
    # The document of the world is recorded as being made: not ready, not served.
    "404/404 404/404 404/404 404/404 404/404": ["document_telecharger"],
}
ATTENDUS = {
    nom: dict(zip(ROLES, [tuple(int(c) for c in paire.split("/")) for paire in ligne.split()], strict=True))
    for ligne, noms in REPONSES.items()
    for nom in noms
}


def test_it_gives_every_page_its_exact_answers():
    assert sorted(ATTENDUS) == sorted(NON_PUBLIQUES), "Classez la page dans REPONSES"


def obtenus(client, objets):
    return {
        nom: tuple(
            demander(client, methode, url_de(nom, objets, "a")).status_code for methode in ("GET", "POST")
        )
        for nom in NON_PUBLIQUES
    }


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


# The one page that asks who you are before it refuses the method.
CONNEXION_D_ABORD = {("programmation:programmation", "POST")}


@pytest.mark.parametrize("methode", ["GET", "POST"])
def test_it_sends_an_anonymous_visitor_to_the_login_page(client, monde, methode):
    """Exactly: to the login page (302), unless the page refuses the method to everyone (405)."""
    _, objets = monde
    rang = ("GET", "POST").index(methode)
    for nom in NON_PUBLIQUES:
        reponse = demander(client, methode, url_de(nom, objets, "a"))
        refusee = ATTENDUS[nom]["elu-a"][rang] == 405 and (nom, methode) not in CONNEXION_D_ABORD
        attendu = 405 if refusee else 302
        assert reponse.status_code == attendu, (nom, methode, reponse.status_code)
        if attendu == 302:
            assert reponse["Location"].startswith(reverse("login")), (nom, methode)


def test_it_lets_an_official_read_and_never_write(client, monde):
    comptes, objets = monde
    client.force_login(comptes["elu-a"])
    assert obtenus(client, objets) == {nom: ATTENDUS[nom]["elu-a"] for nom in NON_PUBLIQUES}
    for nom in NON_PUBLIQUES:
        if nom not in LECTURE:
            assert ATTENDUS[nom]["elu-a"][1] == 403, nom


@pytest.mark.parametrize("role", ["elu-a", "agent-a", "referent-a"])
@pytest.mark.parametrize("methode", ["GET", "POST"])
def test_it_never_shows_or_changes_an_object_of_another_authority(client, monde, role, methode):
    """The same refusal as on the user's own object (403, 405), else « not found » (404): never a hint
    that the object exists."""
    comptes, objets = monde
    client.force_login(comptes[role])
    rang = ("GET", "POST").index(methode)
    for nom in sorted(OBJETS):
        chez_soi = ATTENDUS[nom][role][rang]
        attendu = chez_soi if chez_soi in (403, 405) else 404
        code = demander(client, methode, url_de(nom, objets, "b")).status_code
        assert code == attendu, (nom, role, methode, code)


@pytest.mark.parametrize("role", ["agent-a", "referent-a", "administrateur-a", "admin-a"])
def test_it_lets_agents_and_admins_use_every_page_of_their_authority(client, monde, role):
    comptes, objets = monde
    client.force_login(comptes[role])
    assert obtenus(client, objets) == {nom: ATTENDUS[nom][role] for nom in NON_PUBLIQUES}
    for nom in NON_PUBLIQUES:
        refusee = (nom in ADMINISTRATION and role != "admin-a") or (nom in REFERENTIELS and role == "agent-a")
        assert (403 in ATTENDUS[nom][role]) == refusee, (nom, role)


PAGES_DES_REFERENTIELS = sorted(nom for nom, _ in ADRESSES if nom.startswith("referentiels:"))


@pytest.mark.parametrize("role", ["referent-a", "administrateur-a"])
def test_it_shows_a_referent_no_reference_data_of_another_authority(client, monde, role):
    comptes, objets = monde
    client.force_login(comptes[role])
    for nom in PAGES_DES_REFERENTIELS:
        if nom in OBJETS:
            adresse = url_de(nom, objets, "b")
            attendu = (405 if nom.endswith("_supprimer") else 404, 404)
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
