"""French formats of figures, as the délibérations and reports write them."""

import pytest

from contrat_ville.formats import euros, nombre


@pytest.mark.parametrize(
    "valeur, texte",
    [(1977, "1\u202f977"), (0, "0"), (-1234567, "-1\u202f234\u202f567"), (None, ""), ("", "")],
)
def test_it_writes_head_counts_as_the_reports_do(valeur, texte):
    assert nombre(valeur) == texte


def test_it_writes_amounts_as_the_2024_deliberation_does():
    # Seed 002: total of the 2024 first tranche.
    assert euros(2696021) == "2\u202f696\u202f021\u202f€"
