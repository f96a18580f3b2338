"""Phone, tablet and laptop in Chromium: no page scrolls sideways, the menu and the filters fold on phones,
the programmation's rows become cards, and a chart shown on screen has text of at least 12 px."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import capture, connexion
from .test_axe import _pages_de_l_application

pytestmark = pytest.mark.navigateur

ECRANS = {"telephone": (390, 844), "tablette": (820, 1180), "portable": (1366, 768)}
COMPTES = {"elu": "elu-demo-2024", "agent": "agent-demo-2024"}
# (name, list page, pattern of the first link to follow from it for a detail page, or None)
PAGES = [
    ("programmation", "/programmation/", None),
    ("action", "/programmation/", r"/programmation/actions/\d+/$"),
    ("porteur", "/programmation/", r"/programmation/porteurs/\d+/$"),
    ("tableau-de-bord", "/programmation/tableau-de-bord/", None),
    ("tranches", "/programmation/tranches/", None),
    ("tranche", "/programmation/tranches/", r"/programmation/tranches/\d+/$"),
    ("seances", "/deliberations/seances/", None),
    ("seance", "/deliberations/seances/", r"/deliberations/seances/\d+/$"),
    ("deliberations", "/deliberations/", None),
    ("deliberation", "/deliberations/", r"/deliberations/\d+/$"),
    ("bilans", "/programmation/bilans/", None),
    ("conventions", "/programmation/conventions/", None),
    ("journal", "/deliberations/journal/", None),
    ("referentiels", "/referentiels/", None),
    ("accessibilite", "/accessibilite/", None),
]
CAPTURES = {"programmation", "tableau-de-bord", "porteur"}

# What sticks out on the right outside any scrolling box, to say which element makes the page scroll.
DEBORDEMENTS = """() => {
  const largeur = window.innerWidth;
  const fautifs = [];
  for (const e of document.querySelectorAll("body *")) {
    const r = e.getBoundingClientRect();
    let cache = false;
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") { cache = true; break; }
    }
    if (!cache && r.width && r.right > largeur + 0.5) {
      const classes = e.className ? "." + String(e.className).trim().replace(/ +/g, ".") : "";
      fautifs.push(`${e.tagName.toLowerCase()}${classes} (bord droit ${Math.round(r.right)} px)`);
    }
  }
  return fautifs.slice(0, 5);
}"""
# A box that scrolls sideways must take the focus, or a keyboard cannot scroll it (static/js/repli.js).
DEFILANTS_SANS_FOCUS = """() => Array.from(document.querySelectorAll("main *"))
  .filter((e) => /auto|scroll/.test(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1)
  .filter((e) => !e.hasAttribute("tabindex"))
  .map((e) => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""))"""
# A chart's text is drawn in its viewBox's units: on screen it is that size times the scale of the SVG.
TEXTE_DES_GRAPHIQUES = """() => Array.from(document.querySelectorAll("svg.graphique"))
  .filter((svg) => svg.getBoundingClientRect().width > 0)
  .map((svg) => {
    const echelle = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const taille = parseFloat(getComputedStyle(svg.querySelector("text")).fontSize);
    return taille * echelle;
  })"""


def adresses(page):
    """The pages' addresses, a detail page being the first one its list links to (the role's own data)."""
    resultat = {}
    for nom, liste, motif in PAGES:
        if motif is None:
            resultat[nom] = page.base_url + liste
            continue
        page.goto(page.base_url + liste)
        liens = page.eval_on_selector_all("main a[href]", "liens => liens.map(a => a.getAttribute('href'))")
        lien = next((h for h in liens if re.search(motif, h.split("?")[0])), None)
        assert lien, f"{nom} : aucun lien {motif} sur {liste}"
        resultat[nom] = page.base_url + lien
    return resultat


@pytest.mark.parametrize("role", list(COMPTES))
def test_it_scrolls_no_page_sideways_on_a_phone_a_tablet_or_a_laptop(page, demo, role):
    connexion(page, role, COMPTES[role])
    pages = adresses(page)
    fautes = []
    defilants_vus = 0
    for ecran, (largeur, hauteur) in ECRANS.items():
        page.set_viewport_size({"width": largeur, "height": hauteur})
        for nom, adresse in pages.items():
            page.goto(adresse)
            # Hiding the overflow would only hide the symptom, and the content cut off with it.
            assert page.evaluate("getComputedStyle(document.body).overflowX") == "visible"
            assert page.evaluate("getComputedStyle(document.documentElement).overflowX") == "visible"
            defile, fenetre = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if defile > fenetre:
                fautes.append(
                    f"{ecran} {largeur}×{hauteur}, {nom} ({adresse}) : la page fait {defile} px "
                    f"pour {fenetre} px ; dépassent : {', '.join(page.evaluate(DEBORDEMENTS))}"
                )
            defilants_vus += page.locator("main [data-defilant]").count()
            for defilant in page.evaluate(DEFILANTS_SANS_FOCUS):
                fautes.append(f"{ecran}, {nom} : {defilant} défile de côté sans pouvoir prendre le focus")
            tailles = page.evaluate(TEXTE_DES_GRAPHIQUES)
            if ecran == "portable" and nom == "tableau-de-bord" and not tailles:
                fautes.append(f"{ecran}, {nom} : aucun graphique n'est affiché")
            for taille in tailles:
                if taille < 12:
                    fautes.append(f"{ecran}, {nom} : un graphique affiche du texte de {taille:.1f} px")
            if role == "agent" and ecran != "tablette" and nom in CAPTURES:
                capture(page, f"ecran-{ecran}-{nom}")
    assert not fautes, "\n".join(fautes)
    # The check above did meet tables scrolling inside themselves (on a phone, at least).
    assert defilants_vus


def test_it_folds_the_main_menu_on_a_phone_and_keeps_it_open_on_a_laptop(page, demo):
    page.set_viewport_size({"width": 390, "height": 844})
    connexion(page, "elu", "elu-demo-2024")
    navigation = page.get_by_role("navigation", name="Navigation principale")
    lien = navigation.get_by_role("link", name="Tableau de bord")
    menu = navigation.locator("summary", has_text="Menu")
    expect(menu).to_be_visible()
    expect(lien).to_be_hidden()
    # The header is one line: the results come right after it.
    assert page.locator("header.site").bounding_box()["height"] < 80
    menu.click()
    expect(lien).to_be_visible()
    capture(page, "ecran-telephone-menu-ouvert")
    lien.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tableau de bord")
    expect(lien).to_be_hidden()

    page.set_viewport_size({"width": 1366, "height": 768})
    page.reload()
    expect(lien).to_be_visible()
    expect(navigation.get_by_role("button", name=re.compile("Se déconnecter"))).to_be_visible()
    expect(menu).to_be_hidden()


def test_it_folds_the_filters_and_turns_the_rows_into_cards_on_a_phone(page, demo):
    page.set_viewport_size({"width": 390, "height": 844})
    connexion(page, "agent", "agent-demo-2024")
    filtres = page.locator("main details.repliable")
    expect(filtres).to_have_count(1)
    expect(filtres).not_to_have_attribute("open", re.compile(".*"))
    expect(page.get_by_label("Commune")).to_be_hidden()
    filtres.locator("summary").click()
    expect(page.get_by_label("Commune")).to_be_visible()

    tableau = page.locator("table.programmation.cartes")
    ligne = tableau.locator("tbody tr").first
    assert ligne.evaluate("tr => getComputedStyle(tr).display") == "block"
    # The headers stay for screen readers, out of sight.
    assert tableau.locator("thead").bounding_box()["height"] <= 1
    expect(tableau.get_by_role("columnheader", name=re.compile("Contribution"))).to_have_count(1)
    cellule = ligne.locator("td[data-label^='Contribution']")
    etiquette = cellule.evaluate("td => getComputedStyle(td, '::before').content")
    assert "Contribution" in etiquette
    assert ligne.bounding_box()["width"] <= 390
    capture(page, "ecran-telephone-programmation-filtres-ouverts")

    page.set_viewport_size({"width": 1366, "height": 768})
    page.reload()
    expect(filtres).to_have_attribute("open", "")
    expect(page.get_by_label("Commune")).to_be_visible()
    assert tableau.locator("tbody tr").first.evaluate("tr => getComputedStyle(tr).display") == "table-row"


def test_it_scrolls_no_page_of_the_referent_sideways_on_a_phone(page, annee_en_cours):
    """Every page the accessibility audit visits (the référent sees the most), on a 390 px phone."""
    connexion(page, "referent", "referent-demo-2024")
    page.set_viewport_size({"width": 390, "height": 844})
    fautes, vues = [], 0
    for nom, adresse in _pages_de_l_application(annee_en_cours):
        reponse = page.goto(page.base_url + adresse)
        if not reponse or reponse.status >= 400 or "text/html" not in reponse.headers.get("content-type", ""):
            continue
        vues += 1
        defile, fenetre = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if defile > fenetre:
            fautes.append(f"{nom} ({adresse}) : {defile} px pour {fenetre} ; {page.evaluate(DEBORDEMENTS)}")
    assert vues >= 60 and not fautes, "\n".join(fautes)
