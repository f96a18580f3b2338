"""A modificative: the only way to change a voted amount, with its before/after table in the extract."""

import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from deliberations.documents import extrait_pdf
from deliberations.models import Deliberation, Instance
from programmation.models import Action, Modification, Tranche

from ..factories import seance_avec_membres

pytestmark = pytest.mark.django_db


def texte_pdf(contenu):
    texte = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(contenu)).pages)
    return re.sub(r"[\s\u202f\u00a0]+", " ", texte)


@pytest.fixture
def tranche():
    return Tranche.objects.get(contrat__nature="contrat_de_ville", annee=2024, numero=1)


@pytest.fixture
def modificative(sem, tranche):
    seance, _ = seance_avec_membres(membres=4, presents=3, instance=Instance.objects.get(collectivite=sem))
    return Deliberation.objects.inscrire(
        seance,
        "Programmation 2024 - modification de la première tranche",
        nature="modificative",
        tranche_corrigee=tranche,
    )


def _deux_actions(tranche):
    # Typed from the 2024 annex (seed 000): 266898 costs 12 200 € for 3 000 €, 266422 18 500 € for 10 000 €.
    return tranche.actions.get(numero_dauphin="266898"), tranche.actions.get(numero_dauphin="266422")


def test_it_records_old_new_and_difference_in_a_modificative_and_applies_them_when_voted(
    modificative, tranche, agent
):
    hausse, baisse = _deux_actions(tranche)
    avant_hausse = Decimal("3000")
    modificative.corriger(hausse, avant_hausse + 1500)
    modificative.corriger(baisse, Decimal("8000"))
    assert [
        (ligne.montant_avant, ligne.montant_apres, ligne.difference)
        for ligne in modificative.lignes.order_by("pk")
    ] == [
        (avant_hausse, avant_hausse + 1500, Decimal("1500")),
        (Decimal("10000"), Decimal("8000"), Decimal("-2000")),
    ]
    assert modificative.totaux_modificative()["difference"] == Decimal("-500")
    # Not yet voted: the locked amounts have not moved.
    assert Action.objects.get(pk=baisse.pk).contribution == Decimal("10000")

    modificative.voter("unanimite", auteur=agent)

    assert Action.objects.get(pk=hausse.pk).contribution == avant_hausse + 1500
    assert Action.objects.get(pk=baisse.pk).contribution == Decimal("8000")
    historique = Modification.objects.get(action=baisse)
    assert (historique.champ, historique.auteur) == (
        f"contribution (délibération n°{modificative.numero})",
        agent,
    )
    assert historique.avant.replace("\u202f", " ") == "10 000 €"
    assert Tranche.objects.get(pk=tranche.pk).est_verrouillee


def test_it_shows_the_table_of_differences_with_totals_in_the_extract(modificative, tranche):
    hausse, baisse = _deux_actions(tranche)
    modificative.corriger(hausse, Decimal("4500"))
    modificative.corriger(baisse, Decimal("8000"))
    modificative.voter("unanimite")
    texte = texte_pdf(extrait_pdf(modificative))
    assert "Montants modifiés de la tranche" in texte
    assert "3 000 € 4 500 € +1 500 €" in texte
    assert "10 000 € 8 000 € -2 000 €" in texte
    assert "TOTAL 13 000 € 12 500 € -500 €" in texte


def test_it_refuses_a_new_amount_above_the_cost_or_outside_the_tranche(modificative, tranche):
    hausse, _ = _deux_actions(tranche)
    with pytest.raises(ValidationError, match="dépasse le coût"):
        modificative.corriger(hausse, hausse.cout + 1)
    ailleurs = Action.objects.exclude(tranche=tranche).first()
    with pytest.raises(ValidationError, match="n'est pas dans la tranche"):
        modificative.corriger(ailleurs, Decimal("1"))


def test_it_corrects_only_a_voted_tranche_with_a_modificative(sem):
    seance, _ = seance_avec_membres(membres=4, presents=3, instance=Instance.objects.get(collectivite=sem))
    brouillon = Tranche.objects.create(contrat=Tranche.objects.first().contrat, annee=2026, numero=9)
    with pytest.raises(ValidationError, match="corrige une tranche votée"):
        Deliberation.objects.inscrire(
            seance, "Modification", nature="modificative", tranche_corrigee=brouillon
        )


def test_it_lets_an_agent_add_a_line_from_the_page(client, agent, modificative, tranche):
    hausse, _ = _deux_actions(tranche)
    client.force_login(agent)
    page = client.post(
        reverse("deliberations:ligne", args=[modificative.pk]),
        {"action": hausse.pk, "montant_apres": "4500"},
        follow=True,
    ).content.decode()
    assert "nouveau montant noté" in page
    assert modificative.lignes.get().difference == Decimal("1500")
