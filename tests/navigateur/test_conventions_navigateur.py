"""In Chromium: an agent draws up AGASEF's 2024 convention, records its signature, then the payments."""

import pytest
from playwright.sync_api import expect

from .conftest import capture, connexion

pytestmark = pytest.mark.navigateur


def test_it_lets_an_agent_sign_a_convention_and_follow_its_payments(page, demo):
    connexion(page, "agent", "agent-demo-2024")
    page.get_by_role("link", name="Conventions").click()
    expect(page.get_by_role("heading", name="Conventions 2024")).to_be_visible()
    capture(page, "agent-conventions-a-etablir")
    page.get_by_role("button", name="Créer la convention de « Relais emploi La Ricamarie »").click()
    expect(page.get_by_text("Convention créée pour « Relais emploi La Ricamarie »")).to_be_visible()

    page.get_by_label("Signée le").first.fill("2024-06-20")
    page.get_by_role("button", name="Enregistrer").first.click()
    expect(page.get_by_text("Convention signée le 20 juin 2024.")).to_be_visible()
    page.get_by_role("link", name="Relais emploi La Ricamarie").first.click()

    expect(page.get_by_role("heading", name="Convention et versements")).to_be_visible()
    page.get_by_label("Date").fill("2024-07-01")
    page.get_by_label("Montant (€)").fill("23600")
    page.get_by_role("button", name="Enregistrer le versement").click()
    expect(page.get_by_text("Versement refusé")).to_be_visible()
    page.get_by_label("Date").fill("2024-07-01")
    page.get_by_label("Montant (€)").fill("11750")
    page.get_by_role("button", name="Enregistrer le versement").click()
    expect(page.get_by_text("Versement enregistré")).to_be_visible()
    expect(
        page.locator("td", has_text="Conventionnée").or_(page.get_by_text("Conventionnée")).first
    ).to_be_visible()
    capture(page, "agent-convention-versements")


def test_it_asks_for_the_authority_s_siret_on_the_open_data_page(page, demo):
    connexion(page, "agent", "agent-demo-2024")
    page.get_by_role("link", name="Données ouvertes").click()
    page.get_by_role("button", name="Subventions (CSV)").click()
    expect(
        page.get_by_text("Le SIRET de Saint-Etienne Métropole n'est pas renseigné : les fichiers SCDL")
    ).to_be_visible()
    capture(page, "agent-donnees-ouvertes-sans-siret")
