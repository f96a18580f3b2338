"""The dashboard's envelopes per financeur: the programme's envelope (no financeur) on its own line, the
authority's own envelope on its row, a section's envelope on a line of its own, « — » only where none."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from contrat_ville.models import Contrat, Enveloppe, Financeur

from ..factories import ActionFactory, ContratFactory, TrancheFactory

pytestmark = pytest.mark.django_db
TDB = reverse("programmation:tableau_de_bord")


@pytest.fixture
def officiel(client, elu):
    client.force_login(elu)
    return client


def lignes_du_tableau(page, titre):
    """The rows (header cell, other cells) of the table that follows the heading `titre`."""
    tableau = page.split(f"<h2>{titre}</h2>", 1)[1].split("</table>", 1)[0]
    corps = tableau.split("<tbody>", 1)[1]
    return [
        [re.sub(r"<[^>]+>", "", cellule) for cellule in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", ligne)]
        for ligne in re.findall(r"<tr>(.*?)</tr>", corps)
    ]


def legende(page, titre):
    """The legend of the chart labelled `titre`: the texts after its last bar's group."""
    svg = page.split(f'aria-label="{titre} (les', 1)[1].split("</svg>", 1)[0]
    return re.findall(
        r'<rect x="\d+" y="\d+" width="12" height="12"[^>]*></rect><text[^>]*>([^<]*)</text>', svg
    )


def test_it_shows_the_cls_programme_envelope_on_its_own_line(officiel):
    cls = Contrat.objects.get(nature="cls")
    reponse = officiel.get(TDB, {"contrat": cls.pk, "annee": 2024})
    # Seed 003: « 490 500 € annuels (50 % du programme) pour un budget prévisionnel de 981 000 € »;
    # the one action of 2024 T3 (AESIO Santé, médiation santé): 94 000 € granted by the Métropole.
    assert [(f["libelle"], f["enveloppe"], f["programme"]) for f in reponse.context["financeurs"]] == [
        ("Programme, tous financeurs", Decimal("981000"), Decimal("94000")),
        ("Saint-Etienne Métropole", None, Decimal("94000")),
        ("État", Decimal("490500"), Decimal("0")),
    ]
    page = reponse.content.decode()
    assert lignes_du_tableau(page, "Par financeur") == [
        ["Programme, tous financeurs", "981\u202f000\u202f€", "94\u202f000\u202f€", "94\u202f000\u202f€"],
        ["Saint-Etienne Métropole", "—", "94\u202f000\u202f€", "94\u202f000\u202f€"],
        ["État", "490\u202f500\u202f€", "0\u202f€", "0\u202f€"],
    ]
    assert legende(page, "Montants par financeur") == ["Enveloppe", "Programmé", "Voté"]
    # No axe of the CLS has an envelope: its chart's legend names none.
    assert legende(page, "Montants par axe") == ["Programmé", "Voté"]


def test_it_puts_the_authority_s_own_envelope_on_its_row(officiel, sem):
    contrat = ContratFactory(collectivite=sem, intitule="Contrat 2025", annee_debut=2025, annee_fin=2027)
    tranche = TrancheFactory(contrat=contrat, annee=2025)
    ActionFactory(tranche=tranche, porteur__collectivite=sem, contribution=Decimal("4000"))
    metropole = Financeur.objects.get(collectivite=sem, nature="collectivite")
    Enveloppe.objects.create(contrat=contrat, annee=2025, financeur=metropole, montant=Decimal("10000"))
    reponse = officiel.get(TDB, {"contrat": contrat.pk, "annee": 2025})
    assert [(f["libelle"], f["enveloppe"], f["programme"]) for f in reponse.context["financeurs"]] == [
        ("Saint-Etienne Métropole", Decimal("10000"), Decimal("4000")),
    ]
    page = reponse.content.decode()
    assert lignes_du_tableau(page, "Par financeur")[0][:3] == [
        "Saint-Etienne Métropole",
        "10\u202f000\u202f€",
        "4\u202f000\u202f€",
    ]


def test_it_shows_a_section_s_envelope_on_a_line_of_its_own(officiel, sem):
    contrat = ContratFactory(collectivite=sem, intitule="Contrat 2025", annee_debut=2025, annee_fin=2027)
    tranche = TrancheFactory(contrat=contrat, annee=2025)
    ActionFactory(tranche=tranche, porteur__collectivite=sem, contribution=Decimal("4000"))
    ActionFactory(
        tranche=tranche, porteur__collectivite=sem, contribution=Decimal("6000"), section="investissement"
    )
    metropole = Financeur.objects.get(collectivite=sem, nature="collectivite")
    Enveloppe.objects.create(contrat=contrat, annee=2025, financeur=metropole, montant=Decimal("12000"))
    Enveloppe.objects.create(
        contrat=contrat, annee=2025, financeur=metropole, section="investissement", montant=Decimal("7000")
    )
    financeurs = officiel.get(TDB, {"contrat": contrat.pk, "annee": 2025}).context["financeurs"]
    # 4 000 + 6 000 € in all, of which 6 000 € of investissement against its 7 000 € envelope.
    assert [(f["libelle"], f["enveloppe"], f["programme"]) for f in financeurs] == [
        ("Saint-Etienne Métropole", Decimal("12000"), Decimal("10000")),
        ("Saint-Etienne Métropole — investissement", Decimal("7000"), Decimal("6000")),
    ]


def test_it_draws_no_envelope_when_none_exists(officiel, sem):
    contrat = ContratFactory(collectivite=sem, intitule="Contrat 2025", annee_debut=2025, annee_fin=2027)
    ActionFactory(tranche=TrancheFactory(contrat=contrat, annee=2025), porteur__collectivite=sem)
    page = officiel.get(TDB, {"contrat": contrat.pk, "annee": 2025}).content.decode()
    assert legende(page, "Montants par financeur") == ["Programmé", "Voté"]
    assert lignes_du_tableau(page, "Par financeur")[0][:2] == ["Saint-Etienne Métropole", "—"]
