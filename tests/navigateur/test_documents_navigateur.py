"""An agent opens the 2024 first tranche, sees its checks and downloads its documents."""

import io

import openpyxl
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from .conftest import capture, connexion

pytestmark = pytest.mark.navigateur


def telecharger(page, nom_du_lien):
    with page.expect_download() as attente:
        page.get_by_role("link", name=nom_du_lien).click()
    telechargement = attente.value
    return telechargement.suggested_filename, open(telechargement.path(), "rb").read()


def test_it_lets_an_agent_check_and_download_the_2024_tranche(page, demo):
    connexion(page, "agent", "agent-demo-2024")
    page.get_by_role("link", name="Tranches").click()
    page.get_by_role("row").filter(has_text="Engagements Quartiers 2030").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Contrôles")).to_be_visible()
    expect(page.get_by_text("0 bloquant")).to_be_visible()
    capture(page, "tranche-2024-T1-controles")

    nom, contenu = telecharger(page, "Télécharger l'annexe (PDF)")
    assert nom == "2024-T1-annexe.pdf"
    texte = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(contenu)).pages)
    assert "TOTAL DEFI « NOS QUARTIERS REVELENT »" in texte

    nom, contenu = telecharger(page, "Télécharger l'annexe (Excel)")
    assert nom == "2024-T1-annexe.xlsx"
    assert openpyxl.load_workbook(io.BytesIO(contenu)).sheetnames[0] == "Récapitulatif"

    page.get_by_role("link", name="Délibérations").click()
    page.get_by_role("link", name="2024.00230").click()
    nom, contenu = telecharger(page, "Télécharger l'extrait du registre (PDF)")
    assert nom == "2024.00230-extrait.pdf"
    assert contenu.startswith(b"%PDF")


def test_it_lets_keyboard_users_reach_the_content_first(page, demo):
    connexion(page, "elu", "elu-demo-2024")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Aller au contenu")
