"""Browser tests drive Debian's Chromium with Playwright (no browser download)."""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CAPTURES = Path(__file__).resolve().parent.parent / "captures"
# Playwright's sync API runs an event loop in the test thread; Django's guard would refuse DB access.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def navigateur():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if os.environ.get("CI"):
            pytest.fail(
                f"Chromium est introuvable ({CHROMIUM}) : en CI, les tests navigateur doivent tourner."
            )
        pytest.skip(f"Chromium est introuvable ({CHROMIUM}) : installez le paquet Debian « chromium ».")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(navigateur, live_server):
    contexte = navigateur.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = contexte.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    contexte.close()


@pytest.fixture
def demo(transactional_db):
    """The demo as the first README command leaves it: seeds loaded, roles and accounts created."""
    from django.core.management import call_command

    from ..instantane import charger

    charger("demo", lambda: call_command("demo", "--sans-serveur", verbosity=0))


def capture(page, nom):
    CAPTURES.mkdir(exist_ok=True)
    page.screenshot(path=str(CAPTURES / f"{nom}.png"), full_page=True)


def connexion(page, identifiant, mot_de_passe):
    """Logs in through the login page, as a person would, and waits for the home page."""
    page.goto(page.base_url + "/")
    page.get_by_label("Identifiant").fill(identifiant)
    page.get_by_label("Mot de passe").fill(mot_de_passe)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/programmation/")


@pytest.fixture
def annee_en_cours(demo):
    """A 2025 draft tranche and a submitted one inscribed at a séance: the drafting pages have a subject."""
    import datetime
    from decimal import Decimal

    from contrat_ville.models import Contrat
    from deliberations.models import Deliberation, Instance, Seance
    from programmation.models import Action, Convention, Porteur, Tranche

    contrat = Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)
    porteur = Porteur.objects.filter(collectivite=contrat.collectivite).first()
    axe = contrat.axes.order_by("ordre", "numero").first()
    brouillon = Tranche.objects.create(contrat=contrat, annee=2025, numero=1)
    soumise = Tranche.objects.create(contrat=contrat, annee=2025, numero=2, statut="soumise")
    actions = {}
    for cle, tranche in [("brouillon", brouillon), ("soumise", soumise)]:
        actions[cle] = Action.objects.create(
            contrat=contrat,
            annee=2025,
            tranche=tranche,
            axe=axe,
            intitule=f"Ateliers numériques ({cle})",
            porteur=porteur,
            cout=Decimal("20000"),
            contribution=Decimal("5000"),
            statut="proposee",
        )
    actions["deposee"] = Action.objects.create(
        contrat=contrat,
        annee=2025,
        axe=axe,
        intitule="Jardins partagés du Crêt de Roc",
        porteur=porteur,
        cout=Decimal("8000"),
        contribution=Decimal("2000"),
        statut="deposee",
    )
    instance = Instance.objects.get(collectivite=contrat.collectivite, nom="Bureau Métropolitain")
    seance = Seance.objects.create(
        instance=instance,
        date=datetime.date(2025, 3, 20),
        date_convocation=datetime.date(2025, 3, 12),
        membres_en_exercice=67,
        president=instance.membres.order_by("nom").first(),
    )
    projet = Deliberation.objects.inscrire(seance, "Programmation 2025", tranche=soumise)
    votee = Action.objects.filter(contrat=contrat, annee=2024, statut="votee").order_by("pk").first()
    Convention.objects.creer_pour(votee)
    return {
        "brouillon": brouillon,
        "soumise": soumise,
        "seance": seance,
        "projet": projet,
        "actions": actions,
        "votee": votee,
    }
