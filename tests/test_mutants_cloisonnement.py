"""The authority scoping's paths and SQL, read from the model graph (issue 20: mutants of
contrat_ville/cloisonnement.py). The SQL is what PostgreSQL's triggers run; it is read here as text,
so that SQLite sees a change to it too."""

from contrat_ville.cloisonnement import (
    CloisonnementCollectivite,
    chemin_vers_la_collectivite,
    liens,
    sql_autorite,
)
from contrat_ville.models import Collectivite, User
from deliberations.models import Compteur, Registre, Trace
from programmation.models import BilanFinancement, Cofinancement


def test_an_authority_is_its_own_authority():
    assert chemin_vers_la_collectivite(Collectivite) == "pk"


def test_it_takes_the_shortest_path_through_required_keys():
    assert chemin_vers_la_collectivite(Cofinancement) == "financeur__collectivite"
    assert chemin_vers_la_collectivite(Compteur) == "registre__collectivite"


def test_a_required_path_wins_over_a_shorter_nullable_one():
    # Trace.deliberation is nullable: a trace of the séance itself would be left out through it.
    assert chemin_vers_la_collectivite(Trace) == "seance__instance__collectivite"


def test_a_nullable_path_is_taken_when_there_is_no_other():
    assert chemin_vers_la_collectivite(User) == "collectivite"


def test_the_links_of_a_row_leave_its_author_out():
    assert [(champ.name, chemin) for champ, chemin in liens(Trace)] == [
        ("seance", "instance__collectivite"),
        ("deliberation", "collectivite"),
    ]
    assert [(champ.name, chemin) for champ, chemin in liens(Registre)] == [("collectivite", "pk")]


def test_it_reads_the_authority_of_a_direct_link_in_sql():
    ((collectivite, chemin),) = liens(Registre)
    assert sql_autorite(collectivite, chemin, "NEW") == "SELECT NEW.collectivite_id"
    ((registre, chemin),) = liens(Compteur)
    assert sql_autorite(registre, chemin, "OLD") == (
        "SELECT t0.collectivite_id FROM deliberations_registre t0 WHERE t0.id = OLD.registre_id"
    )


def test_it_joins_each_step_of_a_long_path_in_sql():
    ((bilan, chemin),) = [(c, ch) for c, ch in liens(BilanFinancement) if c.name == "bilan"]
    assert chemin == "action__contrat__collectivite"
    assert sql_autorite(bilan, chemin, "NEW") == (
        "SELECT t2.collectivite_id FROM programmation_bilan t0 "
        "JOIN programmation_action t1 ON t1.id = t0.action_id "
        "JOIN contrat_ville_contrat t2 ON t2.id = t1.contrat_id "
        "WHERE t0.id = NEW.bilan_id"
    )


def test_the_trigger_compares_the_new_and_on_update_the_old_authorities():
    fonction = " ".join(CloisonnementCollectivite().get_func(Compteur).split())
    assert fonction == (
        "autorites := ARRAY[(SELECT t0.collectivite_id FROM deliberations_registre t0 "
        "WHERE t0.id = NEW.registre_id)]::bigint[]; "
        "IF TG_OP = 'UPDATE' THEN "
        "autorites := autorites || ARRAY[(SELECT t0.collectivite_id FROM deliberations_registre t0 "
        "WHERE t0.id = OLD.registre_id)]::bigint[]; "
        "END IF; "
        "IF (SELECT count(DISTINCT a) FROM unnest(autorites) AS a WHERE a IS NOT NULL) > 1 THEN "
        "RAISE EXCEPTION 'Cloisonnement : une ligne de % relierait les données de deux collectivités.', "
        "TG_TABLE_NAME USING ERRCODE = 'check_violation'; "
        "END IF; "
        "RETURN NEW;"
    )


def test_the_trigger_lists_every_link_of_the_row():
    fonction = " ".join(CloisonnementCollectivite().get_func(Cofinancement).split())
    assert fonction.startswith(
        "autorites := ARRAY[(SELECT t1.collectivite_id FROM programmation_action t0 "
        "JOIN contrat_ville_contrat t1 ON t1.id = t0.contrat_id WHERE t0.id = NEW.action_id), "
        "(SELECT t0.collectivite_id FROM contrat_ville_financeur t0 "
        "WHERE t0.id = NEW.financeur_id)]::bigint[];"
    )
    assert (
        "autorites := autorites || ARRAY[(SELECT t1.collectivite_id FROM programmation_action t0 "
        "JOIN contrat_ville_contrat t1 ON t1.id = t0.contrat_id WHERE t0.id = OLD.action_id), "
        "(SELECT t0.collectivite_id FROM contrat_ville_financeur t0 "
        "WHERE t0.id = OLD.financeur_id)]::bigint[];"
    ) in fonction
