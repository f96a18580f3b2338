"""Help texts and errors are read out with their field: every id a form control names in its
aria-describedby exists in the page, on the pages' first display and after a refused post."""

import re

import pytest
from django.urls import reverse

from contrat_ville.roles import REFERENTS

from ..factories import compte

pytestmark = pytest.mark.django_db

PAGES = [
    "programmation:action_creer",
    "deliberations:seance_creer",
    "referentiels:financeur_creer",
    "referentiels:enveloppe_creer",
    "deliberations:elu_creer",
]


def _orphelins(html):
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    nommes = {i for valeur in re.findall(r'aria-describedby="([^"]*)"', html) for i in valeur.split()}
    return nommes - ids, nommes


@pytest.mark.parametrize("nom", PAGES)
def test_it_points_every_description_at_an_element_of_the_page(client, sem, nom):
    client.force_login(compte("referent-aria", sem, REFERENTS))
    adresse = reverse(nom)
    affichage = client.get(adresse)
    refus = client.post(adresse, {})
    assert (affichage.status_code, refus.status_code) == (200, 400)
    for reponse in (affichage, refus):
        orphelins, nommes = _orphelins(reponse.content.decode())
        assert orphelins == set()
    # The refused post names the errors of its required fields.
    assert any(i.endswith("_error") for i in nommes)
