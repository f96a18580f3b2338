"""Counting and checking an attendance list, figure by figure and message by message (issue 20:
mutants of deliberations/models/presences.py). Plain values: no database."""

from deliberations.models.presences import (
    Decompte,
    Erreur,
    decompter,
    erreurs_de_presence,
    erreurs_par_membre,
)

NOMS = {1: "Mme Aubert", 2: "M. Blanc", 3: "Mme Chevalier", 4: "M. Dumas", 5: "Mme Estève"}


def test_it_counts_presents_pouvoirs_and_excuses_separately():
    etats = {
        1: ("present", None),
        2: ("present", None),
        3: ("pouvoir", 1),
        4: ("excuse", None),
        5: ("excuse", None),
    }
    assert decompter(etats, 9) == Decompte(
        membres_en_exercice=9, presents=2, pouvoirs=1, excuses=2, voix_retirees=0
    )


def test_it_withdraws_the_voice_and_the_pouvoir_held_by_a_member_who_does_not_take_part():
    etats = {1: ("present", None), 2: ("present", None), 3: ("pouvoir", 1), 4: ("excuse", None)}
    assert decompter(etats, 5, [1]).voix_retirees == 2
    assert decompter(etats, 5, [2]).voix_retirees == 1
    assert decompter(etats, 5, [3]).voix_retirees == 1
    assert decompter(etats, 5, [4]).voix_retirees == 0
    assert decompter(etats, 5, [2, 2]).voix_retirees == 1
    assert decompter(etats, 5, [9]).voix_retirees == 0  # not on the list: nothing to withdraw


def test_it_sets_the_quorum_at_more_than_half_of_the_members_in_office_present():
    assert Decompte(membres_en_exercice=10, presents=6, pouvoirs=0, excuses=0).quorum_requis == 6
    assert Decompte(membres_en_exercice=9, presents=5, pouvoirs=0, excuses=0).quorum_requis == 5
    assert Decompte(membres_en_exercice=10, presents=6, pouvoirs=3, excuses=0).quorum_atteint is True
    assert Decompte(membres_en_exercice=10, presents=5, pouvoirs=4, excuses=0).quorum_atteint is False


def test_it_expects_as_many_votes_as_presents_plus_pouvoirs_minus_those_withdrawn():
    decompte = Decompte(membres_en_exercice=10, presents=6, pouvoirs=3, excuses=1, voix_retirees=2)
    assert (decompte.voix, decompte.suffrages_attendus) == (9, 7)


def test_it_names_each_broken_rule_of_a_pouvoir():
    etats = {
        1: ("pouvoir", None),
        2: ("pouvoir", 2),
        3: ("pouvoir", 4),
        4: ("excuse", None),
        5: ("present", 4),
    }
    assert erreurs_par_membre(etats, 5, NOMS) == [
        Erreur(1, "mandataire", "Mme Aubert donne pouvoir : choisissez à qui."),
        Erreur(2, "mandataire", "M. Blanc ne peut pas se donner pouvoir à lui-même."),
        Erreur(3, "mandataire", "Mme Chevalier donne pouvoir à M. Dumas, qui doit être présent."),
        Erreur(5, "mandataire", "Mme Estève n'a pas donné pouvoir : ne nommez pas de mandataire."),
    ]


def test_it_refuses_a_second_pouvoir_held_by_the_same_member():
    etats = {1: ("present", None), 2: ("pouvoir", 1), 3: ("pouvoir", 1), 4: ("pouvoir", 9)}
    assert erreurs_de_presence(etats, 5, NOMS) == [
        "Mme Aubert détient déjà le pouvoir de M. Blanc : un membre ne peut détenir qu'un seul pouvoir "
        "(CGCT L2121-20).",
        "M. Dumas donne pouvoir à un élu, qui doit être présent.",
    ]


def test_it_names_an_unknown_holder_of_two_pouvoirs():
    etats = {1: ("pouvoir", 9), 2: ("pouvoir", 9)}
    assert [e.message for e in erreurs_par_membre(etats, 5, NOMS)] == [
        "Mme Aubert donne pouvoir à un élu, qui doit être présent.",
        "M. Blanc donne pouvoir à un élu, qui doit être présent.",
        "Un élu détient déjà le pouvoir de Mme Aubert : un membre ne peut détenir qu'un seul pouvoir "
        "(CGCT L2121-20).",
    ]


def test_it_requires_the_president_and_the_secretary_present_once_the_list_is_taken():
    etats = {1: ("present", None), 2: ("pouvoir", 1), 3: ("excuse", None)}
    obligatoires = {1: "président", 2: "secrétaire de séance", 7: "président"}
    assert erreurs_par_membre(etats, 5, NOMS, obligatoires) == [
        Erreur(2, "etat", "Le secrétaire de séance, M. Blanc, doit être présent (ni absent, ni représenté)."),
        Erreur(7, "etat", "Le président, cet élu, doit être présent (ni absent, ni représenté)."),
    ]
    assert erreurs_par_membre({}, 5, NOMS, obligatoires) == []


def test_it_refuses_a_list_longer_than_the_members_in_office_but_not_one_as_long():
    etats = {1: ("present", None), 2: ("present", None), 3: ("excuse", None)}
    assert erreurs_par_membre(etats, 3, NOMS) == []
    assert erreurs_par_membre(etats, 2, NOMS) == [
        Erreur(None, "etat", "La liste compte 3 membres pour 2 membres en exercice.")
    ]


def test_it_refuses_a_second_pouvoir_on_the_member_who_gives_it():
    etats = {1: ("present", None), 2: ("pouvoir", 1), 3: ("pouvoir", 1)}
    assert erreurs_par_membre(etats, 5, NOMS) == [
        Erreur(
            3,
            "mandataire",
            "Mme Aubert détient déjà le pouvoir de M. Blanc : un membre ne peut détenir qu'un seul pouvoir "
            "(CGCT L2121-20).",
        )
    ]
