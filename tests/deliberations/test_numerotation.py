"""The register's numbers (never reused, safe under concurrent requests) and the ACTES identifiers."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.urls import reverse

from deliberations.models import Deliberation, Instance, Registre, Seance

from ..bases import charger_la_metropole
from ..factories import CollectiviteFactory, InstanceFactory, SeanceFactory, seance_avec_membres

pytestmark = pytest.mark.django_db


@pytest.fixture
def seance_2024(sem):
    return SeanceFactory(instance=Instance.objects.get(collectivite=sem), date=datetime.date(2024, 9, 26))


def test_it_gives_the_next_2024_number_after_the_seeds_last_one(seance_2024):
    assert Deliberation.objects.inscrire(seance_2024, "Point").numero == "2024.00418"


def test_it_keeps_the_number_of_a_withdrawn_draft_and_never_gives_it_again(seance_2024):
    retire = Deliberation.objects.inscrire(seance_2024, "Point retiré")
    retire.retirer()
    suivant = Deliberation.objects.inscrire(seance_2024, "Point suivant")
    retire.refresh_from_db()
    assert (retire.numero, retire.retiree, suivant.numero) == ("2024.00418", True, "2024.00419")


def test_it_skips_a_number_typed_by_hand_before(seance_2024):
    Deliberation.objects.create(seance=seance_2024, numero="2024.00418", objet="Saisie à la main")
    assert Deliberation.objects.inscrire(seance_2024, "Point").numero == "2024.00419"


def test_it_keeps_a_register_of_its_own_for_each_year_and_each_authority(seance_2024):
    autre = SeanceFactory(
        instance=InstanceFactory(collectivite=CollectiviteFactory()), date=datetime.date(2024, 9, 26)
    )
    assert Deliberation.objects.inscrire(autre, "Ailleurs").numero == "2024.00001"
    seance_2025 = SeanceFactory(instance=seance_2024.instance, date=datetime.date(2025, 1, 16))
    assert Deliberation.objects.inscrire(seance_2025, "L'an suivant").numero == "2025.00001"


def test_it_numbers_in_the_authoritys_format(seance_2024):
    Registre.objects.update_or_create(
        collectivite=seance_2024.instance.collectivite, defaults={"format_numero": "DEL-{annee}-{rang:04d}"}
    )
    assert Deliberation.objects.inscrire(seance_2024, "Point").numero == "DEL-2024-0418"


def test_it_refuses_a_format_with_an_unknown_field(sem):
    with pytest.raises(ValidationError, match="seuls {annee} et {rang}"):
        Registre(collectivite=sem, format_numero="{annee}.{numero}").full_clean()


# The identifiers typed from the seeds' préfecture stamps (000, 001, 003).
@pytest.mark.parametrize(
    "numero, actes",
    [
        ("2024.00230", "042-244200770-20240516-D20240023010-DE"),
        ("2019.00081", "042-244200770-20190307-D20190008110-DE"),
        ("2024.00417", "042-244200770-20240704-D20240041710-DE"),
    ],
)
def test_it_computes_the_seeds_actes_identifier(numero, actes):
    deliberation = Deliberation.objects.get(numero=numero)
    assert deliberation.identifiant_actes_calcule == actes
    assert deliberation.identifiant_actes == actes


def test_it_requires_a_typed_actes_identifier_to_be_the_authoritys_and_of_the_seance_date():
    deliberation = Deliberation.objects.get(numero="2024.00230")
    deliberation.identifiant_actes = "042-244200770-20240517-D20240023010-DE"
    with pytest.raises(ValidationError, match="doit commencer par 042-244200770-20240516-"):
        deliberation.full_clean()
    deliberation.identifiant_actes = "069-244200770-20240516-D20240023010-DE"
    with pytest.raises(ValidationError, match="doit commencer par"):
        deliberation.full_clean()
    deliberation.identifiant_actes = "042-244200770-20240516-D2024002301-XX"
    with pytest.raises(ValidationError, match="doit avoir la forme"):
        deliberation.full_clean()


def test_it_makes_the_deliberation_executoire_once_an_agent_records_the_prefecture_stamps(client, agent, sem):
    seance, _ = seance_avec_membres(membres=4, presents=3, instance=Instance.objects.get(collectivite=sem))
    deliberation = Deliberation.objects.inscrire(seance, "Point")
    deliberation.voter("unanimite")
    client.force_login(agent)
    page = client.get(reverse("deliberations:deliberation", args=[deliberation.pk])).content.decode()
    assert "042-244200770-20250320-D20250000110-DE" in page and "exécutoire</span>" not in page
    adresse = reverse("deliberations:prefecture", args=[deliberation.pk])
    donnees = {
        "identifiant_actes": "042-244200770-20250320-D20250000110-DE",
        "voie_transmission": "VIA DOTELEC - iXBus",
        "date_reception_prefecture": "2025-03-19",
        "mode_publication": "mise_en_ligne",
        "date_publication": "2025-03-28",
    }
    page = client.post(adresse, donnees, follow=True).content.decode()
    assert "Cette date précède la séance du 20 mars 2025." in page
    client.post(adresse, donnees | {"date_reception_prefecture": "2025-03-27"})
    deliberation.refresh_from_db()
    assert deliberation.est_executoire
    page = client.get(reverse("deliberations:deliberation", args=[deliberation.pk])).content.decode()
    assert "exécutoire</span>" in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_it_never_gives_concurrent_requests_the_same_number():

    charger_la_metropole("sem_referentiel", "sem_programmation", "sem_deliberations")
    seance = SeanceFactory(
        instance=Instance.objects.get(nom="Bureau Métropolitain"), date=datetime.date(2024, 12, 12)
    )
    depart = threading.Barrier(8, timeout=30)
    numeros, erreurs = [], []

    def inscrire(i):
        try:
            depart.wait()
            numeros.append(
                Deliberation.objects.inscrire(Seance.objects.get(pk=seance.pk), f"Point {i}").numero
            )
        except Exception as erreur:  # noqa: BLE001 - reported by the assertion below
            erreurs.append(erreur)
        finally:
            close_old_connections()
            connection.close()

    fils = [threading.Thread(target=inscrire, args=(i,)) for i in range(8)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=60)
    assert erreurs == []
    assert sorted(numeros) == [f"2024.{n:05d}" for n in range(418, 426)]


def test_it_gives_a_deliberation_added_in_the_back_office_the_registers_number(
    client, admin_user, seance_2024
):
    client.force_login(admin_user)
    reponse = client.post(
        reverse("admin:deliberations_deliberation_add"),
        {
            "seance": seance_2024.pk,
            "ordre_du_jour": "1",
            "nature": "ordinaire",
            "objet": "Point saisi au back-office",
            "tableau_recapitulatif": "on",
            "presences_modifiees-TOTAL_FORMS": "0",
            "presences_modifiees-INITIAL_FORMS": "0",
            "lignes-TOTAL_FORMS": "0",
            "lignes-INITIAL_FORMS": "0",
        },
    )
    assert reponse.status_code == 302, reponse.content.decode()[:2000]
    assert Deliberation.objects.get(objet="Point saisi au back-office").numero == "2024.00418"
