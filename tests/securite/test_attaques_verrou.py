"""Attacks on the vote's lock through every door other than the agent's form: the ORM's single and bulk
writes, the agent's form on a field it should not change, and raw SQL on PostgreSQL. Each is refused,
and the database is left exactly as it was (fingerprint of every row)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from contrat_ville.models import Axe, Financeur
from programmation.models import Action, Cofinancement, Tranche
from programmation.models.garde import hors_verrou

from ..empreinte import empreinte
from ..factories import ActionFactory, FinanceurFactory, tranche_votee_avec_cofinancement

pytestmark = pytest.mark.django_db

VERROU = "est votée"


@pytest.fixture
def votee():
    """Délibération 2024.00230: the 1st 2024 tranche of the Métropole's contrat de ville, adopted."""
    tranche = Tranche.objects.get(contrat__nature="contrat_de_ville", annee=2024, numero=1)
    assert tranche.est_verrouillee
    return tranche


@pytest.fixture
def avec_cofinancement(votee):
    """A second tranche of 2024, composed and adopted the way agents do: its action has a cofinancement."""
    return tranche_votee_avec_cofinancement(Decimal("3000.50")).actions.get()


@pytest.fixture
def libre(votee):
    """A proposed action of the same contract and year, in no tranche."""
    return ActionFactory(
        tranche=None, contrat=votee.contrat, annee=2024, axe=votee.actions.first().axe, statut="proposee"
    )


def _totaux_2024_t1(votee):
    totaux = Action.objects.filter(tranche=votee).subventions().totaux()
    return totaux["nombre"], totaux["contribution"]


def _refuse(operation):
    """The operation raises the lock's message and changes no row."""
    avant = empreinte()
    with pytest.raises(ValidationError, match=VERROU), transaction.atomic():
        operation()
    assert empreinte() == avant


def test_it_keeps_the_voted_figures_of_the_seed(votee):
    # Typed from the délibération 2024.00230: 49 actions, 383 950 € granted.
    assert _totaux_2024_t1(votee) == (49, Decimal("383950"))


def test_it_refuses_an_orm_update_that_moves_free_actions_into_a_voted_tranche(votee, libre):
    _refuse(lambda: Action.objects.filter(tranche=None, contrat=votee.contrat).update(tranche=votee))
    assert _totaux_2024_t1(votee) == (49, Decimal("383950"))


def test_it_refuses_create_and_bulk_create_into_a_voted_tranche(votee):
    modele = votee.actions.order_by("pk").first()
    nouvelle = {
        "contrat": votee.contrat,
        "annee": 2024,
        "tranche": votee,
        "porteur": modele.porteur,
        "axe": modele.axe,
        "intitule": "Action glissée après le vote",
        "cout": Decimal("20000"),
        "contribution": Decimal("9001"),
        "statut": "votee",
    }
    _refuse(lambda: Action.objects.create(**nouvelle))
    _refuse(lambda: Action.objects.bulk_create([Action(**nouvelle)]))
    assert _totaux_2024_t1(votee) == (49, Decimal("383950"))


def test_it_refuses_moving_a_free_action_into_a_voted_tranche_by_save(votee, libre):
    libre.tranche = votee

    _refuse(libre.save)


@pytest.mark.parametrize(
    "champ, valeur",
    [
        ("maitrise_ouvrage_collectivite", True),
        ("statut", "proposee"),
        ("section", "investissement"),
        ("contribution", Decimal("0.01")),
        ("cout", None),
        ("tranche", None),
    ],
)
def test_it_refuses_changing_what_the_vote_froze_by_save(votee, champ, valeur):
    action = votee.actions.order_by("pk").first()
    setattr(action, champ, valeur)
    _refuse(action.save)
    _refuse(action.full_clean)


@pytest.mark.parametrize(
    "valeurs",
    [
        {"maitrise_ouvrage_collectivite": True},
        {"statut": "proposee"},
        {"contribution": Decimal("0")},
        {"tranche": None},
    ],
)
def test_it_refuses_the_same_changes_by_queryset_update(votee, valeurs):
    _refuse(lambda: Action.objects.filter(tranche=votee).update(**valeurs))


def test_it_refuses_another_axe_by_save_and_by_bulk_update(votee):
    action = votee.actions.order_by("pk").first()
    action.axe = Axe.objects.filter(contrat=votee.contrat).exclude(pk=action.axe_id).first()
    _refuse(action.save)
    _refuse(lambda: Action.objects.bulk_update([action], ["axe"]))


def test_it_does_not_change_the_axe_of_a_voted_action_through_the_agent_form(client, agent, votee):
    action = votee.actions.order_by("pk").first()
    autre = Axe.objects.filter(contrat=votee.contrat).exclude(pk=action.axe_id).first()
    client.force_login(agent)
    adresse = reverse("programmation:action_modifier", args=[action.pk])
    formulaire = client.get(adresse).context["form"]
    donnees = {k: v for k, v in formulaire.initial.items() if v is not None and k != "quartiers"}
    donnees |= {
        "axe": autre.pk,
        "territoire": "Montreynaud",
        "cofinancements-TOTAL_FORMS": "0",
        "cofinancements-INITIAL_FORMS": "0",
    }
    client.post(adresse, donnees)
    action.refresh_from_db()
    # The territory is corrected; the axe, which the vote froze, is not.
    assert (action.territoire, action.axe_id) == ("Montreynaud", formulaire.initial["axe"])


