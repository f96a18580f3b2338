"""The 2020 annual report of Saint-Étienne-du-Rouvray rebuilt from the demo data, against seed 004.

Every expected figure below is typed from the seed's part 4 (« Déclinaison détaillée »), as written there.
"""

import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from programmation.evaluation.documents import rapport_pdf, rapport_xlsx
from programmation.models import RapportAnnuel

VILLE = "Ville"  # « Ville », « St-Etienne-du-R. »… in the seed

# (nom de l'action, {financeur: montant tel qu'écrit}, « Total » tel qu'écrit)
SEED_2020 = [
    (
        "Comité d'acteurs de gestion urbaine et sociale de proximité",
        {"FIPD": "17 386", VILLE: "17 386"},
        "34 772",
    ),
    (
        "Programme de Réussite Éducative",
        {"ANCT": "112 000", "Métropole": "26 675", VILLE: "31 800", "CCAS - St-Etienne-du-Rouvray": "25 075"},
        "195 550",
    ),
    (
        "Retour vers un parcours de réussite - Visite à domicile et accompagnement social individuel "
        'des jeunes "décrochés"',
        {VILLE: "7 000", "FIPD": "6 000"},
        "13 000",
    ),
    ("Retour vers un parcours de réussite - Ateliers éducatifs", {VILLE: "4 100", "FIPD": "4 100"}, "8 200"),
    ("Maison de la justice et du droit", {"Métropole": "20 133", VILLE: "59 305"}, "79 438"),
    (
        "S'exprimer pour agir",
        {"ANCT": "7 000", "ARS": "5 000", "Département": "3 000", VILLE: "5 000"},
        "20 000",
    ),
    (
        "Animation, vivre ensemble et parentalité",
        {
            "ANCT": "6 200",
            "FONJEP": "2 000",
            "ARS": "8 000",
            "Département": "4 000",
            VILLE: "6 800",
            "CAF": "6 000",
        },
        "33 000",
    ),
    ("École des adultes", {"ANCT": "10 000", VILLE: "4 500"}, "14 500"),
    ("Atelier de vie quotidienne et projet culturel en famille", {"ANCT": "7 000", VILLE: "6 600"}, "13 600"),
    (
        "Agir en famille",
        {"ANCT": "12 700", VILLE: "3 500", "ARS": "4 000", "Département": "28 500"},
        "48 700",
    ),
    (
        "Maîtrise d'œuvre urbaine et sociale (MOUS)",
        {"ANCT": "20 574", "DDTM 76": "35 474", VILLE: "123 022"},
        "179 070",
    ),
    ("Bien dans son logement", {"ARS": "5 000", VILLE: "2 000"}, "7 000"),
    ("Atelier Santé Ville (ASV)", {"ANCT": "23 673", VILLE: "8 055", "ARS": "8 055"}, "39 783"),
    ("Culture pour tous", {"ANCT": "8 030", "ARS": "1 000", VILLE: "10 870"}, "19 900"),
    (
        "MIEF – accompagnement vers l'emploi",
        {"ANCT": "43 000", "Métropole": "31 700", VILLE: "131 620"},
        "206 320",
    ),
    (
        "Chantiers de sensibilisation à l'emploi",
        {"ANCT": "15 000", VILLE: "35 380", "FIPD": "13 500"},
        "63 880",
    ),
    ("Ateliers de formation de base", {"ANCT": "6 400", VILLE: "1 600", "État (OFII)": "43 500"}, "51 500"),
    ("Lutte contre la récidive", {"SER": "6 100", "FIPD": "6 100"}, "12 200"),
    ("Conseils citoyens", {"ANCT": "4 000", VILLE: "1 000"}, "5 000"),
    ("Horizon études", {"ANCT": "10 400", VILLE: "105 059"}, "115 459"),
    (
        "Actions de promotion de l'égalité femme-homme et actions de prévention contre les violences "
        "faites aux femmes",
        {"ANCT": "5 000", VILLE: "5 000"},
        "10 000",
    ),
    (
        "Ateliers expression et image de soi",
        {VILLE: "1 500", "ARS": "1 000", "Département": "2 500", "Autres": "5 000"},
        "10 000",
    ),
    ("« Accompagnement en ALT »", {VILLE: "9 058", "FIPD": "7 000"}, "16 058"),
    ("Lutte contre les discriminations", {"CGET": "4 000", VILLE: "1 000"}, "5 000"),
    ("Eco-appartement Hauskoa", {"ARS": "4 000", VILLE: "3 300"}, "7 300"),
]
# Public reached, as the seed writes it (action, text of the « Public touché » cell).
PUBLIC_2020 = [
    "1 311 dont 792 femmes",
    "1 977 bénéficiaires dont 1 044 femmes",
    "526 bénéficiaires 289 filles, 237 garçons",
]
AXES = ["Cadre de vie", "Cohésion sociale", "Tranquillité publique", "Axes transversaux"]
REFERENTS = ["Emmanuel Sannier", "Jérôme Lalung- Bonnaire", "Chloé Stephan", "Édouard Henry"]


