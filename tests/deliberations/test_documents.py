"""The Bureau documents, read back as a reader would: PDF text (pypdf) and the reopened spreadsheet."""

import io
import re

import openpyxl
import pytest
from pypdf import PdfReader

from deliberations.documents import extrait_pdf
from deliberations.models import Deliberation
from programmation.documents import annexe_pdf
from programmation.models import Tranche
from programmation.tableur import annexe_xlsx

from ..factories import ActionFactory
from ..seeds import ANNEXE_2019, ANNEXE_2024

pytestmark = pytest.mark.django_db


def texte_pdf(contenu):
    """The PDF's text on one line, spaces of every kind folded to one."""
    lecteur = PdfReader(io.BytesIO(contenu))
    texte = " ".join(page.extract_text() for page in lecteur.pages)
    return re.sub(r"[\s\u202f\u00a0]+", " ", texte), len(lecteur.pages)


def euros(montant):
    return f"{montant} €"


@pytest.fixture(scope="module")
def extrait_2024(django_db_blocker):
    with django_db_blocker.unblock():
        return texte_pdf(extrait_pdf(Deliberation.objects.get(numero="2024.00230")))


@pytest.fixture(scope="module")
def extrait_2019(django_db_blocker):
    with django_db_blocker.unblock():
        return texte_pdf(extrait_pdf(Deliberation.objects.get(numero="2019.00081")))


@pytest.fixture(scope="module")
def extrait_cls(django_db_blocker):
    with django_db_blocker.unblock():
        return texte_pdf(extrait_pdf(Deliberation.objects.get(numero="2024.00417")))


def test_it_states_the_2024_attendance_and_stamp(extrait_2024):
    texte, _ = extrait_2024
    for attendu in [
        "EXTRAIT DU REGISTRE DES DELIBERATIONS",
        "SEANCE DU BUREAU METROPOLITAIN DU 16 MAI 2024",
        "DELIBERATION N°2024.00230",
        "Le Bureau Métropolitain a été convoqué le 07 mai 2024",
        "Nombre de membres en exercice : 68",
        "Nombre de présents : 54",
        "Nombre de pouvoirs : 8",
        "Nombre de voix : 62",
        "Président de séance : Mme Sylvie FAYOLLE",
        "Secrétaire de séance : Mme Siham LABICH",
        "M. Gilles ARTIGUES donne pouvoir à M. Jean-Luc DEGRAIX",
        "M. Jean-Marc SARDAT donne pouvoir à M. Gilbert SOULIER",
        "Mme Ingrid ARNAUD, Mme Françoise BERGER, M. Jordan DA SILVA",
        "RECU EN PREFECTURE",
        "Le 28 mai 2024",
        "VIA DOTELEC - iXBus",
        "042-244200770-20240516-D20240023010-DE",
        "Date de mise en ligne : 28 mai 2024",
        "Ce dossier a été adopté à l'unanimité.",
        "La Première Vice-Présidente",
    ]:
        assert attendu in texte, attendu


def test_it_generates_the_2024_summary_table(extrait_2024):
    texte, _ = extrait_2024
    assert "NOS QUARTIERS EMANCIPENT 13 57 600 €" in texte
    assert "NOS QUARTIERS REVELENT 31 294 850 €" in texte
    assert "NOS QUARTIERS RESPIRENT 5 31 500 €" in texte
    assert "TOTAL 49 383 950 €" in texte
    assert "PROJET" not in texte  # voted, and its checks find nothing blocking


