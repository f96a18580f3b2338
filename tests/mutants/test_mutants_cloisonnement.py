"""The authority scoping's paths and SQL, read from the model graph (issue 20: mutants of
contrat_ville/cloisonnement.py). The SQL is what PostgreSQL's triggers run; it is read here as text,
so that SQLite sees a change to it too."""

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from contrat_ville.cloisonnement import (
    CloisonnementCollectivite,
    chemin_vers_la_collectivite,
    cloisonner_les_tables_de_liaison,
    liens,
    sql_autorite,
)
from contrat_ville.models import Collectivite, User
from deliberations.models import Compteur, Registre, Trace
from programmation.models import Action, BilanFinancement, Cofinancement

from ..factories import ActionFactory, AxeFactory, ContratFactory, PorteurFactory


def test_it_takes_an_authority_as_its_own_authority():
    assert chemin_vers_la_collectivite(Collectivite) == "pk"


def test_it_takes_the_shortest_path_through_required_keys():
    assert chemin_vers_la_collectivite(Cofinancement) == "financeur__collectivite"
    assert chemin_vers_la_collectivite(Compteur) == "registre__collectivite"


def test_it_prefers_a_required_path_to_a_shorter_nullable_one():
    # Trace.deliberation is nullable: a trace of the séance itself would be left out through it.
    assert chemin_vers_la_collectivite(Trace) == "seance__instance__collectivite"


def test_it_takes_a_nullable_path_when_there_is_no_other():
    assert chemin_vers_la_collectivite(User) == "collectivite"


def test_it_leaves_a_row_s_author_out_of_its_links():
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


def test_it_compares_the_new_and_on_update_the_old_authorities_in_the_trigger():
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


def test_it_lists_every_link_of_the_row_in_the_trigger():
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


@pytest.mark.django_db
def test_it_names_the_foreign_target_when_an_update_would_cross_authorities():
    action = ActionFactory()
    ailleurs = PorteurFactory(nom="Association d'ailleurs")
    with pytest.raises(ValidationError) as refus:
        Action.objects.filter(pk=action.pk).update(porteur=ailleurs)
    assert refus.value.message_dict == {
        "porteur": ["« Association d'ailleurs » appartient à une autre collectivité."]
    }


class EditeurDeSchema:
    """Records the SQL a migration would run; Django's own execute() takes params=() by default."""

    def __init__(self, moteur):
        self.connection = SimpleNamespace(vendor=moteur)
        self.executees = []

    def execute(self, sql, params=()):
        self.executees.append((sql, params))


def test_it_puts_the_trigger_on_each_link_table_on_postgresql_in_the_migration_and_takes_it_off():
    operation = cloisonner_les_tables_de_liaison(
        ("programmation.Action", "quartiers"), ("deliberations.Instance", "membres")
    )
    postgresql = EditeurDeSchema("postgresql")
    operation.code(apps, postgresql)
    assert len(postgresql.executees) == 2
    (action, params_action), (instance, params_instance) = postgresql.executees
    # No params: the trigger's message holds a « % » that a driver would read as a placeholder.
    assert (params_action, params_instance) == (None, None)
    assert 'BEFORE INSERT OR UPDATE ON "programmation_action_quartiers"' in action
    assert "WHERE t0.id = NEW.action_id), (SELECT t0.collectivite_id FROM contrat_ville_quartier t0" in action
    assert 'BEFORE INSERT OR UPDATE ON "deliberations_instance_membres"' in instance
    assert "RAISE EXCEPTION 'Cloisonnement : une ligne de %" in instance

    assert operation.reversible
    postgresql = EditeurDeSchema("postgresql")
    operation.reverse_code(apps, postgresql)
    assert [(sql.split(" ON ")[1].strip(), params) for sql, params in postgresql.executees] == [
        ('"programmation_action_quartiers";', None),
        ('"deliberations_instance_membres";', None),
    ]
    assert all(
        sql.startswith("DROP TRIGGER IF EXISTS pgtrigger_cloisonnement_") for sql, _ in postgresql.executees
    )


def test_it_does_nothing_in_the_migration_on_sqlite():
    operation = cloisonner_les_tables_de_liaison(("programmation.Action", "quartiers"))
    sqlite = EditeurDeSchema("sqlite")
    operation.code(apps, sqlite)
    operation.reverse_code(apps, sqlite)
    assert sqlite.executees == []


@pytest.mark.django_db
def test_it_puts_the_message_above_a_form_without_the_faulty_field():
    # full_clean(exclude=…) is how a form that does not show a field validates: the message goes to
    # the whole form (NON_FIELD_ERRORS), since there is no field to put it under.
    action = ActionFactory()
    action.porteur = PorteurFactory(nom="Association d'ailleurs")
    message = "« Association d'ailleurs » appartient à une autre collectivité."
    with pytest.raises(ValidationError) as refus:
        action.full_clean(exclude=["porteur"])
    assert refus.value.message_dict == {"__all__": [message]}
    with pytest.raises(ValidationError) as refus:
        action.full_clean()
    assert refus.value.message_dict == {"porteur": [message]}


@pytest.mark.django_db
def test_it_puts_the_message_under_the_last_field_leading_elsewhere_with_three_authorities():
    # The action's first link (its contrat) sets its authority; porteur and axe each lead to another.
    action = ActionFactory()
    action.porteur = PorteurFactory(nom="Association d'ailleurs")
    action.axe = AxeFactory(numero=3, intitule="Axe d'encore ailleurs")
    with pytest.raises(ValidationError) as refus:
        action.save()
    assert refus.value.message_dict == {
        "axe": ["« Défi 3 : Axe d'encore ailleurs » appartient à une autre collectivité."]
    }


@pytest.mark.django_db
def test_it_names_a_row_moved_whole_to_another_authority_itself_above_the_form():
    axe = AxeFactory(numero=2, intitule="Axe déménagé")
    axe.contrat = ContratFactory()
    message = "« Défi 2 : Axe déménagé » appartient à une autre collectivité."
    with pytest.raises(ValidationError) as refus:
        axe.full_clean()
    assert refus.value.message_dict == {"__all__": [message]}
    with pytest.raises(ValidationError) as refus:
        axe.save()
    assert refus.value.message_dict == {"__all__": [message]}


@pytest.mark.django_db
def test_it_leaves_a_link_to_a_row_that_does_not_exist_to_the_field_s_own_check():
    action = ActionFactory()
    action.porteur_id = 987654
    with pytest.raises(ValidationError) as refus:
        action.full_clean()
    assert list(refus.value.message_dict) == ["porteur"]
    assert "appartient à une autre collectivité" not in str(refus.value)
