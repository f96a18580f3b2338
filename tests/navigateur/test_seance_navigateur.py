"""In Chromium: a secretary prepares a séance, takes attendance, records the vote; the tranche locks."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from contrat_ville.models import Contrat
from programmation.models import Action, Porteur, Tranche

from .conftest import capture, connexion

pytestmark = pytest.mark.navigateur


@pytest.fixture
def tranche_soumise(demo):
    contrat = Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)
    tranche = Tranche.objects.create(contrat=contrat, annee=2025, numero=1, statut="soumise")
    Action.objects.create(
        contrat=contrat,
        annee=2025,
        tranche=tranche,
        intitule="Ateliers numériques au Crêt de Roc",
        porteur=Porteur.objects.filter(collectivite=contrat.collectivite).first(),
        cout=Decimal("20000"),
        contribution=Decimal("5000"),
        statut="proposee",
    )
    return tranche


def test_it_lets_an_agent_prepare_a_seance_take_attendance_and_vote_and_locks_the_tranche(
    page, tranche_soumise
):
    connexion(page, "agent", "agent-demo-2024")
    page.get_by_role("link", name="Séances").click()
    page.get_by_role("link", name="Préparer une séance").click()
    page.get_by_label("Instance").select_option(label="Bureau Métropolitain")
    page.get_by_label("Date de la séance").fill("2025-03-20")
    page.get_by_label("Date de convocation").fill("2025-03-12")
    page.get_by_role("button", name="Enregistrer la séance").click()
    expect(
        page.get_by_role("heading", name=re.compile("Bureau Métropolitain du 20 mars 2025"))
    ).to_be_visible()

    page.get_by_label("Objet").fill("Programmation 2025 du contrat de ville - première tranche")
    page.get_by_label("Tranche adoptée").select_option(index=1)
    page.get_by_role("button", name="Inscrire").click()
    expect(page.get_by_role("link", name="2025.00001")).to_be_visible()

    # 40 of the 67 members present, the 41st gives pouvoir to the first, then a second one to him too.
    etats = page.locator("select[name$='-etat']")
    for i in range(40):
        etats.nth(i).select_option("present")
    etats.nth(40).select_option("pouvoir")
    page.locator("select[name='presences-40-mandataire']").select_option(index=1)
    etats.nth(41).select_option("pouvoir")
    page.locator("select[name='presences-41-mandataire']").select_option(index=1)
    page.get_by_role("button", name="Enregistrer la liste de présence").click()
    expect(page.get_by_role("alert")).to_contain_text("un seul pouvoir (CGCT L2121-20)")
    capture(page, "seance-deux-pouvoirs-refuses")
    page.locator("select[name='presences-41-etat']").select_option("excuse")
    page.locator("select[name='presences-41-mandataire']").select_option(index=0)
    page.get_by_role("button", name="Enregistrer la liste de présence").click()
    expect(page.get_by_text("Liste de présence enregistrée.")).to_be_visible()
    expect(page.locator("#quorum")).to_contain_text("atteint")
    expect(page.locator("#quorum")).to_contain_text("40 présents, il en faut au moins 34")
    capture(page, "seance-presences-quorum")

    page.get_by_role("link", name="2025.00001").click()
    page.get_by_label("Résultat").select_option("majorite")
    page.get_by_label("Pour", exact=True).fill("40")
    page.get_by_label("Contre").fill("0")
    page.get_by_label("Abstentions").fill("0")
    page.get_by_role("button", name="Enregistrer le vote").click()
    expect(page.get_by_text("le total doit être de 41 (41 votants)")).to_be_visible()
    page.get_by_label("Pour", exact=True).fill("41")
    page.get_by_role("button", name="Enregistrer le vote").click()
    expect(page.get_by_text("les montants de la tranche seront verrouillés")).to_be_visible()
    page.get_by_role("button", name="Confirmer le vote").click()
    expect(page.locator("#vote")).to_contain_text("adopté par 41 voix pour, 0 voix contre")
    expect(page.get_by_text("verrouillée")).to_be_visible()
    capture(page, "deliberation-votee")

    page.get_by_role("link", name="Voir la tranche et ses contrôles").click()
    expect(page.get_by_text("Votée").first).to_be_visible()
    action = tranche_soumise.actions.get()
    page.goto(f"{page.base_url}/programmation/actions/{action.pk}/modifier/")
    expect(page.get_by_text("Verrouillé : la tranche est votée.").first).to_be_visible()
    expect(page.get_by_label("Contribution de la collectivité")).to_be_disabled()
    capture(page, "action-verrouillee")
