"""Reconduction into next year: one draft copy per action and year, a report, and a deletable draft."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from contrat_ville.models import Contrat, Quartier
from programmation.models import Action, Modification, Porteur, Tranche

from ..factories import tranche_votee_avec_cofinancement

pytestmark = pytest.mark.django_db

RECONDUCTION = reverse("programmation:reconduction")


@pytest.fixture
def contrat():
    return Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)


@pytest.fixture
def tranche(contrat):
    """A 2024 draft tranche of three actions, one of them with two quartiers."""
    tranche = Tranche.objects.creer_suivante(contrat, 2024)
    porteur = Porteur.objects.get(nom="AGASEF", siret="")
    axe = contrat.axes.get(nom_court="EMANCIPER")
    for rang in (1, 2, 3):
        action = Action.objects.create(
            contrat=contrat,
            annee=2024,
            intitule=f"Atelier reconduit {rang}",
            porteur=porteur,
            axe=axe,
            territoire="Montreynaud",
            objectifs="Accompagner les familles.",
            cout=Decimal("8000"),
            contribution=Decimal("2000"),
            statut="proposee",
        )
        tranche.ajouter(action)
    quartiers = Quartier.objects.filter(collectivite=contrat.collectivite).order_by("pk")[:2]
    tranche.actions.get(intitule="Atelier reconduit 1").quartiers.set(quartiers)
    return tranche


def textes(reponse):
    return [str(m) for m in reponse.context["messages"]]


def test_it_shows_a_tranche_s_actions_in_the_form_and_creates_nothing_on_annuler(client, agent, tranche):
    client.force_login(agent)
    avant = Action.objects.count()
    page = client.get(RECONDUCTION, {"tranche": tranche.pk})
    contenu = page.content.decode()
    assert [a.intitule for a, _ in page.context["lignes"]] == [
        "Atelier reconduit 1",
        "Atelier reconduit 2",
        "Atelier reconduit 3",
    ]
    assert f'href="{reverse("programmation:tranche", args=[tranche.pk])}">Annuler</a>' in contenu
    assert Action.objects.count() == avant


def test_it_reconducts_the_chosen_actions_as_drafts_of_next_year(client, agent, tranche):
    client.force_login(agent)
    sources = list(tranche.actions.order_by("intitule"))
    reponse = client.post(RECONDUCTION, {"action": [sources[0].pk, sources[1].pk]})
    assert reponse.status_code == 200
    assert [(r.source.pk, r.copie.annee) for r in reponse.context["bilan"].faites] == [
        (sources[0].pk, 2025),
        (sources[1].pk, 2025),
    ]
    copie = Action.objects.get(reconduite_de=sources[0])
    assert (copie.annee, copie.statut, copie.tranche_id, copie.contribution) == (2025, "deposee", None, 0)
    assert (copie.intitule, copie.porteur, copie.axe, copie.territoire, copie.objectifs, copie.cout) == (
        "Atelier reconduit 1",
        sources[0].porteur,
        sources[0].axe,
        "Montreynaud",
        "Accompagner les familles.",
        Decimal("8000"),
    )
    assert set(copie.quartiers.all()) == set(sources[0].quartiers.all()) and copie.quartiers.count() == 2
    trace = copie.modifications.get()
    assert (trace.champ, trace.apres, trace.auteur) == (
        "reconduite de",
        "Atelier reconduit 1 / AGASEF (2024)",
        agent,
    )
    assert not Action.objects.filter(reconduite_de=sources[2]).exists()


def test_it_says_where_the_copy_is_at_a_second_reconduction_and_makes_none(client, agent, tranche):
    client.force_login(agent)
    ids = list(tranche.actions.order_by("intitule").values_list("pk", flat=True))
    client.post(RECONDUCTION, {"action": ids[:1]})
    copie = Action.objects.get(reconduite_de=ids[0])
    reponse = client.post(RECONDUCTION, {"action": ids})
    bilan = reponse.context["bilan"]
    assert [r.source.pk for r in bilan.faites] == ids[1:]
    assert [(i.source.pk, i.raison, i.copie) for i in bilan.ignorees] == [
        (ids[0], "déjà reconduite en 2025 : « Atelier reconduit 1 »", copie)
    ]
    contenu = reponse.content.decode()
    assert (
        f'<a href="{reverse("programmation:action", args=[copie.pk])}">« Atelier reconduit 1 »</a>' in contenu
    )
    assert "2 actions reconduites, 1 laissée de côté." in contenu
    assert Action.objects.filter(reconduite_de__in=ids).count() == 3
    # The form shows it too, with no checkbox for it.
    page = client.get(RECONDUCTION, {"tranche": tranche.pk}).content.decode()
    assert f'value="{ids[0]}"' not in page and "déjà reconduite en 2025" in page


def test_it_makes_one_copy_when_the_one_action_button_is_pressed_twice_and_leads_to_it(client, agent):
    client.force_login(agent)
    action = Action.objects.get(numero_dauphin="265738")  # Mentorat lycéen / AFEV, 2024
    adresse = reverse("programmation:action_reconduire", args=[action.pk])
    client.post(adresse)
    copie = Action.objects.get(reconduite_de=action)
    reponse = client.post(adresse)
    assert reponse["Location"] == reverse("programmation:action", args=[copie.pk])
    assert Action.objects.filter(reconduite_de=action).count() == 1
    page = client.get(reverse("programmation:action", args=[action.pk])).content.decode()
    assert f'Reconduite en 2025 : <a href="{reverse("programmation:action", args=[copie.pk])}">' in page


def test_it_refuses_a_second_copy_in_the_database_whatever_writes_it(tranche):
    source = tranche.actions.first()
    Action.objects.filter(pk=source.pk).reconduire(None)
    double = source.copie_pour(2025)
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.create(**{f.attname: getattr(double, f.attname) for f in Action._meta.concrete_fields})
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.bulk_create([source.copie_pour(2025)])
    assert Action.objects.filter(reconduite_de=source).count() == 1
    # Another year is another copy.
    Action.objects.create(
        **{f.attname: getattr(double, f.attname) for f in Action._meta.concrete_fields} | {"annee": 2026}
    )
    assert Action.objects.filter(reconduite_de=source).count() == 2


def test_it_skips_an_action_in_the_last_year_of_its_contract(client, agent):
    client.force_login(agent)
    # The 2015-2020 contract's 2019 action, reconducted into 2020, its last year.
    en_2020 = Action.objects.get(annee=2019, intitule="Apprentis volontaires").reconduire(agent)
    reponse = client.post(RECONDUCTION, {"action": [en_2020.pk]})
    (ignoree,) = reponse.context["bilan"].ignorees
    assert "s'achève en 2020" in ignoree.raison
    assert not Action.objects.filter(reconduite_de=en_2020).exists()


def test_it_deletes_a_draft_copy_from_its_page(client, agent, tranche):
    client.force_login(agent)
    source = tranche.actions.first()
    copie = source.reconduire(agent)
    page = client.get(reverse("programmation:action", args=[copie.pk])).content.decode()
    assert "Supprimer ce brouillon" in page
    supprimer = reverse("programmation:action_supprimer", args=[copie.pk])
    reponse = client.post(supprimer, follow=True)
    assert "Rien n'a été supprimé" in textes(reponse)[0]
    assert Action.objects.filter(pk=copie.pk).exists()
    reponse = client.post(supprimer, {"confirmer": "oui"})
    assert reponse["Location"] == reverse("programmation:action", args=[source.pk])
    assert not Action.objects.filter(pk=copie.pk).exists()
    trace = Modification.objects.get(action=source, champ="reconduction en 2025")
    assert (trace.avant, trace.apres, trace.auteur) == (str(copie), "brouillon supprimé", agent)
    # Deleted, it may be reconducted again.
    assert source.reconduire(agent).annee == 2025


def test_it_deletes_only_a_draft_copy(client, agent, agent_sedr, tranche):
    votee = tranche_votee_avec_cofinancement(Decimal("1000")).actions.get()
    client.force_login(agent)
    for action in (votee, tranche.actions.first()):
        reponse = client.post(
            reverse("programmation:action_supprimer", args=[action.pk]), {"confirmer": "oui"}
        )
        assert reponse.status_code == 302
        assert Action.objects.filter(pk=action.pk).exists()
    copie = tranche.actions.first().reconduire(agent)
    tranche_2025 = Tranche.objects.creer_suivante(tranche.contrat, 2025)
    tranche_2025.ajouter(copie)
    client.post(reverse("programmation:action_supprimer", args=[copie.pk]), {"confirmer": "oui"})
    assert Action.objects.filter(pk=copie.pk).exists()
    # Another authority's agent: 404, never the draft.
    tranche_2025.retirer(copie)
    client.force_login(agent_sedr)
    reponse = client.post(reverse("programmation:action_supprimer", args=[copie.pk]), {"confirmer": "oui"})
    assert reponse.status_code == 404
    assert Action.objects.filter(pk=copie.pk).exists()


def test_it_neither_shows_nor_reconducts_another_authority_s_actions(client, agent_sedr, tranche):
    client.force_login(agent_sedr)
    page = client.get(RECONDUCTION, {"tranche": tranche.pk, "action": tranche.actions.first().pk})
    assert page.context["lignes"] == []
    reponse = client.post(RECONDUCTION, {"action": [tranche.actions.first().pk]})
    assert reponse.status_code == 404
    assert not Action.objects.filter(reconduite_de__tranche=tranche).exists()


def test_it_does_not_let_an_elected_official_reconduct(client, elu, tranche):
    client.force_login(elu)
    assert client.get(RECONDUCTION, {"tranche": tranche.pk}).status_code == 403
    assert client.post(RECONDUCTION, {"action": [tranche.actions.first().pk]}).status_code == 403
    assert not Action.objects.filter(reconduite_de__tranche=tranche).exists()


def test_it_makes_the_same_queries_for_the_form_with_3_or_30_actions(client, agent, tranche):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(agent)

    def requetes():
        with CaptureQueriesContext(connection) as capture:
            assert client.get(RECONDUCTION, {"tranche": tranche.pk}).status_code == 200
        return len(capture)

    peu = requetes()
    modele = tranche.actions.first()
    for rang in range(27):
        action = Action.objects.create(
            contrat=modele.contrat,
            annee=2024,
            intitule=f"Atelier en plus {rang}",
            porteur=modele.porteur,
            axe=modele.axe,
            statut="proposee",
        )
        tranche.ajouter(action)
    Action.objects.filter(pk=modele.pk).reconduire(agent)
    assert requetes() == peu
