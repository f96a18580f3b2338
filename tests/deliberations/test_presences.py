"""Attendance by exception: "tous présents", the previous séance's list, then the exceptions; the CGCT's
rules (bureau present, pouvoir to a present member, one each, L2121-20) through every door."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deliberations.models import Presence, Seance, Trace

from ..factories import InstanceFactory, seance_avec_membres

pytestmark = pytest.mark.django_db

PRESENT, EXCUSE, POUVOIR = "present", "excuse", "pouvoir"


def _seance(collectivite, membres, date=datetime.date(2025, 3, 20), instance=None):
    """A séance of `membres` élus, list not taken; the first is président, the second secrétaire."""
    instance = instance or InstanceFactory(collectivite=collectivite)
    seance, elus = seance_avec_membres(membres=membres, presents=0, instance=instance, date=date)
    Presence.objects.filter(seance=seance).delete()
    Seance.objects.filter(pk=seance.pk).update(president=elus[0], secretaire=elus[1])
    seance.refresh_from_db()
    return seance, elus


def _suivante(avant, date, **champs):
    """The next séance of the same instance, same members, same bureau unless told."""
    champs = {"president": avant.president, "secretaire": avant.secretaire} | champs
    return Seance.objects.create(
        instance=avant.instance, date=date, date_convocation=date, membres_en_exercice=6, **champs
    )


def _liste(seance, elus, etats):
    seance.presences.all().delete()
    for i, elu in enumerate(elus):
        etat, mandataire = etats.get(elu.pk, (PRESENT, None))
        Presence.objects.create(seance=seance, elu=elu, etat=etat, mandataire_id=mandataire, ordre=i)


def _page(seance, changements):
    """The list as the page posts it: every row with the value shown, the changed ones as typed."""
    elus = list(seance.membres().order_by("nom", "prenom"))
    actuels = seance.etats()
    donnees = {"presences-TOTAL_FORMS": len(elus), "presences-INITIAL_FORMS": len(elus)}
    for i, elu in enumerate(elus):
        vu = actuels.get(elu.pk, ("", None))
        etat, mandataire = changements.get(elu.pk, vu)
        donnees |= {
            f"presences-{i}-elu": elu.pk,
            f"presences-{i}-etat": etat,
            f"presences-{i}-mandataire": mandataire or "",
            f"initial-presences-{i}-etat": vu[0],
            f"initial-presences-{i}-mandataire": vu[1] or "",
        }
    return donnees


def _poster(client, seance, changements):
    return client.post(
        reverse("deliberations:seance_presences", args=[seance.pk]), _page(seance, changements)
    )


@pytest.fixture
def seance6(sem):
    return _seance(sem, 6)


# --- "Tous présents" and the previous séance ---------------------------------------------------------


def test_it_marks_everyone_present_in_one_post_and_clears_the_pouvoirs(client, agent, seance6):
    seance, elus = seance6
    _liste(seance, elus, {elus[4].pk: (POUVOIR, elus[2].pk), elus[5].pk: (EXCUSE, None)})
    client.force_login(agent)
    reponse = client.post(reverse("deliberations:seance_tous_presents", args=[seance.pk]))
    assert reponse.status_code == 302
    assert reponse["Location"] == f"/deliberations/seances/{seance.pk}/#presences"
    assert seance.etats() == {e.pk: (PRESENT, None) for e in elus}
    # Journaled like any change of the list: the two members whose attendance changed.
    assert sorted(Trace.objects.filter(seance=seance).values_list("apres", flat=True)) == ["Présent"] * 2
    page = client.get(reponse["Location"]).content.decode()
    assert "Tous les membres sont présents." in page


def test_it_refuses_tous_presents_whole_when_the_instance_has_more_members_than_in_office(
    client, agent, seance6
):
    seance, elus = seance6
    Seance.objects.filter(pk=seance.pk).update(membres_en_exercice=5)
    client.force_login(agent)
    reponse = client.post(reverse("deliberations:seance_tous_presents", args=[seance.pk]))
    assert reponse.status_code == 400
    assert "La liste compte 6 membres pour 5 membres en exercice." in reponse.content.decode()
    assert not seance.presences.exists() and not Trace.objects.filter(seance=seance).exists()


def test_it_copies_the_previous_seance_of_the_instance_for_the_members_still_in_it(client, agent, sem):
    avant, elus = _seance(sem, 6, date=datetime.date(2025, 1, 9))
    _liste(avant, elus, {elus[3].pk: (POUVOIR, elus[2].pk), elus[4].pk: (EXCUSE, None)})
    # A later séance of another instance is not "the previous one".
    autre, autres = _seance(sem, 4, date=datetime.date(2025, 2, 1))
    _liste(autre, autres, {})
    seance = _suivante(avant, datetime.date(2025, 3, 20))
    seance.instance.membres.remove(elus[5])
    client.force_login(agent)
    reponse = client.post(reverse("deliberations:seance_reprendre_presences", args=[seance.pk]))
    assert reponse.status_code == 302
    assert seance.etats() == {
        elus[0].pk: (PRESENT, None),
        elus[1].pk: (PRESENT, None),
        elus[2].pk: (PRESENT, None),
        elus[3].pk: (POUVOIR, elus[2].pk),
        elus[4].pk: (EXCUSE, None),
    }
    assert Trace.objects.filter(seance=seance).count() == 5
    page = client.get(reponse["Location"]).content.decode()
    assert "Présences reprises de la séance du 9 janvier 2025." in page


def test_it_says_when_there_is_no_previous_seance_and_changes_nothing(client, agent, seance6):
    seance, _ = seance6
    client.force_login(agent)
    reponse = client.post(reverse("deliberations:seance_reprendre_presences", args=[seance.pk]), follow=True)
    assert (
        "Aucune séance précédente de cette instance : rien n&#x27;a été repris." in reponse.content.decode()
    )
    assert not seance.presences.exists()


def test_it_refuses_the_copy_whole_when_the_new_secretaire_was_absent(client, agent, sem):
    avant, elus = _seance(sem, 6, date=datetime.date(2025, 1, 9))
    _liste(avant, elus, {elus[4].pk: (EXCUSE, None)})
    seance = _suivante(avant, datetime.date(2025, 3, 20), secretaire=elus[4])
    client.force_login(agent)
    reponse = client.post(reverse("deliberations:seance_reprendre_presences", args=[seance.pk]))
    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert f"Le secrétaire de séance, Mme Camille {elus[4].nom}, doit être présent" in page
    assert "1 erreur : rien n'a été enregistré" in page
    assert not seance.presences.exists()


def test_it_refuses_the_copy_whole_when_a_mandataire_has_left_the_instance(client, agent, sem):
    avant, elus = _seance(sem, 6, date=datetime.date(2025, 1, 9))
    _liste(avant, elus, {elus[3].pk: (POUVOIR, elus[5].pk)})
    seance = _suivante(avant, datetime.date(2025, 3, 20))
    seance.instance.membres.remove(elus[5])
    client.force_login(agent)
    reponse = client.post(reverse("deliberations:seance_reprendre_presences", args=[seance.pk]))
    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert f"Mme Camille {elus[3].nom} : Le mandataire doit être un membre de l&#x27;instance." in page
    assert not seance.presences.exists() and not Trace.objects.filter(seance=seance).exists()


def test_it_refuses_tous_presents_when_the_president_sits_outside_the_instance(client, agent, seance6, sem):
    seance, _ = seance6
    _, ailleurs = _seance(sem, 2)
    Seance.objects.filter(pk=seance.pk).update(president=ailleurs[0])
    client.force_login(agent)
    reponse = client.post(reverse("deliberations:seance_tous_presents", args=[seance.pk]))
    assert reponse.status_code == 400
    assert (
        f"Le président de séance, Mme Camille {ailleurs[0].nom}, doit être présent"
        in reponse.content.decode()
    )
    assert not seance.presences.exists()


# --- The exceptions, through the form ----------------------------------------------------------------


def test_it_changes_only_the_rows_changed_by_the_agent(client, agent, seance6):
    seance, elus = seance6
    _liste(seance, elus, {})
    page = _page(seance, {elus[4].pk: (EXCUSE, None)})
    # Meanwhile another agent marks the sixth member excused: the first agent did not touch that row.
    Presence.objects.filter(seance=seance, elu=elus[5]).update(etat=EXCUSE)
    client.force_login(agent)
    assert client.post(reverse("deliberations:seance_presences", args=[seance.pk]), page).status_code == 302
    assert seance.etats()[elus[4].pk] == (EXCUSE, None)
    assert seance.etats()[elus[5].pk] == (EXCUSE, None)
    assert list(Trace.objects.filter(seance=seance).values_list("avant", "apres")) == [
        ("Présent", "Absent excusé")
    ]


@pytest.mark.parametrize(
    "changements, message",
    [
        ({1: (EXCUSE, None)}, "Le secrétaire de séance, Mme Camille {1}, doit être présent"),
        ({0: (POUVOIR, 2)}, "Le président de séance, Mme Camille {0}, doit être présent"),
        ({1: ("", None)}, "Le secrétaire de séance, Mme Camille {1}, doit être présent"),
        ({4: (EXCUSE, None), 5: (POUVOIR, 4)}, "donne pouvoir à Mme Camille {4}, qui doit être présent"),
        ({4: (POUVOIR, 2), 5: (POUVOIR, 2)}, "Mme Camille {2} détient déjà le pouvoir de"),
        ({4: (POUVOIR, 4)}, "Mme Camille {4} ne peut pas se donner pouvoir à lui-même."),
        ({4: (PRESENT, 2)}, "Mme Camille {4} n&#x27;a pas donné pouvoir : ne nommez pas de mandataire."),
        ({4: (POUVOIR, None)}, "Mme Camille {4} donne pouvoir : choisissez à qui."),
    ],
)
def test_it_refuses_in_the_form_each_rule_on_its_row_with_a_summary(
    client, agent, seance6, changements, message
):
    seance, elus = seance6
    _liste(seance, elus, {})
    client.force_login(agent)
    changements = {
        elus[i].pk: (etat, elus[m].pk if m is not None else None) for i, (etat, m) in changements.items()
    }
    reponse = _poster(client, seance, changements)
    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert message.format(*(e.nom for e in elus)) in page
    assert "1 erreur : rien n'a été enregistré" in page
    assert 'id="erreurs-presences" role="alert" tabindex="-1" autofocus' in page
    # The summary links to the faulty field, whose row says "Erreur" and is described by it.
    assert '<a href="#id_presences-' in page and 'class="en-erreur"' in page
    assert "Erreur :" in page and 'aria-describedby="presences-' in page
    assert seance.etats() == {e.pk: (PRESENT, None) for e in elus}
    assert not Trace.objects.filter(seance=seance).exists()


def test_it_counts_every_error_in_the_summary(client, agent, seance6):
    seance, elus = seance6
    _liste(seance, elus, {})
    client.force_login(agent)
    reponse = _poster(
        client,
        seance,
        {
            elus[1].pk: (EXCUSE, None),
            elus[3].pk: (POUVOIR, elus[3].pk),
            elus[4].pk: (POUVOIR, elus[2].pk),
            elus[5].pk: (POUVOIR, elus[2].pk),
        },
    )
    page = reponse.content.decode()
    assert reponse.status_code == 400
    assert "3 erreurs : rien n'a été enregistré" in page
    assert page.count('class="en-erreur"') == 3


def test_it_saves_nothing_for_a_foreign_or_unknown_member_in_the_post(
    client, agent, agent_sedr, seance6, sedr
):
    seance, elus = seance6
    _liste(seance, elus, {})
    etranger, _ = _seance(sedr, 2)
    donnees = _page(seance, {})
    donnees["presences-3-elu"] = etranger.president_id
    donnees["presences-3-etat"] = EXCUSE
    client.force_login(agent)
    reponse = client.post(reverse("deliberations:seance_presences", args=[seance.pk]), donnees)
    assert reponse.status_code == 400
    assert "Un élu de la liste n&#x27;est pas membre de cette instance." in reponse.content.decode()
    donnees["presences-3-elu"] = donnees["presences-2-elu"]
    reponse = client.post(reverse("deliberations:seance_presences", args=[seance.pk]), donnees)
    assert "Un élu figure deux fois dans la liste." in reponse.content.decode()
    assert seance.etats() == {e.pk: (PRESENT, None) for e in elus}


def test_it_answers_404_to_another_authority_on_every_attendance_url(client, agent_sedr, seance6):
    seance, elus = seance6
    _liste(seance, elus, {elus[5].pk: (EXCUSE, None)})
    client.force_login(agent_sedr)
    for nom in ("seance_presences", "seance_tous_presents", "seance_reprendre_presences"):
        adresse = reverse(f"deliberations:{nom}", args=[seance.pk])
        assert client.post(adresse, _page(seance, {})).status_code == 404, nom
    assert seance.etats()[elus[5].pk] == (EXCUSE, None)


def test_it_answers_403_to_an_elu_and_405_to_a_get(client, elu, agent, seance6):
    seance, _ = seance6
    client.force_login(elu)
    for nom in ("seance_tous_presents", "seance_reprendre_presences"):
        assert client.post(reverse(f"deliberations:{nom}", args=[seance.pk])).status_code == 403
    client.force_login(agent)
    assert client.get(reverse("deliberations:seance_tous_presents", args=[seance.pk])).status_code == 405
    assert not seance.presences.exists()


def test_it_keeps_the_list_of_a_seance_with_votes_whatever_the_button(client, agent):
    seance = Seance.objects.get(date="2024-05-16")
    avant = seance.etats()
    client.force_login(agent)
    reponse = client.post(reverse("deliberations:seance_tous_presents", args=[seance.pk]))
    assert reponse.status_code == 400
    assert "liste de présence et son nombre de membres en exercice sont arrêtés" in reponse.content.decode()
    assert seance.etats() == avant


# --- 68 members: "tous présents" and 5 exceptions in two requests -----------------------------------


def test_it_takes_a_68_member_seance_with_tous_presents_and_5_exceptions_in_2_requests(client, agent, sem):
    seance, elus = _seance(sem, 68)
    client.force_login(agent)
    requetes = [
        client.post(reverse("deliberations:seance_tous_presents", args=[seance.pk])),
        _poster(
            client,
            seance,
            {
                elus[10].pk: (EXCUSE, None),
                elus[11].pk: (EXCUSE, None),
                elus[12].pk: (EXCUSE, None),
                elus[13].pk: (POUVOIR, elus[20].pk),
                elus[14].pk: (POUVOIR, elus[21].pk),
            },
        ),
    ]
    assert [r.status_code for r in requetes] == [302, 302]
    d = seance.decompte()
    assert (d.membres_en_exercice, d.presents, d.pouvoirs, d.excuses, d.voix) == (68, 63, 2, 3, 65)
    assert d.quorum_atteint
    # 68 lines for "tous présents", then one per exception.
    assert Trace.objects.filter(seance=seance).count() == 68 + 5


def test_it_makes_the_same_queries_for_the_seance_page_with_10_and_68_members(
    client, agent, sem, django_assert_num_queries
):
    petite, petits = _seance(sem, 10)
    _liste(petite, petits, {petits[5].pk: (POUVOIR, petits[2].pk)})
    grande, grands = _seance(sem, 68)
    _liste(grande, grands, {grands[5].pk: (POUVOIR, grands[2].pk), grands[6].pk: (EXCUSE, None)})
    client.force_login(agent)
    with CaptureQueriesContext(connection) as requetes:
        client.get(reverse("deliberations:seance", args=[petite.pk]))
    with django_assert_num_queries(len(requetes)):
        page = client.get(reverse("deliberations:seance", args=[grande.pk])).content.decode()
    assert page.count('name="presences-') == 68 * 3 + 4  # + the management form
    assert "Tous présents" in page and "Aucune séance précédente de cette instance." in page


# --- The rules on the models (admin, shell, any future door) ------------------------------------------


def test_it_fails_full_clean_of_a_presence_breaking_a_rule(seance6):
    seance, elus = seance6
    _liste(seance, elus, {elus[4].pk: (POUVOIR, elus[2].pk), elus[5].pk: (EXCUSE, None)})

    def refus(elu, **champs):
        presence = Presence.objects.get(seance=seance, elu=elu)
        for champ, valeur in champs.items():
            setattr(presence, champ, valeur)
        with pytest.raises(ValidationError) as erreur:
            presence.full_clean()
        return " ".join(erreur.value.messages)

    assert "Le secrétaire de séance doit être présent" in refus(elus[1], etat=EXCUSE)
    assert "Le président de séance doit être présent" in refus(elus[0], etat=POUVOIR, mandataire=elus[3])
    assert "Le mandataire doit être présent" in refus(elus[3], etat=POUVOIR, mandataire=elus[5])
    assert "un seul pouvoir (CGCT L2121-20)" in refus(elus[3], etat=POUVOIR, mandataire=elus[2])
    assert "lui-même" in refus(elus[3], etat=POUVOIR, mandataire=elus[3])
    assert "seul un pouvoir en nomme un" in refus(elus[3], mandataire=elus[2])
    assert "détient un pouvoir : il doit rester présent" in refus(elus[2], etat=EXCUSE)
    assert seance.etats()[elus[1].pk] == (PRESENT, None)


def test_it_refuses_an_absent_bureau_in_enregistrer_presences_and_keeps_the_list(seance6):
    seance, elus = seance6
    _liste(seance, elus, {})
    with pytest.raises(ValidationError) as erreur:
        seance.enregistrer_presences(
            {e.pk: (PRESENT, None) for e in elus} | {elus[0].pk: (EXCUSE, None), elus[1].pk: (None, None)}
        )
    assert erreur.value.messages == [
        f"Le secrétaire de séance, Mme Camille {elus[1].nom}, doit être présent (ni absent, ni représenté).",
        f"Le président de séance, Mme Camille {elus[0].nom}, doit être présent (ni absent, ni représenté).",
    ]
    assert seance.etats() == {e.pk: (PRESENT, None) for e in elus}


def test_it_holds_the_rules_in_the_model_methods_too(seance6):
    seance, elus = seance6
    seance.tous_presents()
    assert seance.decompte().presents == 6
    assert seance.reprendre_presences() is None
    suivante = _suivante(seance, datetime.date(2025, 4, 3), president=elus[4])
    seance.enregistrer_presences({e.pk: (PRESENT, None) for e in elus} | {elus[4].pk: (EXCUSE, None)})
    with pytest.raises(ValidationError, match="Le président de séance"):
        suivante.reprendre_presences()
    assert not suivante.presences.exists()


def test_it_does_not_change_the_president_to_an_absent_member(client, agent, seance6):
    seance, elus = seance6
    _liste(seance, elus, {elus[5].pk: (EXCUSE, None)})
    seance.president = elus[5]
    with pytest.raises(ValidationError) as erreur:
        seance.full_clean()
    assert "Le président de séance doit être présent à la séance" in erreur.value.message_dict["president"][0]
    client.force_login(agent)
    donnees = {
        "instance": seance.instance_id,
        "date": "2025-03-20",
        "date_convocation": "2025-03-20",
        "membres_en_exercice": "6",
        "president": elus[5].pk,
        "secretaire": elus[1].pk,
    }
    reponse = client.post(reverse("deliberations:seance_modifier", args=[seance.pk]), donnees)
    assert reponse.status_code == 400
    assert "Le président de séance doit être présent à la séance" in reponse.content.decode()
    seance.refresh_from_db()
    assert seance.president_id == elus[0].pk


def test_it_requires_the_secretaire_to_be_a_member_of_the_instance(seance6, sem):
    seance, _ = seance6
    _, ailleurs = _seance(sem, 2)
    seance.secretaire = ailleurs[0]
    with pytest.raises(ValidationError) as erreur:
        seance.full_clean()
    assert erreur.value.message_dict["secretaire"] == [
        "Le secrétaire de séance doit être membre de l'instance."
    ]
