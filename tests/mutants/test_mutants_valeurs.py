"""Cell values as files write them: amounts, identifiers (issue 20: mutants of
programmation/importation/valeurs.py)."""

import datetime
from decimal import Decimal

import pytest

from programmation.importation.valeurs import (
    Formule,
    ValeurInvalide,
    _non_nombre,
    identifiant,
    montant,
    texte,
)

D = Decimal


def refus(valeur):
    with pytest.raises(ValeurInvalide) as erreur:
        montant(valeur)
    return str(erreur.value)


# « HT », « TTC », « euros », « euro » after an amount are dropped, whatever their case.
@pytest.mark.parametrize("ecrit", ["1 200 HT", "1 200 ht", "1 200 € TTC", "1 200 euros", "1 200 Euro"])
def test_it_reads_an_amount_written_before_its_unit(ecrit):
    assert montant(ecrit) == D("1200.00")


# The decimal separator is the last comma or dot when the other one groups the thousands.
def test_it_reads_the_last_separator_as_decimal_when_the_other_groups_thousands():
    assert montant("1.234,567") == D("1234.57")
    assert montant("1,234.567") == D("1234.57")
    assert montant("1.234,567,89") == D("1234567.89")
    assert montant("1,234.567.89") == D("1234567.89")


# One separator followed by three digits groups thousands; by another count of digits, it is decimal.
def test_it_reads_one_separator_before_three_digits_as_grouping_thousands():
    assert montant("1,234") == D("1234.00")
    assert montant("1.234") == D("1234.00")
    assert montant("1.2345") == D("1.23")


# The same separator twice groups thousands: each group after the first must then have three digits.
def test_it_reads_a_separator_written_twice_as_grouping_thousands_by_three():
    assert montant("1.234.567") == D("1234567.00")
    assert refus("1.234.56") == (
        "« 1.234.56 » : montant ambigu (les milliers se groupent par trois chiffres, "
        "par exemple « 12 345,67 ») — corrigez la cellule"
    )


# Decimals broken by a space are not an amount.
def test_it_does_not_read_decimals_broken_by_a_space_as_an_amount():
    assert refus("12,3 45") == "« 12,3 45 » n'est pas un montant"


# A long cell is quoted on its first 40 characters.
def test_it_quotes_a_long_cell_on_its_first_40_characters():
    assert refus("a" * 45) == f"« {'a' * 40} » n'est pas un montant"
    assert (
        str(_non_nombre("1" * 45))
        == f"« {'1' * 40} » : valeur infinie, pas un montant — saisissez le montant"
    )


# A SIRET stored as a number keeps its 14 digits (leading zero included); written as text, its spaces,
# dots and dashes go, an RNA's letter is upper case.
def test_it_keeps_the_digits_of_an_identifier_and_drops_its_punctuation():
    assert identifiant(1234567800019) == "01234567800019"
    assert identifiant(73282932000074.0) == "73282932000074"
    assert identifiant("732 829 320.00074") == "73282932000074"
    assert identifiant("w423-004.567") == "W423004567"
    assert identifiant(None) == ""


# A cell holding only a unit or a dash is empty.
@pytest.mark.parametrize("ecrit", ["€", " EUR ", "-", " - € "])
def test_it_reads_a_unit_or_a_dash_alone_as_an_empty_amount(ecrit):
    assert montant(ecrit) is None


# An infinite value is named as such, spaces inside or not.
def test_it_names_an_infinite_value_written_with_spaces():
    assert refus("- inf") == "« - inf » : valeur infinie, pas un montant — saisissez le montant"


# Only a leading minus is a sign: another one inside makes the cell unreadable.
def test_it_reads_only_a_leading_minus_as_a_sign():
    assert refus("-12-5") == "« -12-5 » n'est pas un montant"
    assert refus("-12") == "montant négatif (-12)"


# The first group of thousands has one to three digits.
def test_it_allows_at_most_three_digits_in_the_first_group_of_thousands():
    assert montant("123 456") == D("123456.00")
    assert refus("1234 567").startswith("« 1234 567 » : montant ambigu")


# A formula is quoted on its first 40 characters.
def test_it_quotes_a_long_formula_on_its_first_40_characters():
    formule = "=" + "+".join(f"B{i}" for i in range(2, 30))
    assert refus(Formule(formule)) == (
        f"formule « {formule[:40]} » : le fichier doit contenir des valeurs "
        "(dans le tableur : copier, puis collage spécial « valeurs »)"
    )


# A date, a time or a duration in an amount cell: the cell's format is to be checked.
@pytest.mark.parametrize(
    "valeur",
    [
        datetime.date(2025, 1, 2),
        datetime.datetime(2025, 1, 2, 3, 4),
        datetime.time(12),
        datetime.timedelta(1),
    ],
)
def test_it_names_a_date_in_an_amount_cell(valeur):
    assert refus(valeur) == "une date à la place d'un montant (vérifiez le format de la cellule)"


# Zero is an amount; the largest amount a field holds too, not one cent more.
def test_it_reads_zero_and_the_largest_amount_as_amounts():
    assert montant(0) == D("0.00")
    assert montant("0,00 €") == D("0.00")
    assert montant("999 999 999 999,99") == D("999999999999.99")
    assert refus("1 000 000 000 000") == "montant trop grand (1 000 000 000 000)"


# Any cell as clean text: runs of spaces (no-break ones too) made one, whole floats without « .0 »,
# dates written the French way.
def test_it_makes_clean_text_of_any_cell():
    assert texte(None) == ""
    assert texte(" Centre  social ") == "Centre social"
    assert texte("Centre\u00a0social\u202fdu\tBabet") == "Centre social du Babet"
    assert texte(12.0) == "12"
    assert texte(12.5) == "12.5"
    assert texte(datetime.date(2025, 1, 2)) == "02/01/2025"
