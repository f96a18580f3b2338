"""A newcomer logs in to the back-office and finds the 2024 programmation with its 49 actions."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import capture, connexion

pytestmark = pytest.mark.navigateur


def test_it_sends_an_anonymous_visitor_to_the_login_page(page):
    page.goto(page.base_url + "/programmation/tableau-de-bord/")
    expect(page).to_have_url(re.compile(r"/connexion/\?next=/programmation/tableau-de-bord/"))
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
    page.goto(page.base_url + "/admin/programmation/action/")
    assert "/admin/login/" in page.url
    expect(page.get_by_role("button", name="Connexion")).to_be_visible()


def test_it_shows_the_2024_first_tranche_to_the_demo_agent(page, demo):
    connexion(page, "agent", "agent-demo-2024")
    page.get_by_role("link", name="Back-office").click()
    page.get_by_role("link", name="Tranches").first.click()
    ligne = page.get_by_role("row").filter(has_text="2024 T1")
    assert "2\u202f696\u202f021\u202f€" in ligne.inner_text()
    assert "383\u202f950\u202f€" in ligne.inner_text()
    ligne.get_by_role("link").first.click()
    page.wait_for_load_state()
    capture(page, "tranche-2024-T1")
    expect(page.locator("#actions-group tr.has_original")).to_have_count(49)
    totaux = page.locator(".field-totaux").inner_text()
    assert re.search(r"TOTAL\s+49\s+2\u202f696\u202f021\u202f€\s+383\u202f950\u202f€", totaux)


def test_it_lets_the_elected_official_read_without_editing(page, demo):
    connexion(page, "elu", "elu-demo-2024")
    page.goto(page.base_url + "/admin/programmation/action/?annee=2024&axe__id__exact=7")
    capture(page, "elu-actions-reveler")
    expect(page.get_by_text("31 actions")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Ajouter"))).to_have_count(0)
