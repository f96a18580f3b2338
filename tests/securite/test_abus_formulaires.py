"""Every form of the application, fed random input by an agent: never a server error.

The write URLs come from tests/adresses.py, so a form added later is fuzzed too. Field names are
those the forms use, values anything a hostile or clumsy user could type.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..adresses import LECTURE, NON_PUBLIQUES, monde, url_de
from ..hostiles import VALEURS_HOSTILES

pytestmark = pytest.mark.django_db

ECRITURES = [nom for nom in NON_PUBLIQUES if nom not in LECTURE]
CHAMPS = [
    "intitule",
    "contrat",
    "annee",
    "numero_dauphin",
    "axe",
    "dispositif",
    "section",
    "territoire",
    "objectifs",
    "porteur",
    "nouveau_porteur",
    "nouveau_porteur_siret",
    "nouveau_porteur_rna",
    "cout",
    "contribution",
    "version",
    "statut",
    "action",
    "sens",
    "resultat",
    "pour",
    "contre",
    "abstention",
    "ne_prenant_pas_part",
    "elu",
    "etat",
    "mandataire",
    "identifiant_actes",
    "date_reception_prefecture",
    "date_publication",
    "montant_apres",
    "date",
    "date_convocation",
    "membres_en_exercice",
    "president",
    "secretaire",
    "instance",
    "objet",
    "tranche",
    "nature",
    "montant",
    "reference",
    "date_signature",
    "siret",
    "retour",
    "numero",
    "realisation",
    "public_total",
    "public_femmes",
    "public_hommes",
    "cofinancements-TOTAL_FORMS",
    "cofinancements-INITIAL_FORMS",
    "cofinancements-0-financeur",
    "cofinancements-0-montant_accorde",
    "form-TOTAL_FORMS",
    "form-INITIAL_FORMS",
    "form-0-etat",
    "correspondance",
    "colonne_0",
    "colonne_1",
]
VALEURS = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(10**15), max_value=10**15).map(str),
    st.sampled_from(VALEURS_HOSTILES),
)
DONNEES = st.dictionaries(st.sampled_from(CHAMPS), VALEURS, max_size=8)


@pytest.mark.parametrize("nom", ECRITURES)
def test_it_never_fails_on_random_input(client, sem, sedr, nom):
    comptes, objets = monde(sem, sedr)
    client.force_login(comptes["agent-a"])
    adresse = url_de(nom, objets, "a")

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(DONNEES)
    def envoyer(donnees):
        reponse = client.post(adresse, donnees)
        assert reponse.status_code < 500, (nom, donnees, reponse.status_code)

    envoyer()
