"""The SCDL files' cells, one rule at a time (issue 20: mutants of deliberations/opendata.py)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contrat_ville.models import Collectivite
from deliberations import opendata

from .factories import CollectiviteFactory, DeliberationFactory, PresenceFactory, SeanceFactory


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


def test_the_csv_has_a_header_and_crlf_line_ends():
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
def test_a_majority_vote_gives_its_own_figures_zeros_included(seance_de_neuf):
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
def test_a_unanimous_vote_is_all_for_whatever_figures_were_typed(seance_de_neuf):
    deliberation = DeliberationFactory(
        seance=seance_de_neuf, resultat_vote="unanimite", vote_pour=1, vote_contre=3, vote_abstention=2
    )
    ligne = opendata.ligne_deliberation(seance_de_neuf.instance.collectivite, deliberation)
    assert (ligne["VOTE_POUR"], ligne["VOTE_CONTRE"], ligne["VOTE_ABSTENTION"]) == (7, 0, 0)


@pytest.mark.django_db
def test_a_deliberation_without_tranche_nor_prefecture_stamp_leaves_those_cells_empty(seance_de_neuf):
    deliberation = DeliberationFactory(seance=seance_de_neuf, resultat_vote="unanimite")
    ligne = opendata.ligne_deliberation(seance_de_neuf.instance.collectivite, deliberation)
    assert (ligne["BUDGET_ANNEE"], ligne["BUDGET_NOM"], ligne["PREF_ID"], ligne["PREF_DATE"]) == (
        "",
        "",
        "",
        "",
    )


@pytest.mark.django_db
def test_the_deliberations_of_the_year_asked_only_are_exported(seance_de_neuf):
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
