"""Open data: the SCDL subventions and délibérations files, checked with frictionless against the schemas."""

import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from frictionless import Resource, Schema
from stdnum import luhn

from deliberations import opendata
from programmation.models import Convention, Porteur

from ..factories import (
    ActionFactory,
    CollectiviteFactory,
    DeliberationFactory,
    PorteurFactory,
    PresenceFactory,
    SeanceFactory,
    TrancheFactory,
    siren_valide,
)

pytestmark = pytest.mark.django_db

# The project's shared folder, beside the repository; looked for upwards, so that the copy of the tests
# that bench/mutation.py runs (in mutants/, one level deeper) finds it too.
STANDARDS = next(
    (
        d / "shared" / "standards"
        for d in Path(__file__).resolve().parents
        if (d / "shared" / "standards").is_dir()
    ),
    Path(__file__).resolve().parents[3] / "shared" / "standards",
)


def scdl_subventions():
    return json.loads((STANDARDS / "scdl-subventions-2.1.1.schema.json").read_text(encoding="utf-8"))


# SCDL délibérations 2.1, from DOMAIN.md: the first seven columns required.
SCHEMA_DELIBERATIONS = {
    "fields": [
        {"name": "COLL_NOM", "type": "string", "constraints": {"required": True}},
        {"name": "COLL_SIRET", "type": "string", "constraints": {"required": True, "pattern": r"^\d{14}$"}},
        {"name": "DELIB_ID", "type": "string", "constraints": {"required": True}},
        {"name": "DELIB_DATE", "type": "date", "constraints": {"required": True}},
        {
            "name": "DELIB_MATIERE_CODE",
            "type": "string",
            "constraints": {"required": True, "pattern": r"^\d+(\.\d+)*$"},
        },
        {"name": "DELIB_MATIERE_NOM", "type": "string", "constraints": {"required": True}},
        {"name": "DELIB_OBJET", "type": "string", "constraints": {"required": True}},
        {"name": "BUDGET_ANNEE", "type": "year"},
        {"name": "BUDGET_NOM", "type": "string"},
        {"name": "PREF_ID", "type": "string", "constraints": {"pattern": r"^PREF\d{3}$"}},
        {"name": "PREF_DATE", "type": "date"},
        {"name": "VOTE_EFFECTIF", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "VOTE_REEL", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "VOTE_POUR", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "VOTE_CONTRE", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "VOTE_ABSTENTION", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "DELIB_URL", "type": "string", "format": "uri"},
    ]
}


def siret_de(siren):
    """The SIRET of a test SIREN's establishment 0001, its key computed by python-stdnum (not the app)."""
    return siren + "0001" + luhn.calc_check_digit(siren + "0001")


def valider(contenu, schema):
    """frictionless reads the bytes as a published file would be read: UTF-8, comma, header row."""
    schema = Schema.from_descriptor(schema)
    rapport = Resource(data=contenu, format="csv", encoding="utf-8", schema=schema).validate()
    assert rapport.valid, rapport.flatten(["rowNumber", "fieldName", "type", "note"])
    return list(csv.DictReader(io.StringIO(contenu.decode("utf-8"))))


