"""Scale: a contract's years from an index, the totals row without a query per action, constant queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmation.models import Action, Cofinancement, Porteur
from programmation.views.consultation import totaux_par_annee

from ..factories import ActionFactory, CollectiviteFactory, ContratFactory, FinanceurFactory, PorteurFactory

pytestmark = pytest.mark.django_db

LISTE = reverse("programmation:programmation")


@pytest.fixture
def contrat():
    return ContratFactory(collectivite=CollectiviteFactory(), annee_debut=2021, annee_fin=2030)


def _action(contrat, annee, **champs):
    porteur = PorteurFactory(collectivite=contrat.collectivite)
    return ActionFactory(tranche=None, contrat=contrat, annee=annee, porteur=porteur, axe=None, **champs)


def test_it_lists_a_contract_s_years_once_each_in_order(contrat):
    for annee in (2027, 2022, 2027, 2025, 2022):
        _action(contrat, annee)
    _action(ContratFactory(collectivite=contrat.collectivite), 2029)
    assert contrat.actions.annees() == [2022, 2025, 2027]
    assert Action.objects.filter(contrat__collectivite=contrat.collectivite).annees() == [
        2022,
        2025,
        2027,
        2029,
    ]
    assert Action.objects.none().annees() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_indexes is PostgreSQL's catalogue")
def test_it_has_the_contract_and_year_index_on_postgresql():
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'programmation_action' AND indexname = %s",
            ["action_contrat_annee"],
        )
        (definition,) = curseur.fetchone()
    assert definition.endswith("USING btree (contrat_id, annee)")


def test_it_adds_up_the_totals_row_with_cents_and_several_cofinancements(contrat):
    etat, caf = (FinanceurFactory(collectivite=contrat.collectivite, nom=nom) for nom in ("État", "CAF"))
    a = _action(contrat, 2024, cout=Decimal("1000.10"), contribution=Decimal("250.05"))
    b = _action(contrat, 2024, cout=None, contribution=Decimal("99.99"))
    c = _action(contrat, 2025, cout=Decimal("500.50"), contribution=Decimal("0.01"))
    ouvrage = _action(
        contrat,
        2025,
        cout=Decimal("80.00"),
        contribution=Decimal("80.00"),
        maitrise_ouvrage_collectivite=True,
    )
    Cofinancement.objects.bulk_create(
        [
            # Granted wins over requested; requested counts when nothing is granted yet.
            Cofinancement(
                action=a,
                financeur=etat,
                montant_sollicite=Decimal("400.40"),
                montant_accorde=Decimal("300.30"),
            ),
            Cofinancement(action=a, financeur=caf, montant_sollicite=Decimal("100.01")),
            Cofinancement(action=c, financeur=etat, montant_accorde=Decimal("0.99")),
            Cofinancement(action=ouvrage, financeur=caf, montant_sollicite=Decimal("10.10")),
        ]
    )
    totaux = totaux_par_annee(Action.objects.filter(contrat=contrat).for_table())
    assert [(t["annee"], t["nombre"], t["cofinancements"]) for t in totaux["par_annee"]] == [
        (2024, 2, Decimal("400.31")),
        (2025, 2, Decimal("11.09")),
    ]
    assert totaux["subventions"] == {
        "nombre": 3,
        "couts_connus": 2,
        "cout": Decimal("1500.60"),
        "contribution": Decimal("350.05"),
        "cofinancements": Decimal("401.30"),
    }
    assert totaux["maitrise_ouvrage"]["cofinancements"] == Decimal("10.10")
    assert (totaux["nombre"], totaux["cout"], totaux["cofinancements"]) == (
        4,
        Decimal("1580.60"),
        Decimal("411.40"),
    )
    # The rows' own figure is the same rule, action by action.
    par_action = dict(
        Action.objects.filter(contrat=contrat).for_table().values_list("pk", "total_cofinancements")
    )
    assert par_action == {
        a.pk: Decimal("400.31"),
        b.pk: Decimal("0"),
        c.pk: Decimal("0.99"),
        ouvrage.pk: Decimal("10.10"),
    }


def test_it_gives_empty_totals_for_an_empty_list(contrat):
    totaux = totaux_par_annee(Action.objects.none().for_table())
    assert (totaux["nombre"], totaux["cofinancements"], totaux["par_annee"]) == (0, 0, [])


def _requetes(client, params=None):
    client.get(LISTE, params or {})  # the first visit remembers the contract and year chosen (one UPDATE)
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(LISTE, params or {}).status_code == 200
    return len(requetes)


@pytest.mark.parametrize("params", [{"contrat": "", "annee": ""}, {"annee": 2025, "per_page": 500}])
def test_it_lists_5_or_200_cofinanced_rows_in_the_same_number_of_queries(client, elu, contrat, params):
    elu.collectivite = contrat.collectivite
    elu.save()
    client.force_login(elu)
    financeur = FinanceurFactory(collectivite=contrat.collectivite)

    def ajouter(nombre):
        actions = [_action(contrat, 2024 + i % 2) for i in range(nombre)]
        Cofinancement.objects.bulk_create(
            Cofinancement(action=a, financeur=financeur, montant_sollicite=Decimal("1.50")) for a in actions
        )

    ajouter(5)
    avec_5 = _requetes(client, params)
    ajouter(195)
    reponse = client.get(LISTE, params)
    montrees = Action.objects.filter(
        contrat=contrat, annee__in=[params["annee"]] if params["annee"] else [2024, 2025]
    )
    assert reponse.context["table"].totaux["nombre"] == montrees.count() >= 99
    assert reponse.context["table"].totaux["cofinancements"] == Decimal("1.50") * montrees.count()
    assert _requetes(client, params) == avec_5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="réglage de session PostgreSQL")
def test_it_gives_the_database_rules_an_empty_ignore_list_on_every_connection():
    with connection.cursor() as curseur:
        curseur.execute("SELECT current_setting('pgtrigger.ignore')")
        assert curseur.fetchone() == ("{}",)


@pytest.mark.parametrize("cherche", ["REUSSITE", "réussite", "Reussite educative"])
def test_it_finds_an_action_by_its_title_whatever_the_accents_and_the_case(contrat, cherche):
    _action(contrat, 2024, intitule="Réussite éducative")
    _action(contrat, 2024, intitule="Sport et citoyenneté")
    trouvees = Action.objects.filter(contrat=contrat).recherche(cherche)
    assert [a.intitule for a in trouvees] == ["Réussite éducative"]


@pytest.mark.parametrize("cherche", ["oeuvre", "œuvre", "ŒUVRE", "strasse"])
def test_it_finds_ligatures_typed_either_way_on_both_databases(contrat, cherche):
    # PostgreSQL's unaccent spells œ and ß out; Unicode does not decompose them: both sides must agree.
    porteur = PorteurFactory(collectivite=contrat.collectivite, nom="Œuvre des pupilles, Straße 12")
    ActionFactory(tranche=None, contrat=contrat, annee=2024, porteur=porteur, axe=None, intitule="Accueil")
    _action(contrat, 2024, intitule="Autre chose")
    assert [a.intitule for a in Action.objects.filter(contrat=contrat).recherche(cherche)] == ["Accueil"]


def test_it_finds_words_in_the_objectives_and_the_porteur_name(contrat):
    _action(contrat, 2024, intitule="Atelier", objectifs="Accès aux soins des élèves")
    porteur = PorteurFactory(collectivite=contrat.collectivite, nom="Régie de quartier")
    ActionFactory(tranche=None, contrat=contrat, annee=2024, porteur=porteur, axe=None, intitule="Jardins")
    _action(contrat, 2024, intitule="Sport")
    actions = Action.objects.filter(contrat=contrat)
    assert [a.intitule for a in actions.recherche("eleves")] == ["Atelier"]
    assert [a.intitule for a in actions.recherche("REGIE")] == ["Jardins"]
    assert actions.recherche("100%").count() == 0  # % is a character here, not a wildcard


@pytest.mark.parametrize(
    "intitule",
    ["Projet l’école quartier", "« Réussite » des élèves", "Salle de 50 m²", "Aide\u00a0aux devoirs"],
)
def test_it_finds_a_title_typed_exactly_as_it_is_stored_on_both_databases(contrat, intitule):
    # Found by review: the typed text was normalised by Python and the column by PostgreSQL's unaccent,
    # which turn ’ « ² and the non-breaking space differently; both now go through the same function.
    _action(contrat, 2024, intitule=intitule)
    _action(contrat, 2024, intitule="Autre chose")
    assert [a.intitule for a in Action.objects.filter(contrat=contrat).recherche(intitule)] == [intitule]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_it_reads_the_search_from_the_trigram_indexes_on_postgresql(contrat):
    porteur = PorteurFactory(collectivite=contrat.collectivite, nom="Réussite 42")
    ActionFactory(tranche=None, contrat=contrat, annee=2024, porteur=porteur, axe=None, intitule="Réussite")
    with connection.cursor() as curseur:
        # A few rows: the planner would rather read the table; forbidding that shows the indexes match.
        curseur.execute("SET LOCAL enable_seqscan = off")
    assert "porteur_nom_trgm" in Porteur.objects.recherche("reussite").explain()
    plan = Action.objects.recherche("reussite").order_by().explain()
    # One plan reads the three indexes together: the title's, the objectives' and the porteur's.
    assert "BitmapOr" in plan, plan
    assert "action_intitule_trgm" in plan and "action_objectifs_trgm" in plan, plan
