"""Amounts to the cent, end to end: typed the French way in the web form, read back exactly on the
tranche page, the annex PDF and spreadsheet, the list's CSV export and the dashboard.

The expected figures are literals added up by hand: the test never asks the app (nor sum() over its
own table) what the totals should be."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from contrat_ville.models import Enveloppe, Financeur
from contrat_ville.roles import AGENTS
from programmation.models import Action, Tranche

from ..factories import AxeFactory, CollectiviteFactory, ContratFactory, PorteurFactory
from ..factories import compte as _compte

pytestmark = pytest.mark.django_db

E = "\u202f"  # the narrow no-break space the app writes between thousands and before « € »
ANNEE = 2026

# (axe, coût, contribution, cofinancement de l'État sollicité or ""), typed as an agent types them.
SAISIES = [
    (1, "12 345,67", "4 321,09", "3 000,50"),
    (1, "8 000", "2 000,05", ""),
    (1, "15 432,10", "7 716,05", ""),
    (1, "5 999,99", "1 234,56", "1 000"),
    (1, "20 000,01", "9 999,99", ""),
    (1, "3 210,00", "1 605,50", ""),
    (2, "9 876,54", "3 456,78", ""),
    (2, "11 111,11", "5 555,55", "2 222,22"),
    (2, "7 500,25", "2 500,75", ""),
    (2, "4 000,40", "1 999,01", ""),
    (2, "25 000", "10 000", ""),
    (2, "6 543,21", "3 210,99", ""),
    (3, "18 765,43", "8 765,43", ""),
    (3, "2 500,50", "1 250,25", ""),
    (3, "13 579,24", "6 789,62", "3 000"),
    (3, "9 999,99", "4 444,44", ""),
    (3, "30 303,03", "12 121,21", ""),
    (3, "1 234,56", "617,28", ""),
    (4, "16 000,16", "8 000,08", ""),
    (4, "7 777,77", "3 333,33", ""),
    (4, "10 010,10", "5 005,05", "4 004,04"),
    (4, "4 321,00", "2 160,50", ""),
    (4, "22 222,22", "11 111,11", ""),
    (4, "3 456,78", "1 728,39", ""),
    (5, "14 141,41", "7 070,70", ""),
    (5, "6 060,60", "3 030,30", ""),
    (5, "19 191,91", "9 595,96", "5 000,05"),
    (5, "5 005,05", "2 502,53", ""),
    (5, "8 888,88", "4 444,44", ""),
    (5, "12 012,12", "6 006,06", ""),
]

# Added up by hand. Axe: (coût, contribution), as the app prints them.
PAR_AXE = {
    1: (f"64{E}987,77{E}€", f"26{E}877,24{E}€"),
    2: (f"64{E}031,51{E}€", f"26{E}723,08{E}€"),
    3: (f"76{E}382,75{E}€", f"33{E}988,23{E}€"),
    4: (f"63{E}788,03{E}€", f"31{E}338,46{E}€"),
    5: (f"65{E}299,97{E}€", f"32{E}649,99{E}€"),
}
PAR_AXE_DECIMAL = {
    1: (Decimal("64987.77"), Decimal("26877.24")),
    2: (Decimal("64031.51"), Decimal("26723.08")),
    3: (Decimal("76382.75"), Decimal("33988.23")),
    4: (Decimal("63788.03"), Decimal("31338.46")),
    5: (Decimal("65299.97"), Decimal("32649.99")),
}
COUT_TOTAL = f"334{E}490,03{E}€"
CONTRIBUTION_TOTALE = f"151{E}577{E}€"  # 151 577,00: a whole amount prints without « ,00 »
ENVELOPPE = f"250{E}000{E}€"
RESTE = f"98{E}423{E}€"  # 250 000,00 − 151 577,00
# The CSV writes every amount with two decimals and no thousands separator.
CSV_COUT_TOTAL, CSV_CONTRIBUTION_TOTALE, CSV_COFINANCEMENTS = "334490,03", "151577,00", "18226,81"
XLSX_COUT_TOTAL, XLSX_CONTRIBUTION_TOTALE = Decimal("334490.03"), Decimal("151577.00")


def _sans_espaces(texte):
    return re.sub(r"[\s\u202f\u00a0]+", " ", texte)


def _lignes(page, debut):
    """The rows (cells' texts) of the first table after `debut` in the page: tbody and tfoot."""
    tableau = page.split(debut, 1)[1].split("</table>", 1)[0]
    tableau = tableau.split("</thead>", 1)[-1]
    return [
        [
            re.sub(r"<[^>]+>", "", cellule).strip()
            for cellule in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", ligne)
        ]
        for ligne in re.findall(r"<tr>(.*?)</tr>", tableau, flags=re.S)
    ]


def en_csv(saisi):
    """« 1 234,5 » typed -> « 1234,50 » as the CSV writes it; « 8 000 » -> « 8000,00 »."""
    entier, _, centimes = saisi.replace(" ", "").partition(",")
    return f"{entier},{centimes:0<2}"


def _poster(client, nom, donnees, attendu=302):
    reponse = client.post(reverse(nom[0], args=nom[1:]), donnees)
    assert reponse.status_code == attendu, reponse.content.decode()[:3000]
    return reponse


def test_it_finds_the_typed_cents_again_everywhere(client):
    collectivite = CollectiviteFactory(nom="Commune de Sainte-Centime", nature="commune")
    contrat = ContratFactory(collectivite=collectivite, intitule="Contrat de ville des centimes")
    axes = {
        n: AxeFactory(contrat=contrat, numero=n, ordre=n, intitule=f"Orientation numero {n}")
        for n in range(1, 6)
    }
    financeur = Financeur.objects.create(
        collectivite=collectivite, nom="Ville de Sainte-Centime", nature="collectivite"
    )
    etat = Financeur.objects.create(collectivite=collectivite, nom="État", nature="etat")
    Enveloppe.objects.create(contrat=contrat, annee=ANNEE, financeur=financeur, montant=Decimal("250000.00"))
    porteur = PorteurFactory(collectivite=collectivite, siret="73282932000074")
    agent = _compte("agent-centimes", collectivite, AGENTS)
    client.force_login(agent)

    # 1. The agent types the 30 actions, then moves each to « proposée ».
    intitules = []
    for i, (axe, cout, contribution, cofinancement) in enumerate(SAISIES, start=1):
        intitule = f"Action centimes {i:02d}"
        donnees = {
            "contrat": contrat.pk,
            "annee": ANNEE,
            "intitule": intitule,
            "porteur": porteur.pk,
            "nouveau_porteur": "",
            "axe": axes[axe].pk,
            "territoire": "QPV",
            "objectifs": "Des centimes justes.",
            "cout": cout,
            "contribution": contribution,
            "section": "fonctionnement",
            "version": "",
            "cofinancements-TOTAL_FORMS": "1" if cofinancement else "0",
            "cofinancements-INITIAL_FORMS": "0",
            "cofinancements-MIN_NUM_FORMS": "0",
            "cofinancements-MAX_NUM_FORMS": "1000",
        }
        if cofinancement:
            donnees["cofinancements-0-financeur"] = etat.pk
            donnees["cofinancements-0-montant_sollicite"] = cofinancement
        _poster(client, ("programmation:action_creer",), donnees)
        action = Action.objects.get(contrat=contrat, intitule=intitule)
        for statut in ("en_instruction", "proposee"):
            _poster(client, ("programmation:action_statut", action.pk), {"statut": statut})
        intitules.append(intitule)
    actions = Action.objects.filter(contrat=contrat, annee=ANNEE)
    assert actions.count() == 30 and set(actions.values_list("statut", flat=True)) == {"proposee"}

    # 2. A draft tranche of the year, composed of the 30 actions.
    _poster(client, ("programmation:tranche_creer",), {"contrat": contrat.pk, "annee": ANNEE})
    tranche = Tranche.objects.get(contrat=contrat, annee=ANNEE)
    for action in actions.order_by("pk"):
        _poster(client, ("programmation:tranche_ajouter", tranche.pk), {"action": action.pk})
    assert tranche.actions.count() == 30

    # 3. The tranche page: per axe, total, and the envelope's remainder.
    page = client.get(reverse("programmation:tranche", args=[tranche.pk])).content.decode()
    repartition = _lignes(page, "<h2>Répartition par")
    assert repartition == [
        *([axes[n].titre_annexe, "6", cout, contribution] for n, (cout, contribution) in PAR_AXE.items()),
        ["Total", "30", COUT_TOTAL, CONTRIBUTION_TOTALE],
    ]
    assert _lignes(page, "<h2>Enveloppes") == [
        ["Ville de Sainte-Centime", ENVELOPPE, CONTRIBUTION_TOTALE, RESTE]
    ]

    # 4. The annex PDF: every axe's total line and the grand total, to the cent.
    pdf = client.get(reverse("programmation:tranche_annexe_pdf", args=[tranche.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    texte = _sans_espaces(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages))
    for n, (cout, contribution) in PAR_AXE.items():
        ligne = _sans_espaces(f"{axes[n].libelle_total} {cout} {contribution}")
        assert ligne in texte, (ligne, texte)
    total = _sans_espaces(f"TOTAL GÉNÉRAL — 30 actions {COUT_TOTAL} {CONTRIBUTION_TOTALE}")
    assert total in texte, (total, texte)
    for _, _, contribution, _ in SAISIES:
        assert _sans_espaces(f"{contribution} €") in texte

    # 5. The annex spreadsheet: one sheet per axe, its lines and its SUM over exactly those lines.
    xlsx = client.get(reverse("programmation:tranche_annexe_xlsx", args=[tranche.pk]))
    classeur = load_workbook(io.BytesIO(xlsx.content))
    assert classeur.sheetnames == ["Récapitulatif", "Défi 1", "Défi 2", "Défi 3", "Défi 4", "Défi 5"]
    cout_general = contribution_generale = Decimal(0)
    for n, (cout_attendu, contribution_attendue) in PAR_AXE_DECIMAL.items():
        feuille = classeur[f"Défi {n}"]
        lues = [(feuille[f"F{r}"].value, feuille[f"G{r}"].value) for r in range(2, 8)]
        assert all(v is not None for ligne in lues for v in ligne), lues
        cout_lu = sum((Decimal(str(c)) for c, _ in lues), Decimal(0))
        contribution_lue = sum((Decimal(str(c)) for _, c in lues), Decimal(0))
        assert (cout_lu, contribution_lue) == (cout_attendu, contribution_attendue)
        assert feuille["F8"].value == "=SUM(F2:F7)" and feuille["G8"].value == "=SUM(G2:G7)"
        assert feuille["A9"].value is None  # nothing below the total
        cout_general += cout_lu
        contribution_generale += contribution_lue
    assert (cout_general, contribution_generale) == (XLSX_COUT_TOTAL, XLSX_CONTRIBUTION_TOTALE)
    recapitulatif = classeur["Récapitulatif"]
    assert [recapitulatif.cell(row=7, column=c).value for c in (1, 2, 3, 4)] == [
        "TOTAL",
        "=SUM(B2:B6)",
        "=SUM(C2:C6)",
        "=SUM(D2:D6)",
    ]
    for n in range(1, 6):
        assert recapitulatif[f"D{n + 1}"].value == f"='Défi {n}'!G8"

    # 6. The programmation list's CSV export of the tranche: 30 rows, each contribution, the total row.
    reponse = client.get(reverse("programmation:programmation"), {"tranche": tranche.pk, "export": "csv"})
    assert reponse.status_code == 200
    lignes = list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))
    entete, corps = lignes[0], lignes[1:]
    colonne = {titre: i for i, titre in enumerate(entete)}
    actions_csv = [ligne for ligne in corps if ligne[colonne["Intitulé"]].startswith("Action centimes ")]
    assert len(actions_csv) == 30
    par_intitule = {ligne[colonne["Intitulé"]]: ligne for ligne in actions_csv}
    for intitule, (_, cout, contribution, cofinancement) in zip(intitules, SAISIES, strict=True):
        ligne = par_intitule[intitule]
        assert ligne[colonne["Contribution"]] == en_csv(contribution), (intitule, ligne)
        assert ligne[colonne["Coût"]] == en_csv(cout), (intitule, ligne)
        assert ligne[colonne["Cofinancements"]] == (en_csv(cofinancement) if cofinancement else "0,00")
    totaux = [ligne for ligne in corps if ligne[colonne["Intitulé"]] == "30 actions subventionnées"]
    assert len(totaux) == 1, corps[30:]
    total = totaux[0]
    assert (total[colonne["Coût"]], total[colonne["Contribution"]], total[colonne["Cofinancements"]]) == (
        CSV_COUT_TOTAL,
        CSV_CONTRIBUTION_TOTALE,
        CSV_COFINANCEMENTS,
    )

    # 7. The dashboard of the contract's year: programmed per axe, and the authority's envelope.
    page = client.get(reverse("programmation:tableau_de_bord"), {"contrat": contrat.pk, "annee": ANNEE})
    page = page.content.decode()
    assert _lignes(page, "<h2>Par défi") == [
        [f"Défi {n} : Orientation numero {n}", "6", "—", contribution, f"0{E}€"]
        for n, (_, contribution) in PAR_AXE.items()
    ]
    financeurs = _lignes(page, "<h2>Par financeur</h2>")
    # The dashboard shows the envelope and what is programmed against it, not the remainder (no such
    # column): the remainder is the tranche page's (above) and the composing page's.
    assert ["Commune de Sainte-Centime", ENVELOPPE, CONTRIBUTION_TOTALE, f"0{E}€"] in financeurs, financeurs
    page = client.get(reverse("programmation:tranche_composer", args=[tranche.pk])).content.decode()
    assert _lignes(page, "<caption>Enveloppes") == [
        [
            f"Contrat de ville des centimes {ANNEE} — Ville de Sainte-Centime",
            ENVELOPPE,
            CONTRIBUTION_TOTALE,
            RESTE,
        ]
    ]
