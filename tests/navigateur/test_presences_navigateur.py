"""In Chromium: a 68-member séance's attendance by exception, under 20 user actions; a refused save puts
the focus on the error summary."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from contrat_ville.models import Collectivite
from deliberations.models import Elu, Instance, Seance

from .conftest import capture, connexion

pytestmark = pytest.mark.navigateur


@pytest.fixture
def seance68(demo):
    sem = Collectivite.objects.get(nom="Saint-Etienne Métropole")
    instance = Instance.objects.create(collectivite=sem, nom="Conseil de test", nature="bureau")
    elus = [
        Elu.objects.create(collectivite=sem, civilite="M.", prenom="Élu", nom=f"MEMBRE{i:02d}")
        for i in range(68)
    ]
    instance.membres.set(elus)
    return Seance.objects.create(
        instance=instance,
        date=datetime.date(2025, 3, 20),
        date_convocation=datetime.date(2025, 3, 12),
        membres_en_exercice=68,
        president=elus[0],
        secretaire=elus[1],
    )


class Actions:
    """What the user does: a click or a key is one action, picking in a drop-down two (open, choose)."""

    def __init__(self, page):
        self.page, self.nombre = page, 0

    def cliquer(self, cible):
        cible.click()
        self.nombre += 1

    def choisir(self, cible, **option):
        cible.select_option(**option)
        self.nombre += 2


def _membre(page, numero):
    # The président's and the secrétaire's labels add their role.
    return page.get_by_label(re.compile(rf"^M\. Élu MEMBRE{numero:02d}( \(|$)"))


def _mandataire(page, numero):
    return page.get_by_label(f"Mandataire de M. Élu MEMBRE{numero:02d}", exact=True)


def test_it_takes_a_68_member_attendance_in_under_20_actions_and_gives_errors_the_focus(page, seance68):
    connexion(page, "agent", "agent-demo-2024")
    page.goto(f"{page.base_url}/deliberations/seances/{seance68.pk}/")
    actions = Actions(page)

    actions.cliquer(page.get_by_role("button", name="Tous présents"))
    expect(page.get_by_text("Tous les membres sont présents.")).to_be_visible()
    for numero in (10, 11, 12):
        actions.choisir(_membre(page, numero), value="excuse")
    # The mandataire's list offers only members marked present.
    actions.choisir(_membre(page, 13), value="pouvoir")
    mandataire = _mandataire(page, 13)
    expect(mandataire).to_be_enabled()
    absent = Elu.objects.get(nom="MEMBRE10").pk
    expect(mandataire.locator(f"option[value='{absent}']")).to_be_disabled()
    actions.choisir(mandataire, label="M. Élu MEMBRE20")
    actions.choisir(_membre(page, 14), value="pouvoir")
    actions.choisir(_mandataire(page, 14), label="M. Élu MEMBRE21")
    actions.cliquer(page.get_by_role("button", name="Enregistrer la liste de présence"))

    expect(page.get_by_text("Liste de présence enregistrée.")).to_be_visible()
    expect(page.locator("#quorum")).to_contain_text("63 présents, il en faut au moins 35")
    assert actions.nombre == 1 + 3 * 2 + 2 * (2 + 2) + 1 == 16
    d = seance68.decompte()
    assert (d.presents, d.pouvoirs, d.excuses) == (63, 2, 3)
    capture(page, "presences-68-membres")

    # The secrétaire marked absent: refused, the summary at the top of the form takes the focus.
    _membre(page, 1).select_option("excuse")
    page.get_by_role("button", name="Enregistrer la liste de présence").click()
    resume = page.locator("#erreurs-presences")
    expect(resume).to_be_focused()
    expect(resume).to_be_in_viewport()
    expect(resume).to_contain_text("1 erreur : rien n'a été enregistré")
    expect(page.locator("#ligne-" + str(seance68.secretaire_id))).to_contain_text("Erreur")
    capture(page, "presences-erreur-secretaire")
    resume.get_by_role("link").click()
    expect(_membre(page, 1)).to_be_focused()
    assert seance68.decompte().presents == 63
