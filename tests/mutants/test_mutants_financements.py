"""How a financeur, a dispositif and an envelope are named in lists and messages (issue 20: mutants of
contrat_ville/models/financements.py)."""

from decimal import Decimal

import pytest

from contrat_ville.models import Dispositif, Enveloppe

from ..factories import AxeFactory, ContratFactory, FinanceurFactory

pytestmark = pytest.mark.django_db


def test_it_names_a_financeur_and_a_dispositif_by_their_own_name():
    financeur = FinanceurFactory(nom="État — ANCT")
    assert str(financeur) == "État — ANCT"
    assert (
        str(Dispositif(collectivite=financeur.collectivite, intitule="Cité de l'emploi"))
        == "Cité de l'emploi"
    )


def test_it_names_an_envelope_of_the_whole_contract_by_the_contract_and_the_year():
    contrat = ContratFactory(intitule="Contrat de ville Engagements Quartiers 2030")
    enveloppe = Enveloppe(contrat=contrat, annee=2025, montant=Decimal("100000.00"))
    assert str(enveloppe) == "Contrat de ville Engagements Quartiers 2030 2025"


def test_it_names_an_envelope_by_its_axe_section_and_financeur_in_that_order():
    contrat = ContratFactory(intitule="Contrat de ville", libelle_niveau="Défi")
    axe = AxeFactory(contrat=contrat, numero=2, intitule="Emploi")
    financeur = FinanceurFactory(collectivite=contrat.collectivite, nom="Région")
    enveloppe = Enveloppe(
        contrat=contrat,
        annee=2025,
        axe=axe,
        section="investissement",
        financeur=financeur,
        montant=Decimal(1),
    )
    assert str(enveloppe) == "Contrat de ville 2025 — Défi 2 : Emploi · Investissement · Région"
    enveloppe.axe = None
    assert str(enveloppe) == "Contrat de ville 2025 — Investissement · Région"
