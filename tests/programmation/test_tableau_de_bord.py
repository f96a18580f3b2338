"""The dashboard: envelope, programmed and voted per axe and financeur, territories, years, statuses."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contrat_ville.models import Contrat

from ..factories import ActionFactory, CollectiviteFactory

pytestmark = pytest.mark.django_db
TDB = reverse("programmation:tableau_de_bord")


def test_it_shows_the_2019_programmation_per_pilier(client, elu):
    client.force_login(elu)
    contrat = Contrat.objects.get(annee_debut=2015)
    reponse = client.get(TDB, {"contrat": contrat.pk, "annee": 2019})
    # Seed 001: 65 500, 120 000, 235 200 and 76 800 €, all voted on 7 March 2019.
    assert [(a["nombre"], a["programme"], a["vote"]) for a in reponse.context["axes"]] == [
        (9, Decimal("65500"), Decimal("65500")),
        (10, Decimal("120000"), Decimal("120000")),
        (17, Decimal("235200"), Decimal("235200")),
        (13, Decimal("76800"), Decimal("76800")),
    ]
    page = reponse.content.decode()
    assert page.count("<svg") == 4 and 'role="img"' in page
    assert "120\u202f000\u202f€" in page


def test_it_compares_the_years_of_the_same_kind_of_contract(client, elu):
    client.force_login(elu)
    contrat = Contrat.objects.get(annee_debut=2024, nature="contrat_de_ville")
    reponse = client.get(TDB, {"contrat": contrat.pk, "annee": 2024})
    # 2019 (contract 2015-2020) and 2024 (contract 2024-2030) are both contrats de ville; the CLS is not.
    assert [(e["annee"], e["montant"]) for e in reponse.context["evolution"]] == [
        (2019, Decimal("497500")),
        (2024, Decimal("383950")),
    ]


def test_it_shows_the_cls_envelopes_by_financeur(client, elu):
    client.force_login(elu)
    cls = Contrat.objects.get(nature="cls")
    financeurs = client.get(TDB, {"contrat": cls.pk, "annee": 2024}).context["financeurs"]
    # Seed 003: a programme of 981 000 € a year, all financeurs together, on its own line; the
    # Métropole has no envelope of its own; the État's is 490 500 € (50 %).
    assert [(f["libelle"], f["enveloppe"]) for f in financeurs] == [
        ("Programme, tous financeurs", Decimal("981000")),
        ("Saint-Etienne Métropole", None),
        ("État", Decimal("490500")),
    ]
    assert financeurs[1]["programme"] == Decimal("94000")


def test_it_ignores_a_bad_parameter(client, elu):
    client.force_login(elu)
    assert client.get(TDB, {"contrat": "x", "annee": "1900"}).status_code == 200


def test_it_runs_a_constant_number_of_queries(client, elu):
    autre = CollectiviteFactory()
    elu.collectivite = autre
    elu.save()
    client.force_login(elu)
    premiere = ActionFactory(tranche__contrat__collectivite=autre, porteur__collectivite=autre, annee=2025)
    lien = f"{TDB}?contrat={premiere.contrat_id}&annee=2025"
    with CaptureQueriesContext(connection) as avant:
        client.get(lien)
    for _ in range(60):
        ActionFactory(tranche=premiere.tranche, porteur__collectivite=autre, axe=premiere.axe)
    with CaptureQueriesContext(connection) as apres:
        assert client.get(lien).context["axes"][0]["nombre"] == 61
    assert len(apres) == len(avant)
