"""In Chromium: the commune's agent corrects a bilan, is refused, fixes it and downloads the report;
the Métropole's agent sees none of it."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import capture, connexion

pytestmark = pytest.mark.navigateur


def test_it_lets_the_commune_agent_enter_a_bilan_and_download_the_annual_report(page, demo):
    connexion(page, "agent-sedr", "agent-sedr-2024")
    page.get_by_role("link", name="Bilans").click()
    page.get_by_label("Année", exact=True).fill("2020")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("row", name=re.compile("Horizon études"))).to_contain_text("526")
    page.get_by_role("link", name="Saisir le bilan de Horizon études").click()

    page.get_by_label("dont hommes").fill("200")  # the seed says 289 filles, 237 garçons: 526
    page.get_by_role("button", name="Enregistrer le bilan").click()
    expect(page.get_by_role("alert")).to_contain_text("Rien n'a été enregistré")
    expect(page.get_by_role("alert")).to_contain_text("Femmes (289) + hommes (200) = 489")
    capture(page, "agent-sedr-bilan-refuse")

    page.get_by_label("dont hommes").fill("237")
    page.get_by_label("Coût réalisé").fill("115459")
    page.locator("input[name='financements-0-realise']").fill("10400")
    page.locator("input[name='financements-1-realise']").fill("105059")
    page.get_by_role("button", name="Enregistrer le bilan").click()
    expect(page.get_by_text("Le bilan 2020 de « Horizon études » est enregistré.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Coût"))).to_have_text(
        re.compile("Coût\\s*115\u202f459\u202f€\\s*115\u202f459\u202f€")
    )

    page.get_by_role("link", name="Rapports annuels").click()
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="PDF du rapport 2020").click()
    assert telechargement.value.suggested_filename == "rapport-politique-de-la-ville-2020.pdf"


def test_it_shows_the_metropole_agent_no_report_of_the_commune(page, demo):
    connexion(page, "agent", "agent-demo-2024")
    page.get_by_role("link", name="Rapports annuels").click()
    expect(page.get_by_text("Aucun rapport annuel pour votre collectivité.")).to_be_visible()
    page.get_by_role("link", name="Bilans").click()
    expect(page.locator("main")).not_to_contain_text("Horizon études")