def test_it_prints_every_2024_action_and_subtotal(extrait_2024):
    texte, pages = extrait_2024
    for numero, cout, contribution in ANNEXE_2024:
        ligne = (
            re.escape(numero.replace(" ", "")) + r" .*?" + re.escape(f"{euros(cout)} {euros(contribution)}")
        )
        assert re.search(ligne, texte), (numero, cout, contribution)
    assert "TOTAL DEFI « NOS QUARTIERS EMANCIPENT » 353 386 € 57 600 €" in texte
    assert "TOTAL DEFI « NOS QUARTIERS REVELENT » 1 807 776 € 294 850 €" in texte
    assert "TOTAL DEFI « NOS QUARTIERS RESPIRENT » 534 859 € 31 500 €" in texte
    assert "2 696 021 €" in texte
    assert f"page {pages} / {pages}" in texte


def test_it_reproduces_the_2019_extract_and_marks_its_discrepancy(extrait_2019):
    texte, _ = extrait_2019
    for attendu in [
        "DELIBERATION N°2019.00081",
        "Nombre de membres en exercice : 69",
        "Nombre de présents : 55",
        "Nombre de pouvoirs : 0",
        "Nombre de voix : 55",
        "Secrétaire de séance : M. Marc CHASSAUBENE",
        "042-244200770-20190307-D20190008110-DE",
        "Date d'affichage : 19 mars 2019",
        "(fonctionnement) 9 65 500 €",
        "(investissement) 10 120 000 €",
        "(fonctionnement) 17 235 200 €",
        "(fonctionnement) 13 76 800 €",
        "TOTAL 49 497 500 €",
        "TOTAL PILIER 1 532 626 € 65 500 €",
        "TOTAL PILIER 2 261 864 € 120 000 €",
        "TOTAL PILIER 4 359 417 € 76 800 €",
        "Le Président",
    ]:
        assert attendu in texte, attendu
    for cout, contribution in ANNEXE_2019:
        assert f"{euros(cout)} {euros(contribution)}" in texte, (cout, contribution)
    # The act states 734 229 € for pilier 3 although its lines add up to 772 169 €: a voted act is
    # printed as voted, the lines' sum in a note, and is no draft.
    assert "TOTAL PILIER 3 734 229 € somme des lignes : 772 169 € 235 200 €" in texte
    assert "PROJET" not in texte


def test_it_prints_the_2019_second_annex(extrait_2019):
    texte, _ = extrait_2019
    assert "ANNEXE 2" in texte
    assert "Semaines de l'égalité" in texte
    assert "19 003 € 2 000 €" in texte
    assert "Rencontre annuelle des acteurs" in texte
    assert "4 000 € 2 000 €" in texte
    assert "Participation prévisionnelle ÉTAT" in texte


def test_it_reproduces_the_cls_extract(extrait_cls):
    texte, _ = extrait_cls
    for attendu in [
        "CONTRAT LOCAL DES SOLIDARITÉS - TROISIÈME TRANCHE",
        "Nombre de membres en exercice : 67",
        "Nombre de présents : 40",
        "Nombre de pouvoirs : 6",
        "Nombre de voix : 46",
        "Secrétaire de séance : M. Charles DALLARA",
        "042-244200770-20240704-D20240041710-DE",
        "Le 12 juillet 2024",
        "2 médiatrices/ médiateurs santé",
        "94 000 € OUI",
        "TOTAL AXE 3",
    ]:
        assert attendu in texte, attendu
    assert "PRIORITES DU CONTRAT" not in texte  # the CLS délibération has no summary table


def test_it_marks_a_draft_annex_as_projet():
    action = ActionFactory(statut="proposee")
    texte, _ = texte_pdf(annexe_pdf(action.tranche))
    assert "PROJET" in texte
    assert euros("2 500") in texte


def test_it_escapes_user_text_in_pdfs():
    action = ActionFactory(intitule="<b>Atelier</b> & <script>alert(1)</script>")
    texte, _ = texte_pdf(annexe_pdf(action.tranche))
    # Shown as typed, markup included (a line may wrap inside it, hence the spaces removed).
    assert "<b>Atelier</b>&<script>alert(1)</script>" in texte.replace(" ", "")


# The spreadsheet, reopened with openpyxl.
def classeur(tranche):
    return openpyxl.load_workbook(io.BytesIO(annexe_xlsx(tranche)))


