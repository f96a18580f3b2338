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

    call_command("demo", "--sans-serveur", verbosity=0)


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
