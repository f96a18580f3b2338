"""The per-process copy of the demo (tests/instantane.py): written back as it was loaded, keys included."""

import pytest
from django.core.management import call_command
from django.db import connection

from contrat_ville.models import Collectivite, User
from programmation.models import Action, Porteur

from ..instantane import _superutilisateur, charger


def _etat():
    return (
        Action.objects.count(),
        sorted(Action.objects.values_list("pk", "contribution", "version")),
        sorted(User.objects.values_list("username", "first_name")),
    )


@pytest.mark.django_db(transaction=True)
def test_it_writes_back_the_demo_as_loaded_after_a_test_changed_and_emptied_the_database():
    if connection.vendor == "postgresql" and not _superutilisateur(connection):
        pytest.skip("PostgreSQL : la copie ne se remet qu'avec un superutilisateur")
    charger("essai", lambda: call_command("demo", "--sans-serveur", verbosity=0))
    avant = _etat()
    assert Action.objects.filter(contrat__collectivite__siren="244200770").count() == 101  # seeds 001-003
    User.objects.filter(username="agent").update(first_name="Changé")
    Porteur.objects.create(collectivite=Collectivite.objects.get(siren="244200770"), nom="Nouveau")
    call_command("flush", interactive=False, verbosity=0)  # what follows a transactional test
    assert Action.objects.count() == 0

    chargements = []
    charger("essai", lambda: chargements.append("de nouveau"))
    assert chargements == []  # written back from the copy, not loaded again
    assert _etat() == avant
    # The keys go on after the copy's: a new row is not refused as a duplicate.
    nouveau = Porteur.objects.create(collectivite=Collectivite.objects.get(siren="244200770"), nom="Après")
    assert nouveau.pk > max(Porteur.objects.exclude(pk=nouveau.pk).values_list("pk", flat=True))
