"""End to end in Chromium: an agent enters an action and builds a tranche; an official browses."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import capture, connexion

pytestmark = pytest.mark.navigateur
CONTRAT_2024 = "Contrat de ville « Engagements Quartiers 2030 » (2024-2030)"


def test_it_lets_an_agent_enter_an_action_and_add_it_to_a_draft_tranche(page, demo):
    connexion(page, "agent", "agent-demo-2024")
    page.get_by_role("link", name="Saisir une nouvelle action").click()
    page.get_by_label("Contrat").select_option(label=CONTRAT_2024)
    page.get_by_label("Année").fill("2025")
    page.get_by_label("Intitulé", exact=False).first.fill("Ateliers numériques au Crêt de Roc")
    page.get_by_label("… ou nouveau porteur : nom").fill("Association Les Clés du Numérique")
    page.get_by_label("Nature du nouveau porteur").select_option("association")
    page.get_by_label("SIRET du nouveau porteur").fill("73282932000075")  # wrong key
    page.get_by_label("Coût de l'action").fill("20000")
    page.get_by_label("Contribution de la collectivité").fill("5000")
    page.locator("select[name='cofinancements-0-financeur']").select_option(label="État")
    page.locator("input[name='cofinancements-0-montant_sollicite']").fill("6000")
    page.locator("select[name='cofinancements-1-financeur']").select_option(label="Saint-Etienne Métropole")
    page.locator("input[name='cofinancements-1-montant_accorde']").fill("1500")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("alert")).to_contain_text("Rien n'a été enregistré")
    expect(page.locator("#id_nouveau_porteur_siret_error")).to_contain_text("clé de contrôle incorrecte")
    capture(page, "agent-erreur-siret")
    page.get_by_label("SIRET du nouveau porteur").fill("73282932000074")
    page.get_by_label("Axe", exact=True).select_option(
        label=f"Défi 2 : NOS QUARTIERS EMANCIPENT — {CONTRAT_2024}"
    )
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("heading", name="Ateliers numériques au Crêt de Roc")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("État"))).to_contain_text("6\u202f000\u202f€")
    page.get_by_role("button", name="Passer à « En instruction »").click()
    page.get_by_role("button", name="Passer à « Proposée »").click()
    expect(page.get_by_text("Statut : Proposée.")).to_be_visible()

    page.get_by_role("link", name="Tranches").click()
    page.get_by_label("Contrat").select_option(label=CONTRAT_2024)
    page.get_by_label("Année").fill("2025")
    page.get_by_role("button", name="Créer une tranche en brouillon").click()
    expect(page.locator("#total-contribution")).to_have_text("0\u202f€")
    page.get_by_role("button", name="Ajouter Ateliers numériques au Crêt de Roc").click()
    expect(page.locator("#total-contribution")).to_have_text("5\u202f000\u202f€")
    expect(page.locator("#total-nombre")).to_have_text("1")
    capture(page, "agent-tranche-composee")


def test_it_lets_an_official_filter_the_2024_programmation_but_not_edit(page, demo):
    connexion(page, "elu", "elu-demo-2024")
    page.get_by_role("link", name="Programmation").first.click()
    page.get_by_label("Année").select_option("2024")
    page.get_by_label("Axe").select_option(label="Défi 3 : NOS QUARTIERS REVELENT")
    page.get_by_label("Commune").select_option("Saint-Etienne")
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"annee=2024.*commune=Saint-Etienne"))
    pied = page.locator("tfoot")
    # The five relais emploi of Saint-Etienne's quartiers in 2024 (seed 000): 26 000 + 26 000 + 22 500
    # + 26 300 + 25 800 €.
    expect(pied).to_contain_text("5 actions")
    expect(pied).to_contain_text("126\u202f600\u202f€")
    capture(page, "elu-programmation-filtree")
    page.get_by_role("link", name="Relais emploi Montreynaud").click()
    expect(page.get_by_role("heading", name="Relais emploi Montreynaud")).to_be_visible()
    expect(page.get_by_role("link", name="Modifier")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Passer à"))).to_have_count(0)
