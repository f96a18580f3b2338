"""The bulk paths' guard of a voted tranche, door by door (issue 20: mutants of garde.py)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programmation.models import Action, Cofinancement, Tranche
from programmation.models.garde import hors_verrou

from ..factories import ActionFactory, tranche_votee_avec_cofinancement

pytestmark = pytest.mark.django_db

# The seeds' contrat de ville; its 2024 tranche 1 was voted, the tranche built by the factory is the 2nd.
VERROU_T2 = (
    "La tranche Contrat de ville « Engagements Quartiers 2030 » — 2024 T2 est votée : ses montants "
    "sont verrouillés. Une correction passe par une nouvelle délibération (modificative)."
)


@pytest.fixture
def votee():
    return tranche_votee_avec_cofinancement(Decimal("3000")).actions.get()


@pytest.fixture
def libre(votee):
    """An action of the same contract and year in no tranche, with its own cofinancement."""
    action = ActionFactory(tranche=None, contrat=votee.contrat, annee=2024, axe=votee.axe, statut="proposee")
    Cofinancement.objects.create(
        action=action, financeur=votee.cofinancements.get().financeur, montant_sollicite=Decimal("100")
    )
    return action


def refus(appel):
    with pytest.raises(ValidationError) as erreur:
        appel()
    return erreur.value.messages


def test_it_names_the_voted_tranche_in_the_refusal(votee):
    assert refus(lambda: Action.objects.filter(pk=votee.pk).update(cout=1)) == [VERROU_T2]
    assert refus(lambda: Cofinancement.objects.filter(action=votee).update(montant_accorde=1)) == [VERROU_T2]
    assert refus(lambda: Cofinancement.objects.filter(action=votee).delete()) == [VERROU_T2]


def test_it_lets_an_update_of_free_fields_through(votee):
    Action.objects.filter(pk=votee.pk).update(objectifs="Objectifs précisés.")
    Cofinancement.objects.filter(action=votee).update()
    assert Action.objects.get(pk=votee.pk).objectifs == "Objectifs précisés."


def test_it_refuses_putting_rows_into_a_voted_tranche_by_object_or_by_id(votee, libre):
    tranche = votee.tranche
    assert refus(lambda: Action.objects.filter(pk=libre.pk).update(tranche=tranche)) == [VERROU_T2]
    assert refus(lambda: Action.objects.filter(pk=libre.pk).update(tranche_id=tranche.pk)) == [VERROU_T2]
    cofinancement = Cofinancement.objects.filter(action=libre)
    assert refus(lambda: cofinancement.update(action=votee)) == [VERROU_T2]
    assert refus(lambda: cofinancement.update(action_id=votee.pk)) == [VERROU_T2]
    assert Action.objects.get(pk=libre.pk).tranche_id is None


def test_it_lets_rows_go_into_a_draft_tranche_or_out_of_any(votee, libre):
    brouillon = Tranche.objects.creer_suivante(votee.contrat, 2024)
    Action.objects.filter(pk=libre.pk).update(tranche=brouillon)
    Action.objects.filter(pk=libre.pk).update(tranche=None)
    Cofinancement.objects.filter(action=libre).update(montant_accorde=Decimal("90"))
    assert Cofinancement.objects.get(action=libre).montant_accorde == Decimal("90.00")
    Cofinancement.objects.filter(action=libre).delete()
    assert not Cofinancement.objects.filter(action=libre).exists()


def test_it_opens_both_guards_through_the_modificative_door_and_closes_them_after(votee, libre):
    with hors_verrou():
        Action.objects.filter(pk=votee.pk).update(contribution=Decimal("2500"))
        Action.objects.filter(pk=libre.pk).update(tranche=votee.tranche)
        Cofinancement.objects.filter(action=votee).update(montant_accorde=Decimal("2000"))
    assert Action.objects.get(pk=votee.pk).contribution == Decimal("2500.00")
    assert Action.objects.get(pk=libre.pk).tranche_id == votee.tranche_id
    assert refus(lambda: Action.objects.filter(pk=votee.pk).update(contribution=1)) == [VERROU_T2]


def test_it_brings_back_after_bulk_update_the_check_skipped_inside_it(votee):
    Action.objects.bulk_update([votee], ["intitule"])
    assert refus(lambda: Action.objects.filter(pk=votee.pk).update(cout=1)) == [VERROU_T2]


def test_it_reads_the_tranche_s_status_not_the_action_s(votee, libre):
    # A voted action goes on to « conventionnée »: its tranche stays voted, and locked.
    Action.objects.filter(pk=votee.pk).update(statut="conventionnee")
    assert refus(lambda: Cofinancement.objects.filter(action=libre).update(action=votee)) == [VERROU_T2]


def test_it_passes_bulk_create_s_options_through_by_position_or_by_name(libre):
    existant = libre.cofinancements.get()
    double = Cofinancement(action=libre, financeur=existant.financeur, montant_sollicite=Decimal("1"))
    Cofinancement.objects.bulk_create([double], None, True)
    Cofinancement.objects.bulk_create([double], ignore_conflicts=True)
    assert libre.cofinancements.get().montant_sollicite == Decimal("100.00")


def test_it_reads_the_row_with_its_tranche_then_the_contract_to_name_it(votee, django_assert_num_queries):
    with django_assert_num_queries(2), pytest.raises(ValidationError):
        Action.objects.filter(pk=votee.pk).delete()
    with django_assert_num_queries(2), pytest.raises(ValidationError):
        Cofinancement.objects.filter(action=votee).delete()


def test_it_keeps_the_batch_size_asked_in_bulk_update(votee, libre):
    autre = ActionFactory(tranche=None, contrat=votee.contrat, annee=2024, axe=votee.axe, statut="proposee")
    libre.intitule, autre.intitule = "Premier intitulé", "Second intitulé"
    with CaptureQueriesContext(connection) as requetes:
        assert Action.objects.bulk_update([libre, autre], ["intitule"], batch_size=1) == 2
    mises_a_jour = [q["sql"] for q in requetes.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(mises_a_jour) == 2
