"""Votes: only with quorum, figures that add up, members not taking part, attendance per point."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from deliberations.models import Deliberation, Instance, Seance
from programmation.models import Modification, Tranche

from ..factories import ActionFactory, seance_avec_membres

pytestmark = pytest.mark.django_db


@pytest.fixture
def point():
    """A point of a séance of 10 members, 6 present, 1 pouvoir: 7 votants."""
    seance, elus = seance_avec_membres(membres=10, presents=6)
    seance.enregistrer_presences(
        {**{e.pk: ("present", None) for e in elus[:6]}, elus[6].pk: ("pouvoir", elus[0].pk)}
    )
    return Deliberation.objects.inscrire(seance, "Subvention au centre social"), elus


def test_it_refuses_a_vote_without_quorum():
    seance, _ = seance_avec_membres(membres=10, presents=5)
    deliberation = Deliberation.objects.inscrire(seance, "Point sans quorum")
    with pytest.raises(ValidationError, match="Quorum non atteint : 5 présents pour 10 membres"):
        deliberation.voter("unanimite")
    deliberation.refresh_from_db()
    assert deliberation.resultat_vote == ""


def test_it_refuses_figures_that_do_not_add_up_to_the_votants(point):
    deliberation, _ = point
    with pytest.raises(ValidationError, match=r"4 pour \+ 1 contre \+ 1 abstention\(s\) = 6 .* 7"):
        deliberation.voter("majorite", 4, 1, 1)
    deliberation.refresh_from_db()
    assert (deliberation.resultat_vote, deliberation.vote_pour) == ("", None)


def test_it_records_a_majority_that_adds_up(point):
    deliberation, _ = point
    deliberation.voter("majorite", 4, 2, 1)
    deliberation.refresh_from_db()
    assert deliberation.texte_du_vote == (
        "Ce dossier a été adopté par 4 voix pour, 2 voix contre et 1 abstention(s)."
    )


def test_it_refuses_an_adoption_with_more_votes_against(point):
    deliberation, _ = point
    with pytest.raises(ValidationError, match="n'est pas adopté"):
        deliberation.voter("majorite", 2, 4, 1)


def test_it_takes_away_the_voice_and_the_pouvoir_held_by_members_not_taking_part(point):
    deliberation, elus = point
    # elus[0] holds elus[6]'s pouvoir: leaving the room, both voices go: 7 - 2 = 5 expected.
    with pytest.raises(ValidationError, match="doit être de 5"):
        deliberation.voter("majorite", 6, 0, 0, ne_prenant_pas_part=[elus[0]])
    deliberation.voter("majorite", 4, 1, 0, ne_prenant_pas_part=[elus[0]])
    assert list(deliberation.ne_prenant_pas_part.all()) == [elus[0]]
    assert "Ne prennent pas part au vote" in deliberation.texte_du_vote


def test_it_counts_a_member_arriving_late_for_the_points_after_his_arrival(point):
    deliberation, elus = point
    autre = Deliberation.objects.inscrire(deliberation.seance, "Point suivant")
    deliberation.modifier_presence(elus[7], "present")
    assert (deliberation.decompte().presents, deliberation.decompte().voix) == (7, 8)
    assert (autre.decompte().presents, autre.decompte().voix) == (6, 7)
    with pytest.raises(ValidationError, match="doit être de 8"):
        deliberation.voter("majorite", 7, 0, 0)
    deliberation.voter("majorite", 8, 0, 0)


def test_it_lets_a_member_leaving_take_the_quorum_away_for_one_point(point):
    deliberation, elus = point
    deliberation.modifier_presence(elus[5], "")
    with pytest.raises(ValidationError, match="Quorum non atteint"):
        deliberation.voter("unanimite")


def test_it_still_gives_a_pouvoir_for_one_point_only_to_a_present_member_holding_no_other(point):
    deliberation, elus = point
    with pytest.raises(ValidationError, match="un seul pouvoir"):
        deliberation.modifier_presence(elus[8], "pouvoir", elus[0])
    with pytest.raises(ValidationError, match="qui doit être présent"):
        deliberation.modifier_presence(elus[8], "pouvoir", elus[9])
    assert not deliberation.presences_modifiees.exists()


def test_it_does_not_vote_a_withdrawn_or_voted_point_again(point):
    deliberation, _ = point
    deliberation.voter("unanimite")
    with pytest.raises(ValidationError, match="déjà votée"):
        deliberation.voter("unanimite")
    retire = Deliberation.objects.inscrire(deliberation.seance, "Retiré")
    retire.retirer()
    with pytest.raises(ValidationError, match="retirée"):
        retire.voter("unanimite")


def test_it_locks_the_tranche_of_an_adopted_deliberation(point):
    deliberation, _ = point
    action = ActionFactory(tranche__contrat__collectivite=deliberation.collectivite, statut="proposee")
    Tranche.objects.filter(pk=action.tranche_id).update(statut="soumise")
    adopte = Deliberation.objects.inscrire(
        deliberation.seance, "Programmation", tranche=Tranche.objects.get(pk=action.tranche_id)
    )
    adopte.voter("unanimite")
    action.refresh_from_db()
    assert action.tranche.est_verrouillee and action.statut == "votee"
    assert action.tranche.acte_de_vote.startswith(f"Délibération n°{adopte.numero} du ")


def test_it_writes_the_vote_in_each_action_s_history_with_the_seance_s_date(point, agent):
    deliberation, _ = point
    action = ActionFactory(tranche__contrat__collectivite=deliberation.collectivite, statut="proposee")
    Tranche.objects.filter(pk=action.tranche_id).update(statut="soumise")
    seance = deliberation.seance
    Seance.objects.filter(pk=seance.pk).update(date=date(2025, 3, 20))
    seance.refresh_from_db()
    adopte = Deliberation.objects.inscrire(
        seance, "Programmation", tranche=Tranche.objects.get(pk=action.tranche_id)
    )
    version = action.version

    adopte.voter("unanimite", auteur=agent)

    action.refresh_from_db()
    assert action.version == version + 1
    assert action.tranche.votee_le == date(2025, 3, 20)
    ligne = Modification.objects.get(action=action, champ="statut")
    assert (ligne.avant, ligne.auteur) == ("Proposée", agent)
    assert ligne.apres == f"Votée (Délibération n°{adopte.numero} du {seance.instance} du 20 mars 2025)"


def test_it_leaves_the_tranche_of_a_rejected_deliberation_unlocked(point):
    deliberation, _ = point
    action = ActionFactory(tranche__contrat__collectivite=deliberation.collectivite, statut="proposee")
    Tranche.objects.filter(pk=action.tranche_id).update(statut="soumise")
    rejete = Deliberation.objects.inscrire(
        deliberation.seance, "Programmation", tranche=Tranche.objects.get(pk=action.tranche_id)
    )
    rejete.voter("rejet", 2, 4, 1)
    action.tranche.refresh_from_db()
    assert not action.tranche.est_verrouillee


def test_it_puts_only_a_submitted_tranche_on_the_agenda(point):
    deliberation, _ = point
    action = ActionFactory(tranche__contrat__collectivite=deliberation.collectivite)
    with pytest.raises(ValidationError, match="seule une tranche soumise"):
        Deliberation.objects.inscrire(
            deliberation.seance, "Programmation", tranche=Tranche.objects.get(pk=action.tranche_id)
        )


def test_it_lets_an_agent_record_a_vote_from_the_page_and_explains_a_wrong_one(client, agent, sem):
    instance = Instance.objects.get(collectivite=sem)
    seance, elus = seance_avec_membres(membres=4, presents=3, instance=instance)
    deliberation = Deliberation.objects.inscrire(seance, "Point")
    client.force_login(agent)
    adresse = reverse("deliberations:voter", args=[deliberation.pk])
    reponse = client.post(
        adresse,
        {"resultat": "majorite", "pour": 2, "contre": 0, "abstention": 0, "confirmer": "1"},
        follow=True,
    )
    assert "le total doit être de 3 (3 votants)" in reponse.content.decode()
    client.post(
        adresse,
        {
            "resultat": "majorite",
            "pour": 1,
            "contre": 0,
            "abstention": 0,
            "ne_prenant_pas_part": [elus[0].pk, elus[1].pk],
            "confirmer": "1",
        },
    )
    deliberation.refresh_from_db()
    assert (deliberation.resultat_vote, deliberation.vote_pour) == ("majorite", 1)
    page = client.get(reverse("deliberations:deliberation", args=[deliberation.pk])).content.decode()
    assert "1 voix pour, 0 voix contre" in page and str(elus[1]) in page


def test_it_frees_the_tranche_of_a_withdrawn_point_for_another_seance(point):
    deliberation, _ = point
    action = ActionFactory(tranche__contrat__collectivite=deliberation.collectivite, statut="proposee")
    Tranche.objects.filter(pk=action.tranche_id).update(statut="soumise")
    tranche = Tranche.objects.get(pk=action.tranche_id)
    retire = Deliberation.objects.inscrire(deliberation.seance, "Programmation", tranche=tranche)
    retire.retirer()
    reprise = Deliberation.objects.inscrire(deliberation.seance, "Programmation (reprise)", tranche=tranche)
    assert (reprise.tranche, Deliberation.objects.get(pk=retire.pk).etat) == (tranche, "retirée")


def test_it_lets_an_agent_record_a_late_arrival_from_the_deliberation_page(client, agent, sem):
    seance, elus = seance_avec_membres(membres=4, presents=3, instance=Instance.objects.get(collectivite=sem))
    deliberation = Deliberation.objects.inscrire(seance, "Point")
    client.force_login(agent)
    client.post(
        reverse("deliberations:presence", args=[deliberation.pk]), {"elu": elus[3].pk, "etat": "present"}
    )
    assert deliberation.decompte().presents == 4 and seance.decompte().presents == 3
    page = client.get(reverse("deliberations:deliberation", args=[deliberation.pk])).content.decode()
    assert "Présence propre à ce point" in page and f"{elus[3]} : Présent" in page
