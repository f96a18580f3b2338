"""The SCDL files' cells, one rule at a time (issue 20: mutants of deliberations/opendata.py)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contrat_ville.models import Collectivite
from deliberations import opendata
from programmation.models import Action, Convention, Porteur

from ..factories import (
    ActionFactory,
    CollectiviteFactory,
    DeliberationFactory,
    PorteurFactory,
    PresenceFactory,
    SeanceFactory,
    TrancheFactory,
)


def test_it_writes_an_amount_with_a_point_two_decimals_and_no_separator():
    assert opendata._nombre(Decimal("23500")) == "23500.00"
    assert opendata._nombre(Decimal("1234567.5")) == "1234567.50"
    assert opendata._nombre(7) == "7.00"


def test_it_cuts_a_long_text_to_the_schema_length_with_an_ellipsis():
    assert opendata._texte("a" * 256, 256) == "a" * 256
    assert opendata._texte("a" * 257, 256) == "a" * 255 + "…"
    assert opendata._texte("a" * 300) == "a" * 300
    assert opendata._texte(None) == ""


def test_it_neutralises_a_text_a_spreadsheet_would_run():
    assert opendata._texte("=SOMME(A1:A9)") == "'=SOMME(A1:A9)"


def test_it_names_the_budget_from_the_chapters():
    assert opendata.nom_du_budget("chapitre 65 du budget politique de la ville 2024") == (
        "Budget politique de la ville"
    )
    assert opendata.nom_du_budget("Chapitre 65, BUDGET Principal, fonction 52") == "Budget principal"
    assert opendata.nom_du_budget("budget annexe des années 2024 à 2026") == "Budget annexe"
    assert opendata.nom_du_budget("chapitre 65") == ""
    assert opendata.nom_du_budget(None) == ""


def test_it_names_the_file_by_the_day_the_siren_and_the_nature():
    collectivite = Collectivite(siren="244200770")
    assert opendata.nom_fichier(collectivite, "subventions", datetime.date(2024, 7, 16)) == (
        "20240716_244200770_subventions.csv"
    )


@pytest.mark.django_db
def test_it_refuses_an_authority_without_siret_with_the_whole_message():
    collectivite = CollectiviteFactory(nom="Ville de Firminy")
    with pytest.raises(ValidationError) as refus:
        opendata.exiger_siret(collectivite)
    assert refus.value.messages == [
        "Le SIRET de Ville de Firminy n'est pas renseigné : les fichiers SCDL l'exigent "
        "(colonnes idAttribuant et COLL_SIRET). Un administrateur le saisit sur la page "
        "« Données ouvertes » ou dans le back-office ; il ne doit jamais être deviné."
    ]


def test_it_writes_the_csv_with_a_header_and_crlf_line_ends():
    assert opendata._csv(["a", "b"], [{"a": "x\ry", "b": 1}]) == b'a,b\r\n"x\ry",1\r\n'


@pytest.fixture
def seance_de_neuf():
    """A séance of 9 members, 7 present, held in 2025."""
    collectivite = CollectiviteFactory(nom="Ville d'essai", code_departement="042")
    seance = SeanceFactory(
        instance__collectivite=collectivite, date=datetime.date(2025, 6, 12), membres_en_exercice=9
    )
    for etat in ["present"] * 7 + ["excuse"] * 2:
        PresenceFactory(seance=seance, etat=etat)
    return seance


@pytest.mark.django_db
def test_it_gives_a_majority_vote_s_own_figures_zeros_included(seance_de_neuf):
    collectivite = seance_de_neuf.instance.collectivite
    deliberation = DeliberationFactory(
        seance=seance_de_neuf, resultat_vote="majorite", vote_pour=5, vote_contre=0, vote_abstention=2
    )
    ligne = opendata.ligne_deliberation(collectivite, deliberation)
    assert (ligne["VOTE_EFFECTIF"], ligne["VOTE_REEL"]) == (9, 7)
    assert (ligne["VOTE_POUR"], ligne["VOTE_CONTRE"], ligne["VOTE_ABSTENTION"]) == (5, 0, 2)
    deliberation.vote_pour, deliberation.vote_contre, deliberation.vote_abstention = 0, 4, 0
    ligne = opendata.ligne_deliberation(collectivite, deliberation)
    assert (ligne["VOTE_POUR"], ligne["VOTE_CONTRE"], ligne["VOTE_ABSTENTION"]) == (0, 4, 0)


@pytest.mark.django_db
def test_it_counts_a_unanimous_vote_all_for_whatever_figures_were_typed(seance_de_neuf):
    deliberation = DeliberationFactory(
        seance=seance_de_neuf, resultat_vote="unanimite", vote_pour=1, vote_contre=3, vote_abstention=2
    )
    ligne = opendata.ligne_deliberation(seance_de_neuf.instance.collectivite, deliberation)
    assert (ligne["VOTE_POUR"], ligne["VOTE_CONTRE"], ligne["VOTE_ABSTENTION"]) == (7, 0, 0)


@pytest.mark.django_db
def test_it_leaves_those_cells_empty_for_a_deliberation_without_tranche_nor_prefecture_stamp(seance_de_neuf):
    deliberation = DeliberationFactory(seance=seance_de_neuf, resultat_vote="unanimite")
    ligne = opendata.ligne_deliberation(seance_de_neuf.instance.collectivite, deliberation)
    assert (ligne["BUDGET_ANNEE"], ligne["BUDGET_NOM"], ligne["PREF_ID"], ligne["PREF_DATE"]) == (
        "",
        "",
        "",
        "",
    )


@pytest.mark.django_db
def test_it_exports_only_the_deliberations_of_the_year_asked(seance_de_neuf):
    collectivite = seance_de_neuf.instance.collectivite
    collectivite.siret = "21420001700019"
    DeliberationFactory(seance=seance_de_neuf, numero="2025.00007", resultat_vote="unanimite")
    autre = SeanceFactory(
        instance=seance_de_neuf.instance, date=datetime.date(2024, 11, 28), membres_en_exercice=9
    )
    for etat in ["present"] * 5:
        PresenceFactory(seance=autre, etat=etat)
    DeliberationFactory(seance=autre, numero="2024.00031", resultat_vote="unanimite")
    export = opendata.exporter_deliberations(collectivite, 2024)
    assert export.lignes == 1
    assert b"2024.00031" in export.contenu and b"2025.00007" not in export.contenu
    assert opendata.exporter_deliberations(collectivite).lignes == 2


@pytest.fixture
def tranche_votee():
    """A tranche of 2025 adopted unanimously on 20 March 2025, by an authority with a SIRET."""
    collectivite = CollectiviteFactory(nom="Ville d'essai")
    collectivite.siret = "21420001700019"
    seance = SeanceFactory(instance__collectivite=collectivite, date=datetime.date(2025, 3, 20))
    tranche = TrancheFactory(contrat__collectivite=collectivite, annee=2025, statut="votee")
    DeliberationFactory(seance=seance, numero="2025.00042", tranche=tranche, resultat_vote="unanimite")
    return collectivite, tranche


def _subvention(tranche, intitule="Jardins partagés", contribution="12500", **porteur):
    porteur = PorteurFactory(collectivite=tranche.contrat.collectivite, nom="Centre social Sisley", **porteur)
    return ActionFactory(
        tranche=tranche,
        porteur=porteur,
        intitule=intitule,
        statut="votee",
        cout=Decimal(40000),
        contribution=Decimal(contribution),
    )


def _avec_convention(action, signee_le=None, avance="50", annees=1):
    convention = Convention.objects.creer_pour(action)
    Convention.objects.filter(pk=convention.pk).update(
        statut="signee" if signee_le else "a_signer",
        date_signature=signee_le,
        pourcentage_avance=Decimal(avance),
        duree_annees=annees,
    )
    return Action.objects.get(pk=action.pk)


@pytest.mark.django_db
def test_it_makes_a_subsidy_without_convention_one_payment_from_the_vote_to_the_year_s_end(tranche_votee):
    collectivite, tranche = tranche_votee
    action = _subvention(tranche, intitule="a" * 300, contribution="12500", siret="35600000049837")
    assert opendata.ligne_subvention(collectivite, action) == {
        "nomAttribuant": "Ville d'essai",
        "idAttribuant": "21420001700019",
        "dateConvention": "2025-03-20",
        "referenceDecision": "2025.00042",
        "nomBeneficiaire": "Centre social Sisley",
        "idBeneficiaire": "35600000049837",
        "rnaBeneficiaire": "",
        "objet": "a" * 255 + "…",
        "montant": "12500.00",
        "nature": "aide en numéraire",
        "conditionsVersement": "unique",
        "datesPeriodeVersement": "2025-03-20/2025-12-31",
        "idRAE": "",
        "notificationUE": "non",
        "pourcentageSubvention": "1.00",
        "dispositifAide": "",
    }


@pytest.mark.django_db
def test_it_counts_a_convention_not_yet_signed_as_none(tranche_votee):
    collectivite, tranche = tranche_votee
    action = _avec_convention(_subvention(tranche, rna="W423000123"), signee_le=None)
    ligne = opendata.ligne_subvention(collectivite, action)
    assert (ligne["dateConvention"], ligne["conditionsVersement"], ligne["datesPeriodeVersement"]) == (
        "2025-03-20",
        "unique",
        "2025-03-20/2025-12-31",
    )
    assert (ligne["idBeneficiaire"], ligne["rnaBeneficiaire"]) == ("", "W423000123")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "avance, annees, conditions, fin",
    [
        ("50", 1, "échelonné", "2026-06-30"),  # an advance, then the balance after the compte rendu
        ("0.5", 1, "échelonné", "2026-06-30"),
        ("100", 1, "unique", "2026-06-30"),  # all at signature
        ("0", 1, "unique", "2026-06-30"),  # all at the balance
        ("100", 2, "échelonné", "2027-06-30"),  # a CPO pays each year
    ],
)
def test_it_gives_a_signed_convention_s_date_its_payments_and_their_period(
    tranche_votee, avance, annees, conditions, fin
):
    collectivite, tranche = tranche_votee
    action = _avec_convention(
        _subvention(tranche), signee_le=datetime.date(2025, 4, 2), avance=avance, annees=annees
    )
    ligne = opendata.ligne_subvention(collectivite, action)
    assert (ligne["dateConvention"], ligne["conditionsVersement"], ligne["datesPeriodeVersement"]) == (
        "2025-04-02",
        conditions,
        f"2025-04-02/{fin}",
    )


@pytest.mark.django_db
def test_it_starts_and_ends_that_day_the_payment_period_of_a_convention_signed_after_it(tranche_votee):
    collectivite, tranche = tranche_votee
    action = _avec_convention(_subvention(tranche), signee_le=datetime.date(2026, 9, 1))
    ligne = opendata.ligne_subvention(collectivite, action)
    assert ligne["datesPeriodeVersement"] == "2026-09-01/2026-09-01"


def _noms(actions):
    return [(a.annee, a.porteur.nom, a.intitule) for a in actions]


@pytest.mark.django_db
def test_it_publishes_by_law_only_porteurs_granted_more_than_23_000_euros_in_the_year(tranche_votee):
    collectivite, tranche = tranche_votee
    for nom, montant in [("Au seuil", "23000"), ("Au-dessus", "23000.01")]:
        ActionFactory(
            tranche=tranche,
            porteur=PorteurFactory(collectivite=collectivite, nom=nom),
            intitule=f"Action {nom}",
            statut="votee",
            cout=Decimal(40000),
            contribution=Decimal(montant),
        )
    assert _noms(opendata.subventions_publiees(collectivite)) == [(2025, "Au-dessus", "Action Au-dessus")]


@pytest.mark.django_db
def test_it_may_publish_every_granted_subsidy_but_not_a_nil_refused_or_abandoned_one(tranche_votee):
    collectivite, tranche = tranche_votee
    for nom, montant, statut in [
        ("Un euro", "1", "votee"),
        ("Rien", "0", "votee"),
        ("Refusée", "5000", "refusee"),
        ("Abandonnée", "5000", "abandonnee"),
    ]:
        ActionFactory(
            tranche=tranche,
            porteur=PorteurFactory(collectivite=collectivite, nom=nom),
            intitule=nom,
            statut=statut,
            contribution=Decimal(montant),
        )
    assert _noms(opendata.subventions_publiees(collectivite, toutes=True)) == [(2025, "Un euro", "Un euro")]


@pytest.mark.django_db
def test_it_orders_subsidies_by_year_then_vote_then_porteur_and_keeps_only_those_of_adopted_tranches(
    tranche_votee,
):
    collectivite, tranche = tranche_votee
    contrat = tranche.contrat

    def tranche_de(annee, jour, resultat="unanimite"):
        autre = TrancheFactory(contrat=contrat, annee=annee, statut="votee")
        seance = SeanceFactory(instance__collectivite=collectivite, date=jour)
        DeliberationFactory(seance=seance, tranche=autre, resultat_vote=resultat)
        return autre

    fevrier = tranche_de(2025, datetime.date(2025, 2, 6))
    an_2024 = tranche_de(2024, datetime.date(2024, 11, 28))
    rejetee = tranche_de(2025, datetime.date(2025, 1, 9), resultat="rejet")
    # Next year's first tranche voted early: its year, not its date, sets its place.
    an_2026 = tranche_de(2026, datetime.date(2025, 1, 16))
    for une_tranche, nom, intitule in [
        (tranche, "Zèbre", "mars"),
        (tranche, "Abeille", "mars, deuxième"),
        (tranche, "Abeille", "mars, première"),
        (fevrier, "Zèbre", "février"),
        (an_2024, "Zèbre", "2024"),
        (an_2026, "Abeille", "2026"),
        (rejetee, "Abeille", "rejetée"),
    ]:
        porteur = Porteur.objects.filter(collectivite=collectivite, nom=nom).first()
        porteur = porteur or PorteurFactory(collectivite=collectivite, nom=nom)
        ActionFactory(tranche=une_tranche, porteur=porteur, intitule=intitule, statut="votee")
    # Another authority's adopted subsidy never shows.
    ailleurs = TrancheFactory(annee=2025, statut="votee")
    DeliberationFactory(
        seance=SeanceFactory(instance__collectivite=ailleurs.contrat.collectivite),
        tranche=ailleurs,
        resultat_vote="unanimite",
    )
    ActionFactory(tranche=ailleurs, statut="votee", intitule="ailleurs")
    assert _noms(opendata.subventions_publiees(collectivite, toutes=True)) == [
        (2024, "Zèbre", "2024"),
        (2025, "Zèbre", "février"),
        (2025, "Abeille", "mars, deuxième"),
        (2025, "Abeille", "mars, première"),
        (2025, "Zèbre", "mars"),
        (2026, "Abeille", "2026"),
    ]
    assert _noms(opendata.subventions_publiees(collectivite, 2024, toutes=True)) == [(2024, "Zèbre", "2024")]


@pytest.mark.django_db
def test_it_counts_the_rows_of_the_subsidies_file_of_a_year(tranche_votee):
    collectivite, tranche = tranche_votee
    _subvention(tranche, contribution="30000", siret="35600000049837")
    an_2024 = TrancheFactory(contrat=tranche.contrat, annee=2024, statut="votee")
    seance = SeanceFactory(instance__collectivite=collectivite, date=datetime.date(2024, 11, 28))
    DeliberationFactory(seance=seance, numero="2024.00031", tranche=an_2024, resultat_vote="unanimite")
    porteur = PorteurFactory(collectivite=collectivite, nom="Boxing club", rna="W423000123")
    ActionFactory(
        tranche=an_2024, porteur=porteur, statut="votee", cout=Decimal(40000), contribution=Decimal(24000)
    )
    export = opendata.exporter_subventions(collectivite, 2024)
    assert export.lignes == 1
    assert b"Boxing club" in export.contenu and b"Centre social Sisley" not in export.contenu
    assert opendata.exporter_subventions(collectivite).lignes == 2


@pytest.mark.django_db
def test_it_orders_deliberations_by_date_of_their_seance_then_by_number(seance_de_neuf):
    collectivite = seance_de_neuf.instance.collectivite
    # The Bureau (12 June) and the Conseil (a séance in February) number their acts apart.
    DeliberationFactory(seance=seance_de_neuf, numero="B-2025-009", resultat_vote="unanimite")
    DeliberationFactory(seance=seance_de_neuf, numero="B-2025-008", resultat_vote="unanimite")
    conseil = SeanceFactory(instance__collectivite=collectivite, date=datetime.date(2025, 2, 6))
    DeliberationFactory(seance=conseil, numero="C-2025-015", resultat_vote="majorite", vote_pour=3)
    assert [d.numero for d in opendata.deliberations_publiees(collectivite)] == [
        "C-2025-015",
        "B-2025-008",
        "B-2025-009",
    ]


@pytest.mark.django_db
def test_it_makes_the_same_queries_for_the_deliberations_file_whatever_its_rows(seance_de_neuf):
    collectivite = seance_de_neuf.instance.collectivite
    collectivite.siret = "21420001700019"

    def tranche(annee):
        return TrancheFactory(contrat__collectivite=collectivite, annee=annee, statut="votee")

    DeliberationFactory(seance=seance_de_neuf, resultat_vote="unanimite", tranche=tranche(2025))
    with CaptureQueriesContext(connection) as une:
        assert opendata.exporter_deliberations(collectivite).lignes == 1
    DeliberationFactory(
        seance=seance_de_neuf, resultat_vote="majorite", vote_pour=4, vote_contre=3, tranche=tranche(2024)
    )
    for annee in (2023, 2022):  # corrections of a tranche (délibérations modificatives)
        DeliberationFactory(seance=seance_de_neuf, resultat_vote="unanimite", tranche_corrigee=tranche(annee))
    with CaptureQueriesContext(connection) as quatre:
        contenu = opendata.exporter_deliberations(collectivite).contenu.decode()
    assert [ligne.split(",")[7] for ligne in contenu.splitlines()[1:]] == ["2025", "2024", "2023", "2022"]
    assert len(quatre.captured_queries) == len(une.captured_queries)


@pytest.mark.django_db
def test_it_does_not_publish_a_rejected_or_not_yet_voted_deliberation(seance_de_neuf):
    collectivite = seance_de_neuf.instance.collectivite
    DeliberationFactory(seance=seance_de_neuf, numero="2025.00001", resultat_vote="rejet")
    DeliberationFactory(seance=seance_de_neuf, numero="2025.00002")
    DeliberationFactory(seance=seance_de_neuf, numero="2025.00003", resultat_vote="majorite", vote_pour=5)
    assert [d.numero for d in opendata.deliberations_publiees(collectivite)] == ["2025.00003"]


@pytest.mark.django_db
def test_it_makes_the_same_queries_for_the_subsidies_file_whatever_its_rows(tranche_votee):
    collectivite, tranche = tranche_votee
    _avec_convention(
        _subvention(tranche, contribution="30000", siret="35600000049837"), datetime.date(2025, 4, 2)
    )
    with CaptureQueriesContext(connection) as une:
        assert opendata.exporter_subventions(collectivite).lignes == 1
    for nom in ("Boxing club", "Jardins de Montreynaud"):
        porteur = PorteurFactory(collectivite=collectivite, nom=nom, rna="W423000123")
        action = ActionFactory(
            tranche=tranche, porteur=porteur, statut="votee", cout=Decimal(40000), contribution=Decimal(24000)
        )
        _avec_convention(action, datetime.date(2025, 5, 6))
    with CaptureQueriesContext(connection) as trois:
        contenu = opendata.exporter_subventions(collectivite).contenu.decode()
    # Boxing club, Centre social Sisley, Jardins de Montreynaud: each with its convention's date.
    assert [ligne.split(",")[2] for ligne in contenu.splitlines()[1:]] == [
        "2025-05-06",
        "2025-04-02",
        "2025-05-06",
    ]
    assert len(trois.captured_queries) == len(une.captured_queries)
