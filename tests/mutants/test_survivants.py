"""Rules that a mutation once broke with the whole suite still green (issue 20): each test here fails
when its rule is removed, on SQLite too, where no PostgreSQL trigger stands behind the model."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contrat_ville.models import Collectivite
from deliberations import opendata
from programmation.models import Action, Cofinancement

from ..factories import (
    ActionFactory,
    CollectiviteFactory,
    DeliberationFactory,
    PorteurFactory,
    SeanceFactory,
    TrancheFactory,
    tranche_votee_avec_cofinancement,
)

pytestmark = pytest.mark.django_db


def test_it_refuses_to_delete_an_action_of_a_voted_tranche_through_the_model(sem):
    action = tranche_votee_avec_cofinancement(Decimal("3000")).actions.get()
    with pytest.raises(ValidationError, match="est votée : ses montants sont verrouillés"):
        action.delete()
    assert Action.objects.filter(pk=action.pk).exists()
    assert Cofinancement.objects.filter(action_id=action.pk).count() == 1


def test_it_still_deletes_an_action_of_a_draft_tranche():
    action = ActionFactory()
    action.delete()
    assert not Action.objects.filter(pk=action.pk).exists()


@pytest.fixture
def seuil():
    """Two identified porteurs of one adopted 2025 tranche: one at the threshold, one a cent above."""
    collectivite = CollectiviteFactory(nom="Communauté d'essai du seuil")
    collectivite.siret = "73282932000074"
    collectivite.save()
    tranche = TrancheFactory(contrat__collectivite=collectivite, annee=2025, statut="votee")
    DeliberationFactory(
        seance=SeanceFactory(instance__collectivite=collectivite, date=datetime.date(2025, 3, 20)),
        numero="2025.00007",
        tranche=tranche,
        resultat_vote="unanimite",
    )
    for nom, siret, montant in [
        ("Au seuil", "44306184100047", "23000.00"),
        ("Au-dessus du seuil", "55208131766522", "23000.01"),
    ]:
        porteur = PorteurFactory(collectivite=collectivite, nom=nom, siret=siret)
        ActionFactory(
            tranche=tranche,
            porteur=porteur,
            statut="votee",
            cout=Decimal(50000),
            contribution=Decimal(montant),
        )
    return collectivite


def test_it_publishes_only_what_exceeds_23_000_euros_in_the_scdl_export(seuil):
    publiees = opendata.subventions_publiees(seuil, 2025)
    assert [a.porteur.nom for a in publiees] == ["Au-dessus du seuil"]
    contenu = opendata.exporter_subventions(seuil, 2025).contenu.decode("utf-8")
    assert "23000.01" in contenu and "55208131766522" in contenu
    assert "23000.00" not in contenu and "44306184100047" not in contenu


def test_it_publishes_both_in_the_scdl_export_when_asked_for_all(seuil):
    publiees = opendata.subventions_publiees(seuil, 2025, toutes=True)
    assert sorted(a.porteur.nom for a in publiees) == ["Au seuil", "Au-dessus du seuil"]


def test_it_saves_an_admin_s_siret_in_the_database(client, admin_user, sem):
    client.force_login(admin_user)
    reponse = client.post(
        reverse("deliberations:donnees_ouvertes_siret"), {"siret": "24420077000018"}, follow=True
    )
    assert reponse.status_code == 200
    assert "enregistré : 24420077000018" in reponse.content.decode()
    assert Collectivite.objects.get(pk=sem.pk).siret == "24420077000018"
