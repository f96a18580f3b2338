"""A vote's rules, message by message and at their limits (issue 20: mutants of vote.py)."""

import pytest
from django.core.exceptions import ValidationError

from deliberations.models import Deliberation
from deliberations.models.presences import Decompte
from programmation.models import Tranche

from ..factories import EluFactory, TrancheFactory, seance_avec_membres

# 7 votants, 2 of them withdrawn: 5 suffrages expected.
RETIREES = Decompte(membres_en_exercice=10, presents=6, pouvoirs=1, excuses=3, voix_retirees=2)
SEPT = Decompte(membres_en_exercice=10, presents=6, pouvoirs=1, excuses=3)


def refus(*arguments):
    with pytest.raises(ValidationError) as erreur:
        Deliberation._verifier_voix(*arguments)
    return erreur.value.messages


def test_it_asks_for_every_figure_zero_included():
    message = ["Indiquez les voix pour, contre et les abstentions (0 s'il n'y en a pas)."]
    assert refus(SEPT, None, 3, 4, "majorite") == message
    assert refus(SEPT, 4, None, 3, "majorite") == message
    assert refus(SEPT, 4, 3, None, "majorite") == message
    assert refus(SEPT, -1, 8, 0, "rejet") == message
    assert refus(SEPT, 8, -1, 0, "majorite") == message
    assert refus(SEPT, 4, 4, -1, "majorite") == message
    Deliberation._verifier_voix(SEPT, 7, 0, 0, "majorite")


def test_it_gives_the_expected_total_and_the_voices_withdrawn():
    assert refus(SEPT, 4, 1, 1, "majorite") == [
        "4 pour + 1 contre + 1 abstention(s) = 6 : le total doit être de 7 (7 votants)."
    ]
    assert refus(RETIREES, 4, 1, 1, "majorite") == [
        "4 pour + 1 contre + 1 abstention(s) = 6 : le total doit être de 5 "
        "(7 votants moins 2 ne prenant pas part au vote)."
    ]


def test_it_lets_the_president_settle_a_tie_either_way():
    Deliberation._verifier_voix(SEPT, 3, 3, 1, "majorite")
    Deliberation._verifier_voix(SEPT, 3, 3, 1, "rejet")


def test_it_refuses_a_result_the_figures_contradict():
    assert refus(SEPT, 3, 4, 0, "majorite") == ["3 voix pour contre 4 : le dossier n'est pas adopté."]
    assert refus(SEPT, 4, 3, 0, "rejet") == ["4 voix pour contre 3 : le dossier est adopté."]


@pytest.mark.django_db
def test_it_checks_the_result_and_returns_the_figures_to_record():
    seance, elus = seance_avec_membres(membres=10, presents=6)
    deliberation = Deliberation.objects.inscrire(seance, "Point")
    with pytest.raises(ValidationError) as erreur:
        deliberation.verifier_vote("ajournee")
    assert erreur.value.messages == ["Choisissez le résultat du vote."]
    assert deliberation.verifier_vote("unanimite", 6, 0, 0) == (None, None, None)
    assert deliberation.verifier_vote("majorite", 4, 1, 1) == (4, 1, 1)
    assert deliberation.verifier_vote("rejet", 1, 4, 0, ne_prenant_pas_part=[elus[0]]) == (1, 4, 0)


@pytest.mark.django_db
def test_it_needs_at_least_one_votant_for_unanimity():
    seance, elus = seance_avec_membres(membres=2, presents=2)
    deliberation = Deliberation.objects.inscrire(seance, "Point")
    with pytest.raises(ValidationError) as erreur:
        deliberation.verifier_vote("unanimite", ne_prenant_pas_part=elus)
    assert erreur.value.messages == ["Aucun votant ne prend part au vote."]
    assert deliberation.verifier_vote("unanimite", ne_prenant_pas_part=elus[:1]) == (None, None, None)


@pytest.mark.django_db
def test_it_gives_the_figures_and_the_article_in_the_quorum_message():
    seance, _ = seance_avec_membres(membres=10, presents=5)
    deliberation = Deliberation.objects.inscrire(seance, "Point")
    with pytest.raises(ValidationError) as erreur:
        deliberation.verifier_vote("unanimite")
    assert erreur.value.messages == [
        "Quorum non atteint : 5 présents pour 10 membres en exercice, il en faut au moins 6 (CGCT L2121-17). "
        "La délibération ne peut pas être votée."
    ]


@pytest.mark.django_db
def test_it_says_the_result_and_who_did_not_take_part_in_the_text_of_the_vote():
    seance, elus = seance_avec_membres(membres=10, presents=6)
    deliberation = Deliberation.objects.inscrire(seance, "Point")
    assert deliberation.texte_du_vote == "Vote non encore intervenu."
    assert deliberation.est_votee is False
    deliberation.voter("rejet", 1, 4, 0, ne_prenant_pas_part=[elus[0]])
    assert deliberation.est_votee is False
    assert deliberation.texte_du_vote == (
        f"Ce dossier a été rejeté par 1 voix pour, 4 voix contre et 0 abstention(s). "
        f"Ne prennent pas part au vote : {elus[0]}."
    )
    autre = Deliberation.objects.inscrire(seance, "Autre point")
    autre.voter("unanimite")
    assert autre.est_votee is True
    assert autre.texte_du_vote == "Ce dossier a été adopté à l'unanimité."


@pytest.mark.django_db
def test_it_does_not_adopt_a_tranche_taken_back_to_draft_after_the_agenda():
    seance, _ = seance_avec_membres(membres=10, presents=6)
    tranche = TrancheFactory(
        contrat__collectivite=seance.instance.collectivite, contrat__intitule="Contrat de ville", numero=3
    )
    Tranche.objects.filter(pk=tranche.pk).update(statut="soumise")
    deliberation = Deliberation.objects.inscrire(
        seance, "Programmation", tranche=Tranche.objects.get(pk=tranche.pk)
    )
    Tranche.objects.filter(pk=tranche.pk).update(statut="brouillon")
    with pytest.raises(ValidationError) as erreur:
        deliberation.voter("unanimite")
    assert erreur.value.messages == [
        "La tranche Contrat de ville — 2025 T3 est « Brouillon » : "
        "seule une tranche soumise à l'instance peut être adoptée."
    ]


@pytest.mark.django_db
def test_it_withdraws_from_the_count_of_a_point_the_members_recorded_as_not_taking_part():
    seance, elus = seance_avec_membres(membres=10, presents=6)
    deliberation = Deliberation.objects.inscrire(seance, "Point")
    deliberation.voter("majorite", 3, 1, 1, ne_prenant_pas_part=[elus[0]])
    assert deliberation.decompte().voix_retirees == 1
    assert deliberation.decompte(ne_prenant_pas_part=[]).voix_retirees == 0


@pytest.mark.django_db
def test_it_changes_nothing_for_a_departure_recorded_for_a_member_absent_from_the_list():
    seance, _ = seance_avec_membres(membres=3, presents=2)
    deliberation = Deliberation.objects.inscrire(seance, "Point")
    ailleurs = EluFactory(collectivite=seance.instance.collectivite)
    deliberation.presences_modifiees.create(elu=ailleurs, etat="")
    assert deliberation.etats() == seance.etats()
