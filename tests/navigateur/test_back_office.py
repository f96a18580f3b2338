"""The administrator finds the 2024 programmation with its 49 actions in the back-office; agents and
officials work in the application's pages and are kept out of it."""

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


def test_it_shows_the_2024_first_tranche_to_the_demo_administrator(page, demo):
    connexion(page, "admin", "admin-demo-2024")
    page.get_by_role("link", name="Back-office").click()
    page.get_by_role("link", name="Tranches").first.click()
    ligne = page.get_by_role("row").filter(has_text="2024 T1")
    assert "2\u202f696\u202f021\u202f€" in ligne.inner_text()
    assert "383\u202f950\u202f€" in ligne.inner_text()
    ligne.get_by_role("link").first.click()
    page.wait_for_load_state()
    capture(page, "tranche-2024-T1")
    expect(page.locator("#actions-group tr.has_original")).to_have_count(49)
    totaux = page.locator(".field-totaux_calcules").inner_text()
    assert re.search(r"TOTAL\s+49\s+2\u202f696\u202f021\u202f€\s+383\u202f950\u202f€", totaux)


def test_it_keeps_the_elected_official_out_of_the_back_office(page, demo):
    connexion(page, "elu", "elu-demo-2024")
    expect(page.get_by_role("link", name="Back-office")).to_have_count(0)
    page.goto(page.base_url + "/admin/programmation/action/?annee=2024&axe__id__exact=7")
    capture(page, "elu-hors-du-back-office")
    assert "/admin/login/" in page.url


@pytest.mark.parametrize("liste", ["action", "cofinancement"])
def test_it_shows_the_amounts_and_their_totals_whole_at_1366_pixels(page, demo, liste):
    page.set_viewport_size({"width": 1366, "height": 768})
    connexion(page, "admin", "admin-demo-2024")
    page.goto(page.base_url + f"/admin/programmation/{liste}/")
    expect(page.locator(".totaux-liste")).to_be_visible()
    capture(page, f"back-office-{liste}s-1366")
    mesures = page.evaluate(
        """() => {
            const table = document.querySelector('#result_list');
            const cadre = table.closest('.results');
            const montants = [...table.querySelectorAll('td[class*="_euros"], th[class*="_euros"]')];
            const largeur = document.documentElement.clientWidth;
            return {
                table: table.scrollWidth,
                cadre: cadre.clientWidth,
                fenetre: largeur,
                page: document.documentElement.scrollWidth,
                montants: montants.length,
                coupes: montants.filter(m => m.getBoundingClientRect().right > largeur
                    || m.scrollWidth > m.clientWidth).map(m => m.innerText),
            };
        }"""
    )
    assert mesures["montants"] > 0, mesures
    assert mesures["table"] <= mesures["cadre"], mesures
    assert mesures["page"] <= mesures["fenetre"], mesures
    assert mesures["coupes"] == [], mesures
