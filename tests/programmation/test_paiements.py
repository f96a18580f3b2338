"""Payments: never more than granted; paid, due and late per action and per porteur (figures by SQL)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programmation.models import Action, Convention, Paiement, annoter_versements, totaux_versements

from ..factories import ActionFactory

pytestmark = pytest.mark.django_db


def agasef_2024():
    return Action.objects.get(annee=2024, porteur__nom="AGASEF", contribution=Decimal("23500"))


def payer(action, montant, date="2024-07-01", nature="avance"):
    return Paiement.objects.enregistrer(
        action, nature=nature, date=datetime.date.fromisoformat(date), montant=Decimal(montant)
    )


def chiffres(action, jour):
    ligne = annoter_versements(Action.objects.filter(pk=action.pk), datetime.date.fromisoformat(jour)).get()
    return ligne.montant_verse, ligne.montant_echu, ligne.montant_en_retard, ligne.montant_reste


def test_it_refuses_to_pay_more_than_the_23500_euros_granted_to_agasef():
    action = agasef_2024()
    payer(action, "11750")
    payer(action, "11000", "2025-07-10", "acompte")
    with pytest.raises(ValidationError) as erreur:
        payer(action, "750.01", "2025-07-11", "solde")
    assert erreur.value.messages == [
        "Versement refusé : 750,01\u202f€ porteraient les versements à 23\u202f500,01\u202f€, "
        "au-delà des 23\u202f500\u202f€ accordés (déjà versé : 22\u202f750\u202f€ ; "
        "reste à verser : 750\u202f€)."
    ]
    payer(action, "750", "2025-07-11", "solde")
    assert sum(p.montant for p in action.paiements.all()) == Decimal("23500")


def test_it_gives_the_agent_the_refusal_in_french_and_saves_nothing(client, agent):
    client.force_login(agent)
    action = agasef_2024()
    url = reverse("programmation:paiement_creer", args=[action.pk])
    reponse = client.post(url, {"nature": "avance", "date": "2024-07-01", "montant": "23500.01"}, follow=True)
    assert "Versement refusé" in reponse.content.decode()
    assert not action.paiements.exists()
    for mauvais in [{"montant": "-5"}, {"montant": "abc"}, {"date": "31/02/2024"}, {"nature": "don"}, {}]:
        donnees = {"nature": "avance", "date": "2024-07-01", "montant": "100", **mauvais}
        if not mauvais:
            donnees = {}
        reponse = client.post(url, donnees, follow=True)
        assert reponse.status_code == 200 and "Versement non enregistré" in reponse.content.decode()
    assert not action.paiements.exists()
    reponse = client.post(url, {"nature": "avance", "date": "2024-07-01", "montant": "11750"}, follow=True)
    assert "Versement enregistré" in reponse.content.decode()
    assert action.paiements.get().montant == Decimal("11750")


def test_it_refuses_a_payment_on_an_action_not_voted_or_in_the_future():
    with pytest.raises(ValidationError, match="seule une action votée ou conventionnée"):
        payer(ActionFactory(statut="proposee"), "100")
    with pytest.raises(ValidationError, match="sa date ne peut pas être future"):
        payer(agasef_2024(), "100", "2999-01-01")


def test_it_counts_nothing_due_before_signature_then_the_advance_then_the_balance():
    action = agasef_2024()
    convention = Convention.objects.creer_pour(action)
    # Not signed: nothing due.
    assert chiffres(action, "2025-12-31") == (0, 0, 0, Decimal("23500"))
    convention.signer(datetime.date(2024, 6, 20), None)
    # Signed: the 50 % advance is due at once.
    assert chiffres(action, "2024-06-20") == (0, Decimal("11750"), Decimal("11750"), Decimal("23500"))
    payer(action, "11750", "2024-07-01")
    assert chiffres(action, "2025-06-30") == (Decimal("11750"), Decimal("11750"), 0, Decimal("11750"))
    # The compte rendu financier of 2024 was due on 30 June 2025: the balance is late from 1 July.
    assert chiffres(action, "2025-07-01") == (
        Decimal("11750"),
        Decimal("23500"),
        Decimal("11750"),
        Decimal("11750"),
    )


def test_it_schedules_the_cls_convention_year_by_year():
    action = Action.objects.get(contrat__nature="cls", annee=2024, contribution=Decimal("94000"))
    Convention.objects.creer_pour(action).signer(datetime.date(2024, 9, 2), None)
    # 23 500 € a year: 2024 advance at signature, 2025 advance on 1 January 2025,
    # 2024 balance after 30 June 2025.
    assert chiffres(action, "2024-12-31")[1] == Decimal("11750")
    assert chiffres(action, "2025-01-01")[1] == Decimal("23500")
    assert chiffres(action, "2025-07-01")[1] == Decimal("35250")
    assert chiffres(action, "2028-07-01")[1] == Decimal("94000")


def test_it_sums_a_porteur_s_figures_and_shows_them_on_its_page(client, agent, time_machine):
    action = agasef_2024()
    Convention.objects.creer_pour(action).signer(datetime.date(2024, 6, 20), None)
    payer(action, "10000", "2024-07-01")
    totaux = totaux_versements(
        Action.objects.filter(porteur=action.porteur, annee=2024, statut="conventionnee"),
        datetime.date(2024, 12, 31),
    )
    assert totaux == {
        "accorde": Decimal("23500"),
        "verse": Decimal("10000"),
        "echu": Decimal("11750"),
        "reste_a_verser": Decimal("13500"),
        "en_retard": Decimal("1750"),
    }
    time_machine.move_to(datetime.datetime(2025, 9, 1, 10, tzinfo=datetime.UTC), tick=False)
    client.force_login(agent)
    page = client.get(reverse("programmation:porteur", args=[action.porteur_id])).content.decode()
    # On 1 September 2025 (after 30 June 2025) the 2024 balance is due as well: 23 500 € due, 10 000 € paid.
    assert "Conventions et versements" in page
    assert '<span class="etiquette avertissement">13\u202f500\u202f€</span>' in page
    page = client.get(reverse("programmation:action", args=[action.pk])).content.decode()
    assert "Convention signée le 20 juin 2024" in page
    assert '<td class="montant">10\u202f000\u202f€</td>' in page
    assert '<span class="etiquette avertissement">13\u202f500\u202f€</span>' in page


def test_it_makes_the_same_queries_for_the_action_page_with_few_or_many_payments(
    client, agent, django_assert_num_queries
):
    action = agasef_2024()
    Convention.objects.creer_pour(action).signer(datetime.date(2024, 6, 20), None)
    client.force_login(agent)
    url = reverse("programmation:action", args=[action.pk])
    payer(action, "100")
    client.get(url)
    peu = len(connection_queries(client, url))
    for _ in range(15):
        payer(action, "100")
    with django_assert_num_queries(peu):
        page = client.get(url)
    assert page.content.decode().count("<td>Avance</td>") == 16


def connection_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as requetes:
        client.get(url)
    return requetes.captured_queries


def test_it_warns_on_the_action_page_when_the_yearly_amounts_no_longer_match_the_grant(client, agent):
    action = agasef_2024()
    convention = Convention.objects.creer_pour(action)
    client.force_login(agent)
    url = reverse("programmation:action", args=[action.pk])
    assert "diffèrent de la subvention votée" not in client.get(url).content.decode()
    convention.echeances.update(montant=Decimal("20000"))
    assert "diffèrent de la subvention votée (23\u202f500\u202f€)" in client.get(url).content.decode()