def valeur(wb, feuille, reference):
    """Evaluates the few formulas the annex uses (=SUM, =COUNTA, sheet references), as a spreadsheet would."""
    contenu = wb[feuille][reference].value
    if not (isinstance(contenu, str) and contenu.startswith("=")):
        return contenu
    if m := re.fullmatch(r"=(SUM|COUNTA)\((?:'?([^'!]+)'?!)?([A-Z]+)(\d+):([A-Z]+)(\d+)\)", contenu):
        fonction, autre, col, debut, _, fin = m.groups()
        cellules = [valeur(wb, autre or feuille, f"{col}{n}") for n in range(int(debut), int(fin) + 1)]
        return sum(cellules) if fonction == "SUM" else sum(c not in (None, "") for c in cellules)
    if m := re.fullmatch(r"='?([^'!]+)'?!([A-Z]+\d+)", contenu):
        return valeur(wb, m.group(1), m.group(2))
    raise AssertionError(f"formule inattendue : {contenu}")


def test_it_exports_the_2024_annex_with_live_totals():
    wb = classeur(Tranche.objects.get(annee=2024, numero=1, contrat__nature="contrat_de_ville"))
    assert wb.sheetnames == ["Récapitulatif", "Défi 2", "Défi 3", "Défi 4"]
    recap = wb["Récapitulatif"]
    assert [c.value for c in recap[1]] == ["Axe", "Nombre d'actions", "Coût", "Contribution SEM"]
    assert recap["B5"].value == "=SUM(B2:B4)"
    assert [valeur(wb, "Récapitulatif", f"{c}5") for c in "BCD"] == [49, 2696021, 383950]
    assert [valeur(wb, "Récapitulatif", f"D{n}") for n in (2, 3, 4)] == [57600, 294850, 31500]
    revelent = wb["Défi 3"]
    assert revelent["A33"].value == "TOTAL DEFI « NOS QUARTIERS REVELENT »"
    assert revelent["F33"].value == "=SUM(F2:F32)"
    assert valeur(wb, "Défi 3", "F33") == 1807776


def test_it_exports_every_2024_row_as_the_seed_states_it():
    wb = classeur(Tranche.objects.get(annee=2024, numero=1, contrat__nature="contrat_de_ville"))
    lignes = [
        (str(r[0] or ""), r[5], r[6])
        for nom in ("Défi 2", "Défi 3", "Défi 4")
        for r in wb[nom].iter_rows(min_row=2, values_only=True)
        if not str(r[0] or "").startswith("TOTAL")
    ]
    attendues = [
        (numero.replace(" ", ""), int(cout.replace(" ", "")), int(contribution.replace(" ", "")))
        for numero, cout, contribution in ANNEXE_2024
    ]
    assert lignes == attendues


def test_it_formats_and_prints_the_spreadsheet_for_paper():
    wb = classeur(Tranche.objects.get(annee=2019, numero=1))
    assert wb.sheetnames[-1] == "Annexe 2"
    feuille = wb["Pilier 2"]
    assert feuille.freeze_panes == "A2"
    assert feuille.print_title_rows == "$1:$1"
    assert feuille.page_setup.orientation == "landscape"
    assert feuille["F2"].number_format == '#,##0.00 "€";-#,##0.00 "€"'
    assert feuille.column_dimensions["E"].width >= 60
    assert valeur(wb, "Récapitulatif", "D6") == 497500


def test_it_never_writes_user_text_as_a_formula():
    action = ActionFactory(intitule='=HYPERLINK("http://exemple.invalid")', territoire="+33 quartier")
    wb = classeur(action.tranche)
    feuille = wb[wb.sheetnames[1]]
    assert feuille["B2"].value == '=HYPERLINK("http://exemple.invalid")'
    assert feuille["B2"].data_type == "s"
    assert feuille["D2"].value == "+33 quartier"
