"""In Chromium set to French: an amount typed « 6 000,50 » is stored and shown to the cent."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from .conftest import capture, connexion

pytestmark = pytest.mark.navigateur
CONTRAT_2024 = "Contrat de ville « Engagements Quartiers 2030 » (2024-2030)"


def test_it_gives_back_to_the_cent_the_amounts_an_agent_types_the_french_way(page, demo):
    from programmation.models import Action

    assert page.evaluate("navigator.language") == "fr-FR"
    connexion(page, "agent", "agent-demo-2024")
    page.get_by_role("link", name="Saisir une nouvelle action").click()
    contribution = page.get_by_label("Contribution de la collectivité")
    # A text input: the browser keeps the spaces and the comma as typed (a number input did not).
    expect(contribution).to_have_attribute("type", "text")
    expect(contribution).to_have_attribute("inputmode", "decimal")
    page.get_by_label("Contrat").select_option(label=CONTRAT_2024)
    page.get_by_label("Année").fill("2025")
    page.get_by_label("Intitulé", exact=False).first.fill("Permanence budget au Crêt de Roc")
    page.get_by_label("… ou nouveau porteur : nom").fill("Association Budget Malin")
    page.get_by_label("Nature du nouveau porteur").select_option("association")
    page.get_by_label("Axe", exact=True).select_option(
        label=f"Défi 2 : NOS QUARTIERS EMANCIPENT — {CONTRAT_2024}"
    )
    page.get_by_label("Coût de l'action").press_sequentially("12 345,67 €")
    contribution.clear()  # a new action's contribution starts at « 0 »
    contribution.press_sequentially("6 000,50")
    expect(contribution).to_have_value("6 000,50")
    page.locator("select[name='cofinancements-0-financeur']").select_option(label="État")
    page.locator("input[name='cofinancements-0-montant_sollicite']").press_sequentially("1 234,56")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("heading", name="Permanence budget au Crêt de Roc")).to_be_visible()
    expect(page.locator("dd", has_text="6\u202f000,50\u202f€")).to_be_visible()
    capture(page, "agent-montants-francais")
    action = Action.objects.get(intitule="Permanence budget au Crêt de Roc")
    assert (action.cout, action.contribution) == (Decimal("12345.67"), Decimal("6000.50"))
    assert action.cofinancements.get().montant_sollicite == Decimal("1234.56")

    page.get_by_role("link", name="Modifier").click()
    expect(page.get_by_label("Contribution de la collectivité")).to_have_value("6\u202f000,50")
    expect(page.get_by_label("Coût de l'action")).to_have_value("12\u202f345,67")
    # A three-decimal amount is refused on its field, and what was typed stays in place.
    page.get_by_label("Contribution de la collectivité").fill("6,000")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("Rien n'a été enregistré")
    expect(page.locator("#id_contribution_error")).to_contain_text("« 6,000 » est ambigu")
    expect(page.get_by_label("Contribution de la collectivité")).to_have_value("6,000")
    action.refresh_from_db()
    assert action.contribution == Decimal("6000.50")
