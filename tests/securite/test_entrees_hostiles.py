"""No input makes a page fail: random query strings on the browse pages, random form posts."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programmation.filters import ActionFilter

from ..hostiles import PARAMETRES_DES_LISTES, VALEURS_HOSTILES

pytestmark = pytest.mark.django_db

PARAMETRES = PARAMETRES_DES_LISTES
VALEURS = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(VALEURS_HOSTILES),
)
REQUETES = st.dictionaries(st.sampled_from(PARAMETRES), VALEURS, max_size=6)
HYPOTHESE = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def test_it_covers_every_filter_of_the_list_with_the_fuzzed_parameters():
    assert set(ActionFilter.base_filters) <= set(PARAMETRES)


@HYPOTHESE
@given(parametres=REQUETES)
def test_it_never_fails_on_the_programmation_page(client, elu, parametres):
    client.force_login(elu)
    reponse = client.get(reverse("programmation:programmation"), parametres)
    assert reponse.status_code in (200, 404), parametres


@HYPOTHESE
@given(parametres=REQUETES)
def test_it_never_fails_on_the_dashboard(client, elu, parametres):
    client.force_login(elu)
    assert client.get(reverse("programmation:tableau_de_bord"), parametres).status_code == 200


CHAMPS_ACTION = [
    "contrat",
    "annee",
    "intitule",
    "porteur",
    "nouveau_porteur",
    "nouveau_porteur_nature",
    "nouveau_porteur_siret",
    "nouveau_porteur_rna",
    "axe",
    "cout",
    "contribution",
    "section",
    "version",
]


@HYPOTHESE
@given(donnees=st.dictionaries(st.sampled_from(CHAMPS_ACTION), VALEURS, max_size=10))
def test_it_never_fails_on_the_action_form(client, agent, donnees):
    from programmation.models import Action

    client.force_login(agent)
    avant = Action.objects.count()
    reponse = client.post(
        reverse("programmation:action_creer"),
        {**donnees, "cofinancements-TOTAL_FORMS": "0", "cofinancements-INITIAL_FORMS": "0"},
    )
    assert reponse.status_code in (302, 400), donnees
    if reponse.status_code == 400:
        assert Action.objects.count() == avant