def test_it_refuses_every_cofinancement_change_of_a_voted_action(avec_cofinancement):
    cofinancement = avec_cofinancement.cofinancements.get()
    autre = Financeur.objects.filter(collectivite=cofinancement.financeur.collectivite).exclude(
        pk=cofinancement.financeur_id
    )[0]
    cofinancement.financeur = autre
    _refuse(cofinancement.save)
    _refuse(lambda: Cofinancement.objects.filter(pk=cofinancement.pk).update(financeur=autre))
    nouveau = Cofinancement(action=avec_cofinancement, financeur=autre, montant_sollicite=Decimal("1"))
    _refuse(nouveau.save)
    _refuse(lambda: Cofinancement.objects.bulk_create([nouveau]))
    _refuse(Cofinancement.objects.get(pk=cofinancement.pk).delete)
    _refuse(lambda: Cofinancement.objects.filter(pk=cofinancement.pk).delete())


def test_it_refuses_moving_a_cofinancement_onto_a_voted_action(avec_cofinancement, libre):
    financeur = FinanceurFactory(collectivite=libre.contrat.collectivite, nom="Région")
    libre_cofinancement = Cofinancement.objects.create(
        action=libre, financeur=financeur, montant_sollicite=Decimal("5")
    )
    _refuse(lambda: Cofinancement.objects.filter(pk=libre_cofinancement.pk).update(action=avec_cofinancement))


def test_it_refuses_deleting_or_reopening_a_voted_tranche(votee):
    _refuse(lambda: Tranche.objects.get(pk=votee.pk).delete())
    _refuse(lambda: Tranche.objects.filter(pk=votee.pk).delete())
    _refuse(lambda: Tranche.objects.filter(pk=votee.pk).update(statut="brouillon"))
    votee.statut = "brouillon"
    _refuse(votee.save)


def test_it_keeps_the_modificative_as_the_one_door_and_leaves_its_history(votee, agent):
    action = votee.actions.order_by("pk").first()
    avant = action.contribution
    action.modifier(
        agent, contribution=avant + Decimal("100.25"), motif="délibération n°2024.99999", modificative=True
    )
    action.refresh_from_db()
    assert action.contribution == avant + Decimal("100.25")
    assert action.modifications.filter(champ="contribution (délibération n°2024.99999)").exists()
    # The door closes behind it.
    action.contribution = avant
    _refuse(action.save)


def test_it_keeps_correctable_what_the_vote_does_not_freeze(votee):
    action = votee.actions.order_by("pk").first()
    action.territoire = "Quartier de la Cotonne"
    action.statut = "conventionnee"
    action.save()
    Action.objects.filter(pk=action.pk).update(objectifs="Objectifs précisés.")
    action.refresh_from_db()
    assert (action.territoire, action.statut, action.objectifs) == (
        "Quartier de la Cotonne",
        "conventionnee",
        "Objectifs précisés.",
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's triggers")
@pytest.mark.parametrize(
    "requete",
    [
        "UPDATE programmation_action SET contribution = 0 WHERE tranche_id = {tranche}",
        "UPDATE programmation_action SET tranche_id = NULL WHERE tranche_id = {tranche}",
        "UPDATE programmation_action SET maitrise_ouvrage_collectivite = true WHERE tranche_id = {tranche}",
        "UPDATE programmation_action SET statut = 'proposee' WHERE tranche_id = {tranche}",
        "UPDATE programmation_action SET tranche_id = {tranche} WHERE id = {libre}",
        "DELETE FROM programmation_action WHERE tranche_id = {tranche}",
        "UPDATE programmation_tranche SET statut = 'brouillon' WHERE id = {tranche}",
        "DELETE FROM programmation_tranche WHERE id = {tranche}",
        "INSERT INTO programmation_cofinancement (action_id, financeur_id, montant_sollicite) "
        "SELECT id, {financeur}, 1 FROM programmation_action WHERE tranche_id = {tranche} LIMIT 1",
    ],
)
def test_it_refuses_raw_sql_in_postgresql_itself(votee, libre, requete):
    financeur = Financeur.objects.get(collectivite=votee.contrat.collectivite, nom="État")
    avant = empreinte()
    with (
        pytest.raises(IntegrityError, match="est votée"),
        transaction.atomic(),
        connection.cursor() as curseur,
    ):
        curseur.execute(requete.format(tranche=votee.pk, libre=libre.pk, financeur=financeur.pk))
    assert empreinte() == avant


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's triggers")
def test_it_refuses_in_postgresql_a_cofinancement_change_of_a_voted_action(avec_cofinancement):
    cofinancement = avec_cofinancement.cofinancements.get()
    for requete in (
        f"UPDATE programmation_cofinancement SET montant_sollicite = 1 WHERE id = {cofinancement.pk}",
        f"DELETE FROM programmation_cofinancement WHERE id = {cofinancement.pk}",
    ):
        with pytest.raises(IntegrityError, match="est votée"), transaction.atomic(), connection.cursor() as c:
            c.execute(requete)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's triggers")
def test_it_lets_the_modificative_and_only_it_through_postgresql(votee):
    action = votee.actions.order_by("pk").first()
    with hors_verrou(), connection.cursor() as curseur:
        curseur.execute(
            "UPDATE programmation_action SET contribution = contribution + 1 WHERE id = %s", [action.pk]
        )
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as curseur:
        curseur.execute(
            "UPDATE programmation_action SET contribution = contribution + 1 WHERE id = %s", [action.pk]
        )
