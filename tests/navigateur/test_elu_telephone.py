"""An élu on a 390 px phone: from the first screen to a porteur's total over all years, in few gestures."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from .conftest import capture, connexion

pytestmark = pytest.mark.navigateur


@pytest.fixture
def telephone(navigateur, live_server):
    contexte = navigateur.new_context(
        locale="fr-FR", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = contexte.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    contexte.close()


@pytest.fixture
def regie(demo):
    """A porteur of the Métropole funded under two contracts, with a refusal that must not count."""
    from contrat_ville.models import Axe, Collectivite, Contrat
    from tests.factories import ActionFactory, PorteurFactory, TrancheFactory

    sem = Collectivite.objects.get(siren="244200770")
    porteur = PorteurFactory(collectivite=sem, nom="Régie de quartier Montreynaud")
    contrats = Contrat.objects.filter(collectivite=sem).order_by("annee_debut")
    tranches = {}
    for contrat, annee, contribution, statut in [
        (contrats.first(), 2019, "3500.50", "soldee"),
        (contrats.last(), 2024, "7000", "votee"),
        (contrats.last(), 2024, "2000", "refusee"),
    ]:
        ActionFactory(
            tranche=tranches.get(annee)
            or tranches.setdefault(annee, TrancheFactory(contrat=contrat, annee=annee, numero=90)),
            porteur=porteur,
            axe=Axe.objects.filter(contrat=contrat).first(),
            contribution=Decimal(contribution),
            statut=statut,
        )
    return porteur


def test_it_lets_an_elu_on_a_phone_find_a_porteurs_total_over_all_years_in_three_gestures(telephone, regie):
    page = telephone
    connexion(page, "elu", "elu-demo-2024")
    # The first screen: one year of the current contract, the search in view, the other filters folded.
    expect(page.get_by_label("Année")).to_be_hidden()
    gestes = 0
    page.get_by_label("Recherche").fill("montreynaud")
    gestes += 1
    page.get_by_label("Recherche").press("Enter")
    gestes += 1
    porteurs = page.get_by_role("region", name="Porteurs dont le nom correspond")
    expect(porteurs).to_contain_text(
        "Régie de quartier Montreynaud : 10\u202f500,50\u202f€ accordés, de 2019 à 2024"
    )
    capture(page, "telephone-recherche-porteur")
    porteurs.get_by_role("link", name="Régie de quartier Montreynaud").click()
    gestes += 1
    expect(page.locator("#total-accorde")).to_have_text("10\u202f500,50\u202f€")
    capture(page, "telephone-porteur")
    assert gestes <= 3
    largeurs = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert largeurs[0] <= largeurs[1], f"la page défile de côté : {largeurs}"
