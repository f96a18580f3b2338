"""Rows of an imported file: title and porteur in one cell, errors by column, changes as read
(issue 20: mutants of programmation/importation/lignes.py)."""

from decimal import Decimal

from programmation.importation.lignes import Ligne, _lisible, _majuscules, separer


def aucun(texte):
    return ""


# « Intitulé / PORTEUR »: the last slash splits, the porteur's trailing stars go; not a guess.
def test_the_last_slash_splits_title_and_porteur():
    assert separer("Aide aux devoirs / soir / AGASEF **", aucun) == (
        "Aide aux devoirs / soir",
        "AGASEF",
        False,
    )


# A slash with nothing on one side does not split: the capitals at the end are taken, as a guess.
def test_a_slash_with_an_empty_side_does_not_split():
    assert separer("Accompagner la parentalité IREPS /", aucun) == (
        "Accompagner la parentalité IREPS /",
        "",
        True,
    )
    assert separer("/ Jardins partagés AGASEF", aucun) == ("/ Jardins partagés", "AGASEF", True)


# A known porteur ending the cell is taken as such, separators before it dropped; not a guess.
def test_a_known_porteur_ending_the_cell_is_taken():
    def connu(texte):
        return "Centre social Sisley*" if texte.endswith("Centre social Sisley*") else ""

    assert separer("Jardins partagés – Centre social Sisley*", connu) == (
        "Jardins partagés",
        "Centre social Sisley",
        False,
    )


# Otherwise the run of capitals at the end is the porteur (a guess); the first word stays the title.
def test_the_run_of_capitals_at_the_end_is_the_porteur_as_a_guess():
    assert separer("Accompagner la parentalité IREPS ARS", aucun) == (
        "Accompagner la parentalité",
        "IREPS ARS",
        True,
    )
    assert separer("AGASEF IREPS", aucun) == ("AGASEF", "IREPS", True)
    assert separer("AGASEF", aucun) == ("AGASEF", "", True)
    assert separer("Accompagner  la parentalité", aucun) == ("Accompagner  la parentalité", "", True)


# A word in capitals has two capital letters at least and no small one; digits alone count too.
def test_a_word_in_capitals():
    assert _majuscules("IREPS")
    assert _majuscules("QV")
    assert _majuscules("L'ADMR")
    assert _majuscules("2024")
    assert not _majuscules("A")
    assert not _majuscules("Ireps")
    assert not _majuscules("--")


# A change as read: the new value of a pair, a list joined, an amount in euros.
def test_a_change_is_read_as_its_new_value():
    # A cofinancement's change is (financeur, new amount, current row): the new amount is shown.
    assert _lisible(("État", Decimal("5000"), None)) == "5\u202f000\u202f€"
    assert _lisible(("État", Decimal("5000"), "Cofinancement actuel de 4 000 €")) == "5\u202f000\u202f€"
    assert _lisible(["QPV Montreynaud", "QPV Tarentaize"]) == "QPV Montreynaud, QPV Tarentaize"
    assert _lisible(Decimal("1200.5")) == "1\u202f200,50\u202f€"
    assert _lisible(3) == "3"
    ligne = Ligne("Annexe", 4, changements=[("coût", Decimal("1200")), ("quartiers", ["A", "B"])])
    assert ligne.changements_lisibles == ["coût : 1\u202f200\u202f€", "quartiers : A, B"]


# An error or a warning names its column when there is one.
def test_errors_and_warnings_name_their_column():
    ligne = Ligne("Annexe", 4)
    ligne.erreur("colonne B « Coût »", "montant négatif (-1)")
    ligne.erreur("", "intitulé manquant")
    ligne.avertir("colonne C « Porteur »", "séparés par supposition")
    ligne.avertir(None, "à vérifier")
    assert ligne.erreurs == ["colonne B « Coût » : montant négatif (-1)", "intitulé manquant"]
    assert ligne.avertissements == ["colonne C « Porteur » : séparés par supposition", "à vérifier"]


# Only the stars and spaces ending a porteur go, whatever its last letter; a title keeps its first one.
def test_only_the_trailing_stars_of_a_porteur_go():
    def connu(texte):
        return "Centre AFEX*" if texte.endswith("Centre AFEX*") else ""

    assert separer("Jardins / ADEX*", aucun) == ("Jardins", "ADEX", False)
    assert separer("Xylophones – Centre AFEX*", connu) == ("Xylophones", "Centre AFEX", False)
    assert separer("Accompagner la parentalité FOX", aucun) == ("Accompagner la parentalité", "FOX", True)
    assert separer("Accompagner la parentalité IREPS**", aucun) == (
        "Accompagner la parentalité",
        "IREPS",
        True,
    )