def montant(texte):
    return int(texte.replace(" ", ""))


def _plat(texte):
    return re.sub(r"\s+", " ", texte.replace("\u202f", " ").replace("\u00a0", " "))


@pytest.fixture
def rapport_2020(sedr):
    return RapportAnnuel.objects.get(collectivite=sedr, annee=2020)


@pytest.fixture(scope="module")
def texte_pdf(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        rapport = RapportAnnuel.objects.get(collectivite__siren="217605757", annee=2020)
        contenu = rapport_pdf(rapport)
    assert contenu.startswith(b"%PDF")
    return _plat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(contenu)).pages))


# Marked: ordered with the database tests, before any transactional test empties the base.
@pytest.mark.django_db
def test_it_prints_every_action_total_and_financeur_amount_of_the_seed(texte_pdf):
    for _, financements, total in SEED_2020:
        assert f"Total : {total} €" in texte_pdf
        for nom, valeur in financements.items():
            assert f"{nom} : {valeur} €" in texte_pdf


# Marked: ordered with the database tests, before any transactional test empties the base.
@pytest.mark.django_db
def test_it_prints_the_deliberation_protocol_ingenierie_and_point_etape(texte_pdf):
    assert "Délibération n°2021-10-14-22" in texte_pdf
    assert "D'émettre un avis favorable au rapport annexé" in texte_pdf
    assert "76-217605757-20211014-lmc123683-DE-1-1" in texte_pdf
    for referent in REFERENTS:
        assert referent in texte_pdf
    assert "22) Améliorer la qualification et les compétences des publics" in texte_pdf
    assert "Volet cohésion sociale" in texte_pdf and "Volet urbain" in texte_pdf
    assert "634 heures réalisées, 6 personnes mises en emploi" in texte_pdf
    assert "Perspectives 2021" in texte_pdf


# Marked: ordered with the database tests, before any transactional test empties the base.
@pytest.mark.django_db
def test_it_prints_the_public_reached_and_the_axes(texte_pdf):
    for public in PUBLIC_2020:
        assert public in texte_pdf
    for axe in AXES:
        assert f"TOTAL {axe}" in texte_pdf


def _lignes_xlsx(contenu):
    feuille = load_workbook(io.BytesIO(contenu))["Déclinaison 2020"]
    entetes = [c.value for c in feuille[1]]
    lignes = {}
    for ligne in feuille.iter_rows(min_row=2, values_only=True):
        if ligne[2]:
            lignes[ligne[2]] = dict(zip(entetes, ligne, strict=True))
    return lignes


@pytest.mark.django_db
def test_it_writes_the_seed_amounts_per_financeur_in_the_spreadsheet(rapport_2020):
    classeur = load_workbook(io.BytesIO(rapport_xlsx(rapport_2020)))
    lignes = _lignes_xlsx(rapport_xlsx(rapport_2020))
    assert len(lignes) == 25  # the seed's part 4 lists 25 actions
    for nom, financements, total in SEED_2020:
        ligne = lignes[nom]
        assert ligne["Total"] == montant(total), nom
        for financeur, valeur in financements.items():
            assert ligne[financeur] == montant(valeur), (nom, financeur)
    assert lignes["Maison de la justice et du droit"]["Personnes touchées"] == 1311
    assert lignes["Maison de la justice et du droit"]["dont femmes"] == 792
    assert lignes["Maison de la justice et du droit"]["dont QPV"] == 490
    assert lignes["Chantiers de sensibilisation à l'emploi"]["dont hommes"] == 30
    assert {"Déclinaison 2020", "Par axe", "Par financeur"} <= set(classeur.sheetnames)


@pytest.mark.django_db
def test_it_sums_each_financeur_over_the_year(rapport_2020):
    """The per-financeur sheet against sums of the seed's own figures (typed above, added here)."""
    attendu = {}
    for _, financements, _ in SEED_2020:
        for financeur, valeur in financements.items():
            attendu[financeur] = attendu.get(financeur, 0) + montant(valeur)
    feuille = load_workbook(io.BytesIO(rapport_xlsx(rapport_2020)))["Par financeur"]
    obtenu = {nom: valeur for nom, valeur in feuille.iter_rows(min_row=2, values_only=True) if nom != "TOTAL"}
    for financeur, total in attendu.items():
        assert obtenu[financeur] == total, financeur
    assert len(SEED_2020) == 25 and set(obtenu) == set(attendu)


@pytest.mark.django_db
def test_it_serves_the_report_to_its_authority_only(client, agent_sedr, agent, rapport_2020):
    client.force_login(agent_sedr)
    reponse = client.get(f"/programmation/rapports-annuels/{rapport_2020.pk}/rapport.xlsx")
    assert reponse.status_code == 200
    assert "rapport-politique-de-la-ville-2020.xlsx" in reponse["Content-Disposition"]
    client.force_login(agent)
    assert client.get(f"/programmation/rapports-annuels/{rapport_2020.pk}/rapport.pdf").status_code == 404
