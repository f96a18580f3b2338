"""The SQL of the vote's lock, as PostgreSQL receives it (issue 20: mutants of verrou.py).

The triggers are built when the module is imported; these tests read the pieces they are built from,
so that a change to the SQL is seen on SQLite too, where no trigger runs."""

from programmation.models import verrou


def test_it_raises_the_lock_message_with_the_check_violation_code():
    assert verrou._refuser("OLD.id") == (
        "RAISE EXCEPTION 'La tranche % est votée : son contenu est verrouillé "
        "(une correction passe par une modificative).', OLD.id USING ERRCODE = 'check_violation';"
    )


def test_it_asks_whether_the_tranche_is_voted():
    assert verrou._votee("NEW.tranche_id") == (
        "EXISTS (SELECT 1 FROM programmation_tranche WHERE id = NEW.tranche_id AND statut = 'votee')"
    )


def test_it_compares_each_column_with_is_distinct_from():
    assert verrou._differents("cout", "section") == (
        "NEW.cout IS DISTINCT FROM OLD.cout OR NEW.section IS DISTINCT FROM OLD.section"
    )


def test_it_asks_whether_the_action_sits_in_a_voted_tranche():
    assert verrou._action_votee("OLD.action_id") == (
        "EXISTS (SELECT 1 FROM programmation_action a JOIN programmation_tranche t ON t.id = a.tranche_id "
        "WHERE a.id = OLD.action_id AND t.statut = 'votee')"
    )


def test_it_names_each_trigger_by_its_model():
    assert verrou.VerrouTranche.uris() == ["programmation.Tranche:verrou_du_vote"]
    assert verrou.VerrouAction.uris() == ["programmation.Action:verrou_du_vote"]
    assert verrou.VerrouCofinancement.uris() == ["programmation.Cofinancement:verrou_du_vote"]
