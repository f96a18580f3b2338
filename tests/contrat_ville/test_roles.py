"""What each group may do (contrat_ville/roles.py): élus read, agents work on the year's programmation,
référents also keep the authority's reference data, administrators also have the back-office."""

import pytest
from django.contrib.auth.models import Group, Permission

from contrat_ville.models import User
from contrat_ville.roles import ADMINISTRATEURS, AGENTS, ELUS, REFERENTIELS, REFERENTS, synchroniser_roles

from ..factories import compte

pytestmark = pytest.mark.django_db

# The reference data the référents keep, typed here rather than read from roles.REFERENTIELS: a model
# dropped from that list would hand its changes to the agents without these tests noticing.
REFERENTIELS_ATTENDUS = {
    "contrat_ville": ["contrat", "financeur", "enveloppe", "quartier", "axe", "theme"],
    "deliberations": ["instance", "elu", "registre", "modeledeliberation"],
}
MODIFICATIONS_DES_REFERENTIELS = [
    f"{app}.{action}_{modele}"
    for app, modeles in REFERENTIELS_ATTENDUS.items()
    for modele in modeles
    for action in ("add", "change", "delete")
]
LECTURES_DES_REFERENTIELS = [
    f"{app}.view_{modele}" for app, modeles in REFERENTIELS_ATTENDUS.items() for modele in modeles
]
# And a few of the agents' everyday rights.
TRAVAIL_DES_AGENTS = [
    "programmation.add_action",
    "programmation.change_action",
    "programmation.change_tranche",
    "programmation.add_convention",
    "programmation.add_paiement",
    "deliberations.add_seance",
    "deliberations.change_deliberation",
]
RESERVE_AUX_ADMINISTRATEURS_DU_SITE = [
    "contrat_ville.add_user",
    "contrat_ville.change_user",
    "contrat_ville.change_collectivite",
    "contrat_ville.delete_collectivite",
]


def membre(groupe, sem):
    return User.objects.get(pk=compte(f"membre-{groupe}", sem, groupe).pk)  # no cached permissions


def test_it_names_existing_models_in_the_reference_data():
    assert REFERENTIELS == REFERENTIELS_ATTENDUS
    for code in MODIFICATIONS_DES_REFERENTIELS + LECTURES_DES_REFERENTIELS:
        app, codename = code.split(".")
        assert Permission.objects.filter(content_type__app_label=app, codename=codename).exists(), code


def test_it_lets_an_elu_read_everything_and_change_nothing(sem):
    elu = membre(ELUS, sem)
    assert all(elu.has_perm(code) for code in LECTURES_DES_REFERENTIELS)
    assert elu.has_perm("programmation.view_action") and elu.has_perm("deliberations.view_seance")
    assert not any(elu.has_perm(code) for code in MODIFICATIONS_DES_REFERENTIELS + TRAVAIL_DES_AGENTS)
    assert all(code.split(".")[1].startswith("view_") for code in elu.get_all_permissions())


def test_it_lets_an_agent_work_on_the_programmation_and_read_the_reference_data(sem):
    agent = membre(AGENTS, sem)
    assert all(agent.has_perm(code) for code in TRAVAIL_DES_AGENTS)
    assert all(agent.has_perm(code) for code in LECTURES_DES_REFERENTIELS)
    refusees = [code for code in MODIFICATIONS_DES_REFERENTIELS if agent.has_perm(code)]
    assert refusees == []
    assert not any(agent.has_perm(code) for code in RESERVE_AUX_ADMINISTRATEURS_DU_SITE)


def test_it_lets_a_referent_also_keep_the_reference_data(sem):
    referent = membre(REFERENTS, sem)
    assert all(referent.has_perm(code) for code in MODIFICATIONS_DES_REFERENTIELS)
    assert all(referent.has_perm(code) for code in TRAVAIL_DES_AGENTS + LECTURES_DES_REFERENTIELS)
    # Accounts and the authorities themselves stay out of reach; their own set-up is one permission.
    assert not any(referent.has_perm(code) for code in RESERVE_AUX_ADMINISTRATEURS_DU_SITE)
    assert not referent.is_staff and not referent.administre


def test_it_lets_a_referent_set_up_their_authority(sem):
    # Declared on Collectivite (Meta.permissions), granted by synchroniser_roles().
    assert Permission.objects.filter(
        content_type__app_label="contrat_ville", codename="parametrer_collectivite"
    ).exists()
    referent, agent = membre(REFERENTS, sem), membre(AGENTS, sem)
    assert referent.has_perm("contrat_ville.parametrer_collectivite")
    assert membre(ADMINISTRATEURS, sem).has_perm("contrat_ville.parametrer_collectivite")
    assert not agent.has_perm("contrat_ville.parametrer_collectivite")
    assert not membre(ELUS, sem).has_perm("contrat_ville.parametrer_collectivite")


def test_it_gives_an_administrator_the_referents_rights(sem):
    synchroniser_roles()
    referents = set(Group.objects.get(name=REFERENTS).permissions.values_list("pk", flat=True))
    administrateurs = set(Group.objects.get(name=ADMINISTRATEURS).permissions.values_list("pk", flat=True))
    assert referents == administrateurs


def test_it_sets_the_roles_again_at_a_second_synchronisation():
    synchroniser_roles()
    agents = Group.objects.get(name=AGENTS)
    de_trop = Permission.objects.get(content_type__app_label="contrat_ville", codename="change_financeur")
    agents.permissions.add(de_trop)
    avant = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    synchroniser_roles()
    apres = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    assert de_trop.pk not in apres[AGENTS]
    assert apres[AGENTS] == avant[AGENTS] - {de_trop.pk}
    assert {nom: pks for nom, pks in apres.items() if nom != AGENTS} == {
        nom: pks for nom, pks in avant.items() if nom != AGENTS
    }
    assert set(apres) >= {AGENTS, ELUS, REFERENTS, ADMINISTRATEURS}
