"""In Chromium: an agent drafts a délibération from the contract's model, then saves it."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from contrat_ville.models import Contrat
from deliberations.models import Deliberation, Instance, Seance
from programmation.models import Action, Porteur, Tranche

from .conftest import capture, connexion

pytestmark = pytest.mark.navigateur


@pytest.fixture
def deliberation(demo):
    contrat = Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)
    tranche = Tranche.objects.create(contrat=contrat, annee=2025, numero=1, statut="soumise")
    Action.objects.create(
        contrat=contrat,
        annee=2025,
        tranche=tranche,
        axe=contrat.axes.order_by("ordre", "numero").first(),
        intitule="Ateliers numériques au Crêt de Roc",
        porteur=Porteur.objects.filter(collectivite=contrat.collectivite).first(),
        cout=Decimal("20000"),
        contribution=Decimal("5000"),
        statut="proposee",
    )
    instance = Instance.objects.get(collectivite=contrat.collectivite, nom="Bureau Métropolitain")
    seance = Seance.objects.create(
        instance=instance,
        date=datetime.date(2025, 3, 20),
        date_convocation=datetime.date(2025, 3, 12),
        membres_en_exercice=67,
        president=instance.membres.order_by("nom").first(),
    )
    return Deliberation.objects.inscrire(seance, "Programmation 2025", tranche=tranche)


def test_it_lets_an_agent_draft_the_text_from_the_model_and_save_it(page, deliberation):
    connexion(page, "agent", "agent-demo-2024")
    page.goto(f"{page.base_url}/deliberations/{deliberation.pk}/")
    expect(page.get_by_role("link", name=re.compile("Aperçu de l'extrait"))).to_be_visible()
    page.get_by_role("link", name="Rédiger le texte").click()
    expect(page.get_by_label("Signataire", exact=True)).not_to_have_value("")
    page.get_by_label(re.compile("^Objet")).fill("")
    page.get_by_role("button", name="Préremplir depuis le modèle").click()
    expect(page.get_by_label(re.compile("^Objet"))).to_have_value(
        re.compile(r"programmation 2025, tranche 1$")
    )
    expect(page.get_by_label("Décisions", exact=True)).to_have_value(re.compile(r"montant global de 5\s000"))
    expect(page.get_by_text("Ces champs déjà rédigés ont été gardés")).to_have_count(0)
    capture(page, "deliberation-rediger-prerempli")
    page.get_by_role("button", name="Enregistrer le texte").click()
    expect(page.get_by_text("Texte enregistré.")).to_be_visible()
    deliberation.refresh_from_db()
    assert deliberation.objet.endswith("programmation 2025, tranche 1")
    assert deliberation.signataire_id == deliberation.seance.president_id
