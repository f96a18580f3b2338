"""Two agents paying the same action at once: the row lock lets only what was granted through."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from programmation.models import Paiement

from ..factories import ActionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="verrous de ligne : PostgreSQL"),
]


def test_it_does_not_let_two_simultaneous_payments_both_pass_the_grant():
    action = ActionFactory(statut="votee", cout=Decimal("50000"), contribution=Decimal("23500"))
    depart = threading.Barrier(2)
    resultats = []

    def payer():
        depart.wait()
        try:
            Paiement.objects.enregistrer(
                action, nature="avance", date=datetime.date(2025, 7, 1), montant=Decimal("15000")
            )
            resultats.append("ok")
        except ValidationError as erreur:
            resultats.append(erreur.messages[0])
        finally:
            connection.close()

    fils = [threading.Thread(target=payer) for _ in range(2)]
    for f in fils:
        f.start()
    for f in fils:
        f.join()
    assert sorted(resultats, key=len) == [
        "ok",
        "Versement refusé : 15\u202f000\u202f€ porteraient les versements à 30\u202f000\u202f€, "
        "au-delà des 23\u202f500\u202f€ accordés (déjà versé : 15\u202f000\u202f€ ; "
        "reste à verser : 8\u202f500\u202f€).",
    ]
    assert action.paiements.count() == 1
