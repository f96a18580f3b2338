"""In Chromium, as an agent: send a spreadsheet, see the preview with its faulty row, send the
corrected file, confirm, and find the actions in the programmation."""

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from .conftest import capture, connexion

pytestmark = pytest.mark.navigateur
CONTRAT_2024 = "Contrat de ville « Engagements Quartiers 2030 » (2024-2030)"
ENTETES = [
    "N° dossier",
    "Intitulé de l'action",
    "Porteur",
    "SIRET",
    "Défi",
    "Coût de l'action",
    "Montant proposé",
]


def demandes(tmp_path, nom, siret_du_jardin):
    wb = Workbook()
    ws = wb.active
    ws.append(ENTETES)
    ws.append(["91001", "Ateliers numériques", "Zoomacom", None, "Défi 2", "12 000 €", "3 000 €"])
    ws.append(
        [
            "91002",
            "Jardin partagé des Hauts",
            "La Ferme en chantier",
            siret_du_jardin,
            "Défi 4",
            "8 500",
            "2 000",
        ]
    )
    ws.append(["91003", "Permis solidaire", "Secours catholique", None, "Défi 3", "20 000 €", "4 500 €"])
    chemin = tmp_path / nom
    wb.save(chemin)
    return chemin


def test_it_lets_an_agent_import_a_spreadsheet_fix_a_row_and_load_it(page, demo, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    connexion(page, "agent", "agent-demo-2024")
    page.get_by_role("link", name="Importer un tableur").click()
    page.get_by_label("Contrat").select_option(label=CONTRAT_2024)
    page.get_by_label("Année").fill("2025")
    page.get_by_label("Fichier (.xlsx ou .csv)").set_input_files(
        demandes(tmp_path, "demandes.xlsx", "12345678901234")
    )
    page.get_by_role("button", name="Envoyer et voir l'aperçu").click()

    expect(page.get_by_role("heading", name="Aperçu de l'import : demandes.xlsx")).to_be_visible()
    ligne = page.locator("tr", has_text="Jardin partagé des Hauts")
    expect(ligne).to_contain_text("Erreur")
    expect(ligne).to_contain_text("colonne D « SIRET » : Le SIRET « 12345678901234 » n'est pas valide")
    expect(page.get_by_role("alert").first).to_contain_text("1 ligne en erreur : rien ne sera chargé")
    expect(page.get_by_role("button", name="Charger")).to_have_count(0)
    capture(page, "import-apercu-erreur")

    page.get_by_label("Fichier (.xlsx ou .csv)").set_input_files(
        demandes(tmp_path, "demandes-corrige.xlsx", "73282932000074")
    )
    page.get_by_role("button", name="Envoyer le fichier corrigé").click()
    expect(page.get_by_role("heading", name="Aperçu de l'import : demandes-corrige.xlsx")).to_be_visible()
    capture(page, "import-apercu-corrige")
    page.get_by_role("button", name="Charger : 3 créations, 0 modification").click()

    expect(page.get_by_text("Import chargé : 3 action(s) créée(s), 0 modifiée(s).")).to_be_visible()
    for intitule in ("Ateliers numériques", "Jardin partagé des Hauts", "Permis solidaire"):
        expect(page.get_by_role("link", name=intitule, exact=True)).to_be_visible()
    capture(page, "import-actions-chargees")