@pytest.fixture
def attribuant():
    """An authority with a SIRET, one voted tranche, and porteurs identified or not."""
    collectivite = CollectiviteFactory(nom="Communauté urbaine d'essai", code_departement="076")
    collectivite.siret = siret_de(collectivite.siren)
    collectivite.save()
    seance = SeanceFactory(
        instance__collectivite=collectivite, date=datetime.date(2025, 3, 20), membres_en_exercice=9
    )
    for etat in ["present"] * 6 + ["excuse"] * 3:
        PresenceFactory(seance=seance, etat=etat)
    tranche = TrancheFactory(contrat__collectivite=collectivite, annee=2025, statut="votee")
    DeliberationFactory(
        seance=seance,
        numero="2025.00042",
        objet="PROGRAMMATION 2025 — PREMIÈRE TRANCHE",
        tranche=tranche,
        resultat_vote="unanimite",
        chapitres_budgetaires="chapitre 65 du budget politique de la ville 2025",
        date_reception_prefecture=datetime.date(2025, 3, 25),
        date_publication=datetime.date(2025, 3, 26),
    )

    def action(porteur, montant, **kw):
        return ActionFactory(
            tranche=tranche,
            porteur=porteur,
            statut="votee",
            cout=Decimal(100000),
            contribution=Decimal(montant),
            **kw,
        )

    siret = PorteurFactory(
        collectivite=collectivite,
        nom="Centre social « Les Tilleuls », Rouen",
        siret=siret_de(siren_valide(31000001)),
    )
    rna = PorteurFactory(collectivite=collectivite, nom="Boxing club", rna="W763000123")
    petit = PorteurFactory(
        collectivite=collectivite, nom="Petite association", siret=siret_de(siren_valide(31000002))
    )
    anonyme = PorteurFactory(collectivite=collectivite, nom="Association sans numéro")
    actions = {
        "siret": action(siret, "30000.50"),
        "rna_1": action(rna, "10000"),
        "rna_2": action(rna, "15000"),  # 25 000 € in the year: both published
        "petit": action(petit, "5000"),
        "anonyme": action(anonyme, "40000"),
    }
    Convention.objects.creer_pour(actions["siret"]).signer(datetime.date(2025, 4, 2), None)
    return collectivite, actions


def test_it_refuses_the_export_while_the_authority_s_siret_is_unknown(client, agent, sem):
    assert sem.siret == ""  # Saint-Etienne Métropole's SIRET is not in the seeds, and is never guessed
    client.force_login(agent)
    reponse = client.get(reverse("deliberations:donnees_ouvertes"), {"fichier": "subventions"})
    assert reponse.status_code == 200
    assert "Le SIRET de Saint-Etienne Métropole n'est pas renseigné" in reponse.content.decode()
    with pytest.raises(CommandError, match="SIRET de Saint-Etienne Métropole n'est pas renseigné"):
        call_command("exporter_scdl", "244200770")


def test_it_writes_a_subsidies_file_that_validates_and_holds_the_legal_rows(attribuant):
    collectivite, actions = attribuant
    export = opendata.exporter_subventions(collectivite)
    lignes = valider(export.contenu, scdl_subventions())
    assert [(ligne["nomBeneficiaire"], ligne["montant"]) for ligne in lignes] == [
        ("Boxing club", "10000.00"),
        ("Boxing club", "15000.00"),
        ("Centre social « Les Tilleuls », Rouen", "30000.50"),
    ]
    conventionnee = lignes[2]
    assert conventionnee["idAttribuant"] == collectivite.siret
    assert conventionnee["referenceDecision"] == "2025.00042"
    assert conventionnee["dateConvention"] == "2025-04-02"
    assert conventionnee["conditionsVersement"] == "échelonné"
    assert conventionnee["datesPeriodeVersement"] == "2025-04-02/2026-06-30"
    assert (conventionnee["notificationUE"], conventionnee["pourcentageSubvention"]) == ("non", "1.00")
    assert lignes[0]["dateConvention"] == "2025-03-20"  # no convention: the date of the délibération
    assert lignes[0]["rnaBeneficiaire"] == "W763000123" and lignes[0]["idBeneficiaire"] == ""
    assert [(a.porteur.nom, raison) for a, raison in export.ecartes] == [
        ("Association sans numéro", "ni SIRET ni RNA")
    ]


def test_it_publishes_a_la_poste_siret_and_leaves_out_a_wrong_one_saying_why(attribuant, client, agent):
    collectivite, actions = attribuant
    # La Poste's SIRETs follow their own rule (digit sum), not Luhn: accepted by the porteur's field.
    Porteur.objects.filter(pk=actions["siret"].porteur_id).update(siret="35600000049837")
    Porteur.objects.filter(pk=actions["rna_1"].porteur_id).update(siret="12345678901234", rna="")
    export = opendata.exporter_subventions(collectivite)
    assert [ligne["idBeneficiaire"] for ligne in valider(export.contenu, scdl_subventions())] == [
        "35600000049837"
    ]
    assert sorted(raison for _, raison in export.ecartes) == [
        "SIRET 12345678901234 invalide",
        "SIRET 12345678901234 invalide",
        "ni SIRET ni RNA",
    ]
    agent.collectivite = collectivite
    agent.save()
    client.force_login(agent)
    page = client.get(reverse("deliberations:donnees_ouvertes"), {"annee": 2025}).content.decode()
    assert page.count("écartée : SIRET 12345678901234 invalide") == 2


