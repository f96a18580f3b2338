"""Séances: attendance under the CGCT (quorum L2121-17, one pouvoir each L2121-20), pages and rights."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape

from deliberations.models import Deliberation, Instance, Presence, Seance

from ..factories import DeliberationFactory, InstanceFactory, seance_avec_membres

pytestmark = pytest.mark.django_db


def test_it_has_quorum_with_more_than_half_of_the_members_present():
    seance, _ = seance_avec_membres(membres=10, presents=6)
    decompte = seance.decompte()
    assert (decompte.presents, decompte.quorum_requis, decompte.quorum_atteint) == (6, 6, True)


def test_it_misses_quorum_at_exactly_half_even_with_pouvoirs():
    seance, elus = seance_avec_membres(membres=10, presents=5)
    # Two absent members give pouvoir: votants grow, the quorum does not (pouvoirs do not count).
    seance.enregistrer_presences(
        {
            **{e.pk: ("present", None) for e in elus[:5]},
            elus[5].pk: ("pouvoir", elus[0].pk),
            elus[6].pk: ("pouvoir", elus[1].pk),
        }
    )
    decompte = seance.decompte()
    assert (decompte.presents, decompte.pouvoirs, decompte.voix) == (5, 2, 7)
    assert not decompte.quorum_atteint


def test_it_refuses_a_second_pouvoir_and_keeps_the_list_as_it_was():
    seance, elus = seance_avec_membres(membres=10, presents=6)
    with pytest.raises(ValidationError) as erreur:
        seance.enregistrer_presences(
            {
                **{e.pk: ("present", None) for e in elus[:6]},
                elus[6].pk: ("pouvoir", elus[0].pk),
                elus[7].pk: ("pouvoir", elus[0].pk),
            }
        )
    assert "un seul pouvoir (CGCT L2121-20)" in " ".join(erreur.value.messages)
    assert seance.presences.filter(etat="pouvoir").count() == 0


def test_it_refuses_a_second_pouvoir_in_the_database_too():
    seance, elus = seance_avec_membres(membres=10, presents=6)
    Presence.objects.filter(seance=seance, elu=elus[6]).update(etat="pouvoir", mandataire=elus[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        Presence.objects.filter(seance=seance, elu=elus[7]).update(etat="pouvoir", mandataire=elus[0])


def test_it_refuses_a_pouvoir_to_an_absent_member():
    seance, elus = seance_avec_membres(membres=10, presents=6)
    with pytest.raises(ValidationError, match="qui doit être présent"):
        seance.enregistrer_presences(
            {
                **{e.pk: ("present", None) for e in elus[:6]},
                elus[7].pk: ("excuse", None),
                elus[8].pk: ("pouvoir", elus[7].pk),
            }
        )


def test_it_closes_the_attendance_of_a_seance_with_votes():
    seance = Seance.objects.get(date="2024-05-16")
    with pytest.raises(
        ValidationError, match="liste de présence et son nombre de membres en exercice sont arrêtés"
    ):
        seance.enregistrer_presences({})
    seance.membres_en_exercice = 70
    with pytest.raises(ValidationError, match="sont arrêtés"):
        seance.full_clean()
    assert seance.presences.count() == 54 + 8 + 6  # présents, pouvoirs, excusés of the extract


# Figures typed from the extracts (seeds 000, 001 and 003).
@pytest.mark.parametrize(
    "numero, en_exercice, presents, pouvoirs, voix",
    [("2024.00230", 68, 54, 8, 62), ("2019.00081", 69, 55, 0, 55), ("2024.00417", 67, 40, 6, 46)],
)
def test_it_counts_the_seed_deliberations_as_their_extract(numero, en_exercice, presents, pouvoirs, voix):
    decompte = Deliberation.objects.get(numero=numero).decompte()
    assert (decompte.membres_en_exercice, decompte.presents, decompte.pouvoirs, decompte.voix) == (
        en_exercice,
        presents,
        pouvoirs,
        voix,
    )
    assert decompte.quorum_atteint


def _formset(seance, etats):
    """The attendance form as the page posts it: one row per member of the instance."""
    elus = list(seance.membres().order_by("nom", "prenom"))
    donnees = {
        "presences-TOTAL_FORMS": str(len(elus)),
        "presences-INITIAL_FORMS": str(len(elus)),
        "presences-MIN_NUM_FORMS": "0",
        "presences-MAX_NUM_FORMS": "1000",
    }
    for i, elu in enumerate(elus):
        etat, mandataire = etats.get(elu.pk, ("", None))
        donnees[f"presences-{i}-elu"] = elu.pk
        donnees[f"presences-{i}-etat"] = etat
        donnees[f"presences-{i}-mandataire"] = mandataire or ""
    return donnees


@pytest.fixture
def seance_sem(sem):
    instance = Instance.objects.get(collectivite=sem, nom="Bureau Métropolitain")
    seance, elus = seance_avec_membres(membres=6, presents=0, instance=instance)
    Presence.objects.filter(seance=seance).delete()
    return seance, elus


def test_it_lets_an_agent_take_attendance_from_the_seance_page(client, agent, seance_sem):
    seance, elus = seance_sem
    client.force_login(agent)
    etats = {e.pk: ("present", None) for e in elus[:4]} | {elus[4].pk: ("pouvoir", elus[0].pk)}
    reponse = client.post(
        reverse("deliberations:seance_presences", args=[seance.pk]), _formset(seance, etats)
    )
    assert reponse.status_code == 302
    page = client.get(reverse("deliberations:seance", args=[seance.pk])).content.decode()
    d = seance.decompte()
    assert (d.membres_en_exercice, d.presents, d.pouvoirs, d.excuses, d.voix) == (6, 4, 1, 0, 5)
    assert "atteint" in page and "il en faut au moins 4" in page


def test_it_refuses_a_second_pouvoir_in_the_attendance_form_with_a_message_and_saves_nothing(
    client, agent, seance_sem
):
    seance, elus = seance_sem
    client.force_login(agent)
    etats = {e.pk: ("present", None) for e in elus[:3]}
    etats |= {elus[3].pk: ("pouvoir", elus[0].pk), elus[4].pk: ("pouvoir", elus[0].pk)}
    reponse = client.post(
        reverse("deliberations:seance_presences", args=[seance.pk]), _formset(seance, etats)
    )
    assert reponse.status_code == 400
    assert "ne peut détenir qu&#x27;un seul pouvoir" in reponse.content.decode()
    assert not seance.presences.exists()


def test_it_lets_an_agent_prepare_a_seance_and_put_a_deliberation_on_its_agenda(client, agent, sem):
    client.force_login(agent)
    instance = Instance.objects.get(collectivite=sem)
    reponse = client.post(
        reverse("deliberations:seance_creer"),
        {"instance": instance.pk, "date": "2025-03-20", "date_convocation": "2025-03-12"},
    )
    seance = Seance.objects.get(date=datetime.date(2025, 3, 20))
    assert reponse["Location"] == reverse("deliberations:seance", args=[seance.pk])
    # Left empty, the Bureau's members in office (67, as at the 4 July 2024 séance of the seeds).
    assert seance.membres_en_exercice == 67
    client.post(
        reverse("deliberations:seance_inscrire", args=[seance.pk]),
        {"objet": "Subvention au centre social", "nature": "ordinaire"},
    )
    assert seance.deliberations.get().numero == "2025.00001"


def test_it_refuses_a_convocation_after_the_seance(client, agent, sem):
    client.force_login(agent)
    instance = Instance.objects.get(collectivite=sem)
    reponse = client.post(
        reverse("deliberations:seance_creer"),
        {"instance": instance.pk, "date": "2025-03-20", "date_convocation": "2025-03-22"},
    )
    assert reponse.status_code == 400
    assert "La convocation doit précéder la séance." in reponse.content.decode()


def test_it_reorders_the_agenda(client, agent, seance_sem):
    seance, _ = seance_sem
    premiere = Deliberation.objects.inscrire(seance, "Premier point")
    seconde = Deliberation.objects.inscrire(seance, "Second point")
    client.force_login(agent)
    client.post(reverse("deliberations:deplacer", args=[seconde.pk]), {"sens": "monter"})
    assert list(seance.deliberations.order_by("ordre_du_jour").values_list("pk", flat=True)) == [
        seconde.pk,
        premiere.pk,
    ]


def _requetes(client, adresse):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as requetes:
        client.get(adresse)
    return len(requetes)


def test_it_makes_the_same_queries_for_the_seance_list_with_5_and_50_seances(
    client, agent, sem, django_assert_num_queries
):
    client.force_login(agent)
    instance = Instance.objects.get(collectivite=sem)
    for i in range(2):  # with the 3 seed séances: 5
        seance_avec_membres(membres=4, presents=3, instance=instance, date=datetime.date(2020, 1, 1 + i))
    adresse = reverse("deliberations:seances")
    peu = _requetes(client, adresse)
    for i in range(45):
        seance, _ = seance_avec_membres(
            membres=4, presents=i % 4, instance=instance, date=datetime.date(2021, 1, 1)
        )
        DeliberationFactory(seance=seance)
    with django_assert_num_queries(peu):
        page = client.get(adresse).content.decode()
    assert page.count('href="/deliberations/seances/') - page.count("nouvelle") >= 50
    # 1 or 2 présents of 4 (i % 4 in {1, 2}): 11 + 11 séances without quorum; 0 présent: not yet taken.
    assert page.count("non atteint") == 22


def test_it_makes_the_same_queries_for_the_deliberation_list_with_5_and_50_rows(
    client, agent, sem, django_assert_num_queries
):
    client.force_login(agent)
    instance = Instance.objects.get(collectivite=sem)
    seance, _ = seance_avec_membres(membres=4, presents=3, instance=instance)
    for _ in range(2):  # with the 3 seed délibérations: 5
        DeliberationFactory(seance=seance)
    adresse = reverse("deliberations:liste")
    peu = _requetes(client, adresse)
    for _ in range(45):
        DeliberationFactory(seance=seance)
    with django_assert_num_queries(peu):
        page = client.get(adresse).content.decode()
    assert page.count("à voter") == 47


def test_it_lets_an_elu_read_the_seance_but_shows_no_form(client, elu):
    client.force_login(elu)
    seance = Seance.objects.get(date="2024-05-16")
    page = client.get(reverse("deliberations:seance", args=[seance.pk])).content.decode()
    assert "Présents" in page and "Enregistrer" not in page and "Inscrire" not in page


def test_it_shows_an_agent_the_attendance_of_a_voted_seance_closed_and_no_form_to_change_it(client, agent):
    client.force_login(agent)
    seance = Seance.objects.get(date="2024-05-16")  # the seed's Bureau: its délibérations are voted
    page = client.get(reverse("deliberations:seance", args=[seance.pk])).content.decode()
    assert "sa liste de présence et son nombre de membres en exercice sont arrêtés" in page
    assert "Enregistrer la liste de présence" not in page and "Tous présents" not in page
    assert 'name="presences-0-etat"' not in page
    # The list itself is shown as it stands, and the agenda can still be added to.
    assert "Inscrire une délibération à l'ordre du jour" in page
    lignes = [f"<li>{escape(str(p))}</li>" for p in seance.presences.select_related("elu", "mandataire")]
    assert len(lignes) == 68 and all(ligne in page for ligne in lignes)


def test_it_gives_an_agent_the_attendance_form_while_no_vote_is_recorded(client, agent, seance_sem):
    seance, _ = seance_sem
    client.force_login(agent)
    page = client.get(reverse("deliberations:seance", args=[seance.pk])).content.decode()
    assert "Enregistrer la liste de présence" in page and 'name="presences-0-etat"' in page
    assert "sont arrêtés" not in page


def test_it_answers_403_to_an_elu_on_every_write_url(client, elu):
    client.force_login(elu)
    seance = Seance.objects.get(date="2024-05-16")
    deliberation = Deliberation.objects.get(numero="2024.00230")
    adresses = [
        reverse("deliberations:seance_creer"),
        reverse("deliberations:seance_modifier", args=[seance.pk]),
    ]
    adresses += [
        reverse(f"deliberations:{nom}", args=[seance.pk]) for nom in ("seance_presences", "seance_inscrire")
    ]
    adresses += [
        reverse(f"deliberations:{nom}", args=[deliberation.pk])
        for nom in ("deplacer", "retirer", "voter", "presence", "prefecture", "ligne")
    ]
    for adresse in adresses:
        assert client.post(adresse, {}).status_code == 403, adresse
    assert Seance.objects.count() == 3


def test_it_makes_the_same_queries_for_the_seance_page_with_6_and_60_members(
    client, agent, sem, django_assert_num_queries
):
    client.force_login(agent)
    instance = Instance.objects.get(collectivite=sem)
    petite, _ = seance_avec_membres(membres=6, presents=4, instance=instance)
    grande, elus = seance_avec_membres(membres=60, presents=40, instance=InstanceFactory(collectivite=sem))
    Presence.objects.filter(seance=grande, elu=elus[50]).update(etat="pouvoir", mandataire=elus[0])
    for seance in (petite, grande):
        Deliberation.objects.inscrire(seance, "Point")
    peu = _requetes(client, reverse("deliberations:seance", args=[petite.pk]))
    with django_assert_num_queries(peu):
        page = client.get(reverse("deliberations:seance", args=[grande.pk])).content.decode()
    assert page.count('name="presences-') >= 60 * 3 and "40 présents, il en faut au moins 31" in page


DONNEES_HOSTILES = [
    {},
    {
        "sens": "x",
        "resultat": "zzz",
        "pour": "-5",
        "contre": "1e99",
        "ne_prenant_pas_part": ["abc", "999999"],
        "elu": "999999",
        "etat": "hack",
        "mandataire": "x",
        "identifiant_actes": "'; DROP TABLE",
        "date_publication": "2024-13-45",
        "action": "abc",
        "montant_apres": "1e99",
        "objet": "x" * 1000,
        "nature": "modificative",
        "tranche": "999999",
        "tranche_corrigee": "abc",
        "instance": "abc",
        "date": "nope",
        "membres_en_exercice": "-3",
    },
    {
        "presences-TOTAL_FORMS": "3",
        "presences-INITIAL_FORMS": "0",
        "presences-0-elu": "abc",
        "presences-1-elu": "999999",
        "presences-1-etat": "pouvoir",
        "presences-2-etat": "present",
        "resultat": "majorite",
        "pour": "99999999999999999999",
        "contre": "0",
        "abstention": "0",
        "confirmer": "1",
    },
]


@pytest.mark.parametrize("donnees", DONNEES_HOSTILES)
def test_it_answers_no_500_on_any_write_url_to_hostile_input(client, agent, donnees):
    client.force_login(agent)
    seance = Seance.objects.get(date="2024-05-16")
    deliberation = Deliberation.objects.get(numero="2024.00230")
    adresses = [
        reverse("deliberations:seance_creer"),
        reverse("deliberations:seance_modifier", args=[seance.pk]),
    ]
    adresses += [
        reverse(f"deliberations:{nom}", args=[seance.pk]) for nom in ("seance_presences", "seance_inscrire")
    ]
    adresses += [
        reverse(f"deliberations:{nom}", args=[deliberation.pk])
        for nom in ("deplacer", "retirer", "voter", "presence", "prefecture", "ligne")
    ]
    for adresse in adresses:
        assert client.post(adresse, donnees).status_code in (200, 302, 400), adresse
    deliberation.refresh_from_db()
    # Nothing invalid is stored: the vote stands, the préfecture's stamp is the seed's.
    assert deliberation.resultat_vote == "unanimite"
    assert deliberation.identifiant_actes == "042-244200770-20240516-D20240023010-DE"
    assert deliberation.seance.deliberations.count() == 1


def test_it_lists_the_seances_most_recent_first(client, agent):
    client.force_login(agent)
    page = client.get(reverse("deliberations:seances")).content.decode()
    # The three seed séances, typed from the délibérations.
    positions = [page.index(date) for date in ("4 juillet 2024", "16 mai 2024", "7 mars 2019")]
    assert positions == sorted(positions)
