"""The register's formats and counters, rule by rule (issue 20: mutants of registre.py)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from deliberations.models import Compteur, Deliberation, Registre
from deliberations.models.registre import _probleme, valider_format_actes, valider_format_numero

from ..factories import CollectiviteFactory, InstanceFactory, SeanceFactory


@pytest.mark.parametrize(
    ("valeur", "probleme"),
    [
        ("{annee}.{rang:05d}", None),
        ("{annee}-{rang}", None),
        ("{rang:5d}", None),
        ("{rang:20d}", None),
        ("{rang:020d}", None),
        ("{rang:d}", None),
        ("{annee", "accolade mal fermée"),
        ("{numero}", "« {numero} » inconnu"),
        ("{rang:21d}", "« {rang:21d} » : seule une largeur comme {rang:05d} est permise"),
        ("{rang:>5}", "« {rang:>5} » : seule une largeur comme {rang:05d} est permise"),
        ("{rang!r}", "« {rang:} » : seule une largeur comme {rang:05d} est permise"),
    ],
)
def test_it_tells_why_a_format_cannot_be_used(valeur, probleme):
    assert _probleme(valeur) == probleme


def test_it_accepts_a_number_of_exactly_twenty_characters():
    valider_format_numero("{annee}-{rang:015d}")  # 2024-000000000009999


def test_it_refuses_a_number_of_twenty_one_characters_with_the_whole_message():
    with pytest.raises(ValidationError) as refus:
        valider_format_numero("{annee}-{rang:016d}")
    assert refus.value.messages == [
        "Format « {annee}-{rang:016d} » invalide : le numéro dépasserait 20 caractères ; "
        "seuls {annee} et {rang} sont connus, par exemple {annee}-{rang:04d}."
    ]


def test_it_accepts_an_actes_number_of_fifteen_characters():
    valider_format_actes("D{annee}{rang:010d}")  # D20240000009999


def test_it_tries_a_format_with_a_year_and_a_rang_that_are_numbers():
    valider_format_numero("{annee:04d}/{rang:05d}")
    valider_format_actes("D{annee:04d}{rang:05d}")


def test_it_refuses_an_actes_number_of_sixteen_characters():
    with pytest.raises(ValidationError) as refus:
        valider_format_actes("D{annee}{rang:011d}")
    assert refus.value.messages == [
        "Format « D{annee}{rang:011d} » invalide : la préfecture n'accepte que 1 à 15 lettres sans accent, "
        "chiffres ou « _ » ; seuls {annee} et {rang} sont connus, par exemple {annee}-{rang:04d}."
    ]


def test_it_refuses_an_unknown_field_in_the_actes_format():
    with pytest.raises(ValidationError, match="« {numero} » inconnu"):
        valider_format_actes("D{numero}")


@pytest.mark.django_db
def test_it_formats_both_numbers_from_the_year_and_the_rang():
    registre = Registre(format_numero="{annee}/{rang:03d}", format_actes="D{annee}_{rang}")
    assert registre.numero(2025, 7) == "2025/007"
    assert registre.numero_actes(2025, 7) == "D2025_7"
    assert (
        str(Registre(collectivite=CollectiviteFactory(nom="Ville de Firminy")))
        == "Registre de Ville de Firminy"
    )


@pytest.mark.django_db
def test_it_gives_one_then_two_to_a_new_register_and_reads_the_next_one_without_writing():
    seance = SeanceFactory(
        instance=InstanceFactory(collectivite=CollectiviteFactory()), date=datetime.date(2025, 3, 20)
    )
    registre = Registre.objects.de(seance.instance.collectivite_id)
    assert registre.prochain_rang(2025) == 1
    assert registre.attribuer(2025) == 1
    assert registre.prochain_rang(2025) == 2
    assert registre.prochain_rang(2025) == 2
    assert registre.attribuer(2025) == 2
    assert str(registre.compteurs.get()) == "2025 : 2"
    assert Deliberation.objects.inscrire(seance, "Point").numero == "2025.00003"


@pytest.mark.django_db
def test_it_reads_the_next_rang_for_this_register_and_this_year_only(sem):
    Registre.objects.de(CollectiviteFactory().pk).attribuer(2025)  # another register's counter, first
    registre = Registre.objects.de(CollectiviteFactory().pk)
    for _ in range(3):
        registre.attribuer(2024)
    assert registre.prochain_rang(2025) == 1
    registre.attribuer(2025)
    registre.attribuer(2025)
    assert registre.prochain_rang(2025) == 3
    assert list(
        Compteur.objects.filter(registre=registre).order_by("annee").values_list("annee", "dernier")
    ) == [
        (2024, 3),
        (2025, 2),
    ]
    assert Registre(collectivite=CollectiviteFactory()).prochain_rang(2025) == 1
    # The seeds' 2024 register has no counter: it carries on after its last délibération, n°417.
    assert Registre.objects.de(sem.pk).prochain_rang(2024) == 418