def test_it_does_catch_a_french_formatted_amount_in_the_schema_check(attribuant):
    collectivite, _ = attribuant
    contenu = opendata.exporter_subventions(collectivite).contenu.decode("utf-8")
    abime = contenu.replace("30000.50", '"30 000,50"').replace("2025-04-02/2026-06-30", "02/04/2025")
    rapport = Resource(
        data=abime.encode(), format="csv", schema=Schema.from_descriptor(scdl_subventions())
    ).validate()
    assert {e.type for e in rapport.tasks[0].errors} == {"type-error", "constraint-error"}


def test_it_lets_the_authority_publish_every_subsidy(attribuant):
    collectivite, _ = attribuant
    lignes = valider(opendata.exporter_subventions(collectivite, toutes=True).contenu, scdl_subventions())
    assert "Petite association" in {ligne["nomBeneficiaire"] for ligne in lignes}
    assert len(lignes) == 4


def test_it_writes_a_deliberations_file_that_validates(attribuant):
    collectivite, _ = attribuant
    lignes = valider(opendata.exporter_deliberations(collectivite).contenu, SCHEMA_DELIBERATIONS)
    assert lignes == [
        {
            "COLL_NOM": "Communauté urbaine d'essai",
            "COLL_SIRET": collectivite.siret,
            "DELIB_ID": "2025.00042",
            "DELIB_DATE": "2025-03-20",
            "DELIB_MATIERE_CODE": "7.5",
            "DELIB_MATIERE_NOM": "finances locales/subventions",
            "DELIB_OBJET": "PROGRAMMATION 2025 — PREMIÈRE TRANCHE",
            "BUDGET_ANNEE": "2025",
            "BUDGET_NOM": "Budget politique de la ville",
            "PREF_ID": "PREF076",
            "PREF_DATE": "2025-03-25",
            "VOTE_EFFECTIF": "9",
            "VOTE_REEL": "6",
            "VOTE_POUR": "6",
            "VOTE_CONTRE": "0",
            "VOTE_ABSTENTION": "0",
            "DELIB_URL": "",
        }
    ]


def test_it_gives_the_seed_deliberations_the_figures_of_their_extracts(sem):
    lignes = {d.numero: opendata.ligne_deliberation(sem, d) for d in opendata.deliberations_publiees(sem)}
    chiffres = {
        numero: (
            ligne["DELIB_DATE"],
            ligne["PREF_DATE"],
            ligne["VOTE_EFFECTIF"],
            ligne["VOTE_REEL"],
            ligne["VOTE_POUR"],
            ligne["BUDGET_ANNEE"],
        )
        for numero, ligne in lignes.items()
    }
    # Typed from the extracts: membres en exercice, voix (présents + pouvoirs), reçu en préfecture.
    assert chiffres == {
        "2019.00081": ("2019-03-07", "2019-03-19", 69, 55, 55, 2019),
        "2024.00230": ("2024-05-16", "2024-05-28", 68, 62, 62, 2024),
        "2024.00417": ("2024-07-04", "2024-07-12", 67, 46, 46, 2024),
    }
    for ligne in lignes.values():
        assert ligne["PREF_DATE"] >= ligne["DELIB_DATE"]
        assert ligne["PREF_ID"] == "PREF042" and ligne["DELIB_MATIERE_CODE"] == "7.5"


