"""End to end in Chromium: a 40-action tranche composed from déposée actions in a handful of pages."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from .conftest import capture, connexion

pytestmark = pytest.mark.navigateur
CONTRAT_2024 = "Contrat de ville « Engagements Quartiers 2030 » (2024-2030)"


def _quarante_deposees():
    from contrat_ville.models import Contrat
    from programmation.models import Action, Porteur

    contrat = Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)
    porteur = Porteur.objects.get(nom="AGASEF", siret="")
    axe = contrat.axes.get(nom_court="EMANCIPER")
    Action.objects.bulk_create(
        Action(
            contrat=contrat,
            annee=2026,
            intitule=f"Atelier de quartier n°{rang:02d}",
            porteur=porteur,
            axe=axe,
            cout=Decimal("4000"),
            contribution=Decimal("1000"),
        )
        for rang in range(1, 41)
    )


def test_it_lets_an_agent_compose_a_40_action_tranche_in_less_than_10_pages(page, demo):
    from programmation.models import Tranche

    _quarante_deposees()
    connexion(page, "agent", "agent-demo-2024")
    pages = []
    page.on("request", lambda r: pages.append(r.url) if r.resource_type == "document" else None)

    page.get_by_role("link", name="Tranches").click()
    page.get_by_label("Contrat").select_option(label=CONTRAT_2024)
    page.get_by_label("Année").fill("2026")
    page.get_by_role("button", name="Créer une tranche en brouillon").click()
    page.get_by_label("Recherche").fill("Atelier de quartier")
    page.get_by_role("button", name="Filtrer", exact=True).click()
    page.get_by_label("Tout sélectionner (les 40 actions filtrées)").check()
    page.get_by_role("button", name="Ajouter la sélection").click()

    expect(page.get_by_text("40 actions ajoutées.")).to_be_visible()
    expect(page.locator("#total-nombre")).to_have_text("40")
    expect(page.locator("#total-contribution")).to_have_text("40\u202f000\u202f€")
    capture(page, "tranche-composee-en-masse")
    print(f"pages demandées pour composer la tranche : {len(pages)}")
    assert len(pages) < 10, pages
    tranche = Tranche.objects.get(contrat__annee_debut=2024, contrat__nature="contrat_de_ville", annee=2026)
    assert set(tranche.actions.values_list("statut", flat=True)) == {"proposee"}
    assert tranche.actions.count() == 40
