"""Bulk work on actions: status, tranche in and out, in one request, all or nothing, with the rules of one."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contrat_ville.models import Contrat
from programmation.models import Action, Modification, Porteur, Tranche

from ..factories import ActionFactory, TrancheFactory, tranche_votee_avec_cofinancement

pytestmark = pytest.mark.django_db

MASSE = reverse("programmation:actions_masse")


@pytest.fixture
def contrat():
    return Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)


def deposees(contrat, nombre, statut="deposee", annee=2025):
    porteur = Porteur.objects.get(nom="AGASEF", siret="")
    axe = contrat.axes.get(nom_court="EMANCIPER")
    return [
        ActionFactory(
            tranche=None,
            contrat=contrat,
            annee=annee,
            porteur=porteur,
            axe=axe,
            statut=statut,
            intitule=f"Action groupée {statut} {rang}",
            cout=Decimal("1000"),
            contribution=Decimal("100"),
        )
        for rang in range(1, nombre + 1)
    ]


def statuts(actions):
    return [Action.objects.get(pk=a.pk).statut for a in actions]


def textes(reponse):
    return [str(m) for m in reponse.context["messages"]]


def test_it_moves_the_selection_to_proposee_through_en_instruction(client, agent, contrat):
    actions = deposees(contrat, 3)
    client.force_login(agent)
    reponse = client.post(
        MASSE, {"operation": "statut", "statut": "proposee", "action": [a.pk for a in actions]}, follow=True
    )
    assert "3 actions passées en « Proposée »." in textes(reponse)
    assert statuts(actions) == ["proposee", "proposee", "proposee"]
    premiere = Action.objects.get(pk=actions[0].pk)
    assert premiere.version == 3  # one per step, as two changes one by one
    assert list(premiere.modifications.order_by("pk").values_list("champ", "avant", "apres", "auteur")) == [
        ("statut", "Déposée", "En instruction", agent.pk),
        ("statut", "En instruction", "Proposée", agent.pk),
    ]


def test_it_moves_nothing_when_one_action_cannot_move(client, agent, contrat):
    bonnes = deposees(contrat, 2)
    (abandonnee,) = deposees(contrat, 1, statut="abandonnee")
    client.force_login(agent)
    reponse = client.post(
        MASSE,
        {"operation": "statut", "statut": "proposee", "action": [a.pk for a in [*bonnes, abandonnee]]},
        follow=True,
    )
    assert textes(reponse) == [
        "Rien n'a été modifié : 1 action refusée.",
        "« Action groupée abandonnee 1 » : "
        "Une action « Abandonnée » ne peut pas passer au statut « Proposée ».",
    ]
    assert statuts(bonnes) == ["deposee", "deposee"]
    assert not Modification.objects.filter(action__in=bonnes).exists()


def test_it_gives_404_and_changes_nothing_for_another_authority_s_action(client, agent, contrat, sedr):
    actions = deposees(contrat, 2)
    etrangere = Action.objects.filter(contrat__collectivite=sedr).first()
    client.force_login(agent)
    for intrus in (etrangere.pk, "12abc", "-1"):
        reponse = client.post(
            MASSE, {"operation": "statut", "statut": "en_instruction", "action": [actions[0].pk, intrus]}
        )
        assert reponse.status_code == 404
    assert statuts(actions) == ["deposee", "deposee"]
    assert Action.objects.get(pk=etrangere.pk).statut == etrangere.statut


def test_it_refuses_another_authority_s_tranche(client, agent, contrat, sedr):
    actions = deposees(contrat, 1)
    tranche_sedr = TrancheFactory(contrat=Contrat.objects.filter(collectivite=sedr).first())
    client.force_login(agent)
    reponse = client.post(
        MASSE, {"operation": "ajouter", "tranche": tranche_sedr.pk, "action": [actions[0].pk]}, follow=True
    )
    assert textes(reponse)[0].startswith("Rien n'a été modifié : Sélectionnez un choix valide.")
    assert Action.objects.get(pk=actions[0].pk).tranche_id is None


def test_it_applies_to_all_the_filtered_actions_and_only_them(client, agent, contrat):
    actions = deposees(contrat, 4)
    (autre_annee,) = deposees(contrat, 1, annee=2026)
    client.force_login(agent)
    filtres = f"contrat={contrat.pk}&annee=2025&statut=deposee"
    page = client.get(f"{reverse('programmation:programmation')}?{filtres}")
    assert "Tout sélectionner (les 4 actions filtrées)" in page.content.decode()
    donnees = {"operation": "statut", "statut": "en_instruction", "toutes": "1", "filtres": filtres}
    reponse = client.post(MASSE, donnees | {"nombre": "3"}, follow=True)
    assert "La liste a changé depuis son affichage (3 actions annoncées, 4 aujourd'hui)" in textes(reponse)[0]
    assert statuts(actions) == ["deposee"] * 4
    reponse = client.post(MASSE, donnees | {"nombre": "4"}, follow=True)
    assert "4 actions passées en « En instruction »." in textes(reponse)
    assert statuts(actions) == ["en_instruction"] * 4
    assert Action.objects.get(pk=autre_annee.pk).statut == "deposee"


def test_it_adds_the_selection_to_a_draft_tranche_then_removes_it(client, agent, contrat):
    actions = deposees(contrat, 2) + deposees(contrat, 1, statut="en_instruction")
    tranche = Tranche.objects.creer_suivante(contrat, 2025)
    client.force_login(agent)
    ids = [a.pk for a in actions]
    reponse = client.post(MASSE, {"operation": "ajouter", "tranche": tranche.pk, "action": ids}, follow=True)
    assert f"3 actions ajoutées à {tranche}." in textes(reponse)
    assert sorted(tranche.actions.values_list("statut", flat=True)) == ["proposee"] * 3
    assert Action.objects.get(pk=actions[0].pk).version == 4  # two steps of status, one of tranche
    assert Action.objects.get(pk=actions[0].pk).modifications.filter(champ="tranche").get().apres == str(
        tranche
    )
    reponse = client.post(MASSE, {"operation": "retirer", "tranche": tranche.pk, "action": ids}, follow=True)
    assert f"3 actions retirées de {tranche}." in textes(reponse)
    assert not tranche.actions.exists()
    assert statuts(actions) == ["proposee"] * 3  # leaving a tranche does not undo the instruction


def test_it_holds_the_vote_s_lock_against_every_bulk_operation(client, agent, contrat):
    votee = tranche_votee_avec_cofinancement(Decimal("3000"))
    action = votee.actions.get()
    brouillon = Tranche.objects.creer_suivante(votee.contrat, 2024)
    (deposee,) = deposees(votee.contrat, 1, annee=2024)
    client.force_login(agent)
    # Status back to before the vote.
    reponse = client.post(
        MASSE,
        {"operation": "statut", "statut": "en_instruction", "action": [action.pk, deposee.pk]},
        follow=True,
    )
    assert textes(reponse) == [
        "Rien n'a été modifié : 1 action refusée.",
        f"« {action.intitule} » : Une action « Votée » ne peut pas passer au statut « En instruction ».",
    ]
    # Into another tranche, and out of the voted one (not offered: the form refuses it).
    reponse = client.post(
        MASSE,
        {"operation": "ajouter", "tranche": brouillon.pk, "action": [deposee.pk, action.pk]},
        follow=True,
    )
    assert f"« {action.intitule} » : est déjà dans la tranche 2024 T{votee.numero}." in textes(reponse)
    reponse = client.post(
        MASSE, {"operation": "retirer", "tranche": votee.pk, "action": [action.pk]}, follow=True
    )
    assert textes(reponse)[0].startswith("Rien n'a été modifié : Sélectionnez un choix valide.")
    reponse = client.post(
        reverse("programmation:tranche_retirer", args=[votee.pk]), {"action": [action.pk]}, follow=True
    )
    assert "seule une tranche en brouillon se compose" in textes(reponse)[0]
    with pytest.raises(ValidationError, match="seule une tranche en brouillon se compose"):
        Action.objects.filter(pk=action.pk).retirer_de(votee, agent)
    with pytest.raises(ValidationError, match="seule une tranche en brouillon se compose"):
        Action.objects.filter(pk=deposee.pk).ajouter_a(votee, agent)
    action.refresh_from_db()
    assert (action.tranche_id, action.statut, Action.objects.get(pk=deposee.pk).statut) == (
        votee.pk,
        "votee",
        "deposee",
    )


def _requetes(client, ids):
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.post(MASSE, {"operation": "statut", "statut": "proposee", "action": ids})
    assert reponse.status_code == 302
    return len(requetes)


def test_it_makes_the_same_queries_for_the_bulk_request_with_5_or_50_actions(client, agent, contrat):
    client.force_login(agent)
    peu = _requetes(client, [a.pk for a in deposees(contrat, 5)])
    beaucoup = _requetes(client, [a.pk for a in deposees(contrat, 50, statut="en_instruction")])
    print(f"requêtes : 5 actions → {peu}, 50 actions → {beaucoup}")
    assert peu == beaucoup
    assert Action.objects.filter(intitule__startswith="Action groupée", statut="proposee").count() == 55


def test_it_offers_deposee_en_instruction_and_proposee_actions_in_the_composer(client, agent, contrat):
    offertes = (
        deposees(contrat, 1)
        + deposees(contrat, 1, statut="en_instruction")
        + deposees(contrat, 1, "proposee")
    )
    refusee = deposees(contrat, 1, statut="refusee")[0]
    autre_annee = deposees(contrat, 1, annee=2026)[0]
    tranche = Tranche.objects.creer_suivante(contrat, 2025)
    client.force_login(agent)
    page = client.get(reverse("programmation:tranche_composer", args=[tranche.pk]))
    candidates = {a.pk for a in page.context["candidates"]}
    assert {a.pk for a in offertes} <= candidates
    assert refusee.pk not in candidates and autre_annee.pk not in candidates
    filtree = client.get(reverse("programmation:tranche_composer", args=[tranche.pk]), {"statut": "deposee"})
    assert offertes[0].pk in {a.pk for a in filtree.context["candidates"]}
    assert offertes[1].pk not in {a.pk for a in filtree.context["candidates"]}


def test_it_adds_and_removes_a_selection_in_one_post_each_in_the_composer(client, agent, contrat):
    actions = deposees(contrat, 3)
    tranche = Tranche.objects.creer_suivante(contrat, 2025)
    client.force_login(agent)
    ajouter = reverse("programmation:tranche_ajouter", args=[tranche.pk])
    reponse = client.post(ajouter, {"action": [a.pk for a in actions]}, follow=True)
    assert "3 actions ajoutées." in textes(reponse)
    assert reponse.context["annexe"].contribution == Decimal("300")
    assert "constats" in reponse.context  # the checks are shown again after the change
    assert tranche.actions.count() == 3
    retirer = reverse("programmation:tranche_retirer", args=[tranche.pk])
    reponse = client.post(retirer, {"action": [actions[0].pk, actions[1].pk]}, follow=True)
    assert "2 actions retirées." in textes(reponse)
    assert list(tranche.actions.values_list("pk", flat=True)) == [actions[2].pk]


def test_it_adds_all_the_filtered_candidates_or_none_in_the_composer(client, agent, contrat):
    actions = deposees(contrat, 3)
    (refusee,) = deposees(contrat, 1, statut="refusee")
    tranche = Tranche.objects.creer_suivante(contrat, 2025)
    client.force_login(agent)
    ajouter = reverse("programmation:tranche_ajouter", args=[tranche.pk])
    # A refused action ticked by hand (it is not offered): nothing is added.
    reponse = client.post(ajouter, {"action": [actions[0].pk, refusee.pk]}, follow=True)
    assert textes(reponse) == [
        "Rien n'a été modifié : 1 action refusée.",
        "« Action groupée refusee 1 » : est « Refusée » : seule une action déposée, en instruction "
        "ou proposée entre dans une tranche.",
    ]
    assert not tranche.actions.exists()
    filtres = "q=Action groupée"
    candidates = (
        Action.objects.pouvant_entrer_dans(tranche).filter(intitule__startswith="Action groupée").count()
    )
    reponse = client.post(ajouter, {"toutes": "1", "filtres": filtres, "nombre": candidates}, follow=True)
    assert f"{candidates} actions ajoutées." in textes(reponse)
    assert set(tranche.actions.values_list("pk", flat=True)) >= {a.pk for a in actions}


def test_it_does_not_let_an_elected_official_use_the_bulk_form(client, elu, contrat):
    actions = deposees(contrat, 1)
    client.force_login(elu)
    reponse = client.post(MASSE, {"operation": "statut", "statut": "proposee", "action": [actions[0].pk]})
    assert reponse.status_code == 403
    assert 'form="masse"' not in client.get(reverse("programmation:programmation")).content.decode()
    assert statuts(actions) == ["deposee"]


def test_it_moves_that_action_alone_with_a_row_s_own_button(client, agent, contrat):
    actions = deposees(contrat, 3)
    tranche = Tranche.objects.creer_suivante(contrat, 2025)
    client.force_login(agent)
    ajouter = reverse("programmation:tranche_ajouter", args=[tranche.pk])
    client.post(ajouter, {"action": [actions[0].pk, actions[1].pk], "seule": actions[2].pk})
    assert list(tranche.actions.values_list("pk", flat=True)) == [actions[2].pk]
    page = client.get(reverse("programmation:tranche_composer", args=[tranche.pk])).content.decode()
    assert 'Ajouter<span class="visuellement-cache"> Action groupée deposee 1</span>' in page
    assert 'Retirer<span class="visuellement-cache"> Action groupée deposee 3</span>' in page


def _requetes_de_la_page(client, adresse, parametres=None):
    client.get(adresse, parametres)  # the list's first visit remembers the contract and year (one UPDATE)
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(adresse, parametres).status_code == 200
    return len(requetes)


def test_it_makes_the_same_queries_for_the_list_with_checkboxes_and_the_composer_with_5_or_50_rows(
    client, agent, contrat
):
    tranche = Tranche.objects.creer_suivante(contrat, 2025)
    client.force_login(agent)
    liste = reverse("programmation:programmation")
    composer = reverse("programmation:tranche_composer", args=[tranche.pk])
    filtres = {"contrat": contrat.pk, "annee": 2025}
    deposees(contrat, 5)
    peu = (_requetes_de_la_page(client, liste, filtres), _requetes_de_la_page(client, composer))
    assert 'form="masse"' in client.get(liste, filtres).content.decode()
    deposees(contrat, 45, statut="en_instruction")
    beaucoup = (_requetes_de_la_page(client, liste, filtres), _requetes_de_la_page(client, composer))
    assert peu == beaucoup


def _conventionner_une_tranche_votee(contrat, agent, nombre, annee):
    tranche = Tranche.objects.creer_suivante(contrat, annee)
    actions = deposees(contrat, nombre, statut="proposee", annee=annee)
    Action.objects.filter(pk__in=[a.pk for a in actions]).ajouter_a(tranche, agent)
    tranche.statut = "soumise"
    tranche.save(update_fields=["statut"])
    tranche.verrouiller("Délibération de test")
    with CaptureQueriesContext(connection) as requetes:
        faites = Action.objects.filter(tranche=tranche).changer_statut("conventionnee", agent)
    assert len(faites) == nombre
    assert statuts(actions) == ["conventionnee"] * nombre
    return len(requetes)


def test_it_checks_the_vote_s_lock_in_the_same_queries_for_3_or_30_voted_actions(agent, contrat):
    # The lock reads the voted tranches once, not once per action in them.
    peu = _conventionner_une_tranche_votee(contrat, agent, 3, 2025)
    beaucoup = _conventionner_une_tranche_votee(contrat, agent, 30, 2026)
    assert peu == beaucoup