def test_it_downloads_both_files_with_their_names_from_the_page(client, agent, attribuant, time_machine):
    collectivite, _ = attribuant
    agent.collectivite = collectivite
    agent.save()
    time_machine.move_to(datetime.datetime(2026, 2, 3, 9, tzinfo=datetime.UTC), tick=False)
    client.force_login(agent)
    jour = "20260203"  # the day of the download names the file
    url = reverse("deliberations:donnees_ouvertes")
    reponse = client.get(url, {"fichier": "subventions", "annee": "2025"})
    assert (
        reponse["Content-Disposition"]
        == f'attachment; filename="{jour}_{collectivite.siren}_subventions.csv"'
    )
    assert reponse.content.decode("utf-8").count("\n") == 4
    reponse = client.get(url, {"fichier": "deliberations"})
    assert (
        reponse["Content-Disposition"]
        == f'attachment; filename="{jour}_{collectivite.siren}_deliberations.csv"'
    )
    page = client.get(url).content.decode()
    assert "écartée : ni SIRET ni RNA" in page


def test_it_writes_both_files_and_names_the_left_out_rows_from_the_command(
    attribuant, tmp_path, time_machine
):
    collectivite, _ = attribuant
    time_machine.move_to(datetime.datetime(2026, 12, 31, 10, tzinfo=datetime.UTC), tick=False)
    sortie, erreurs = io.StringIO(), io.StringIO()
    call_command(
        "exporter_scdl",
        collectivite.siren,
        "--dossier",
        str(tmp_path),
        "--toutes-subventions",
        stdout=sortie,
        stderr=erreurs,
    )
    jour = "20261231"
    noms = sorted(p.name for p in tmp_path.iterdir())
    assert noms == [
        f"{jour}_{collectivite.siren}_deliberations.csv",
        f"{jour}_{collectivite.siren}_subventions.csv",
    ]
    assert "Subvention écartée (ni SIRET ni RNA) : Association sans numéro" in erreurs.getvalue()
    with pytest.raises(CommandError, match="Aucune collectivité de SIREN 000000000"):
        call_command("exporter_scdl", "000000000")


def test_it_lets_an_admin_record_the_siret_checked_against_the_siren(client, admin_user, sem):
    client.force_login(admin_user)
    url = reverse("deliberations:donnees_ouvertes_siret")
    autre = siret_de(siren_valide(31000003))
    reponse = client.post(url, {"siret": autre}, follow=True)
    assert "commence par son SIREN 244200770" in reponse.content.decode()
    reponse = client.post(url, {"siret": "24420077000001"}, follow=True)
    assert "SIRET" in reponse.content.decode()
    sem.refresh_from_db()
    assert sem.siret == ""


def test_it_does_not_let_an_agent_change_the_siret(client, agent):
    client.force_login(agent)
    assert client.post(reverse("deliberations:donnees_ouvertes_siret"), {"siret": "1"}).status_code == 403


def _requetes(client, url):
    with CaptureQueriesContext(connection) as requetes:
        client.get(url)
    return len(requetes.captured_queries)


def test_it_makes_the_same_queries_for_the_page_whatever_the_rows(
    client, agent, attribuant, django_assert_num_queries
):
    collectivite, actions = attribuant
    agent.collectivite = collectivite
    agent.save()
    client.force_login(agent)
    url = reverse("deliberations:donnees_ouvertes")
    # session, user, permissions, years, subsidies, annual totals, délibérations
    peu = _requetes(client, url)
    assert peu <= 7
    for _ in range(20):
        ActionFactory(
            tranche=actions["siret"].tranche,
            porteur=actions["siret"].porteur,
            statut="votee",
            cout=Decimal(100000),
            contribution=Decimal(30000),
        )
    with django_assert_num_queries(peu):
        reponse = client.get(url)
    assert len(reponse.context["subventions"]) == 4 + 20


@pytest.mark.parametrize(
    "parametres",
    [{"fichier": "autre"}, {"fichier": "subventions", "annee": "99999999999999999999"}, {"fichier": ""}],
)
def test_it_answers_a_bad_choice_with_a_message(client, agent, parametres):
    client.force_login(agent)
    reponse = client.get(reverse("deliberations:donnees_ouvertes"), parametres)
    assert reponse.status_code == 200
    assert "Choix invalide" in reponse.content.decode()
