"""The audit trail: attendance and votes traced with who, when, before and after; one read-only
journal of the authority, with actions' changes too, exportable as CSV."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deliberations.models import Deliberation, Trace
from programmation.models import Modification

from ..factories import ActionFactory, seance_avec_membres

pytestmark = pytest.mark.django_db


@pytest.fixture
def seance(agent):
    seance, elus = seance_avec_membres(membres=4, presents=3, instance__collectivite=agent.collectivite)
    return seance, elus


def test_it_traces_each_attendance_change_with_its_author(seance, agent):
    seance, (a, b, c, d) = seance
    seance.enregistrer_presences(
        {a.pk: ("present", None), b.pk: ("present", None), c.pk: ("pouvoir", a.pk), d.pk: ("present", None)},
        agent,
    )
    traces = {t.champ: t for t in Trace.objects.filter(seance=seance)}
    assert set(traces) == {f"présence de {c}", f"présence de {d}"}  # a and b did not change
    assert traces[f"présence de {c}"].avant == "Présent"
    assert traces[f"présence de {c}"].apres == f"a donné pouvoir à {a}"
    assert traces[f"présence de {d}"].avant == "Absent excusé"
    assert traces[f"présence de {d}"].apres == "Présent"
    assert {t.auteur for t in traces.values()} == {agent}


def noms_lus(requetes):
    """The queries reading members by a list of keys, whole rows (their names; the authority's check reads
    one column)."""
    return [
        q["sql"]
        for q in requetes
        if q["sql"].startswith('SELECT "deliberations_elu"."id", "deliberations_elu"."collectivite_id", "')
        and '"deliberations_elu"."id" IN (' in q["sql"]
    ]


def test_it_reads_no_name_for_the_trail_when_the_attendance_is_saved_unchanged(seance, agent):
    seance, _ = seance
    etats = seance.etats()
    with CaptureQueriesContext(connection) as sans_changement:
        seance.enregistrer_presences(etats, agent)
    assert not Trace.objects.filter(seance=seance).exists()
    # The check of the list reads its members' names once; the trail asks for none.
    assert len(noms_lus(sans_changement.captured_queries)) == 1


def test_it_names_in_the_trail_the_members_a_change_cites_and_no_other(seance, agent):
    seance, (a, b, c, d) = seance
    etats = seance.etats()
    etats[c.pk] = ("pouvoir", a.pk)
    with CaptureQueriesContext(connection) as requetes:
        seance.enregistrer_presences(etats, agent)
    (lecture,) = noms_lus(requetes.captured_queries)[1:]
    cles = {int(n) for n in lecture.split('"deliberations_elu"."id" IN (')[1].split(")")[0].split(",")}
    assert cles == {c.pk, a.pk}
    assert Trace.objects.get(seance=seance).apres == f"a donné pouvoir à {a}"


def test_it_traces_the_vote_and_a_late_arrival_on_the_deliberation(client, seance, agent):
    seance, (a, b, c, d) = seance
    deliberation = Deliberation.objects.inscrire(seance, "Subvention au centre social")
    deliberation.modifier_presence(d, "present", auteur=agent)
    deliberation.voter("majorite", 2, 1, 0, ne_prenant_pas_part=[b], auteur=agent)
    traces = list(deliberation.traces.order_by("pk").values_list("champ", "avant", "apres"))
    assert traces == [
        (f"présence de {d}", "Absent excusé", "Présent"),
        (
            "vote",
            "",
            "Ce dossier a été adopté par 2 voix pour, 1 voix contre et 0 abstention(s). "
            f"Ne prennent pas part au vote : {b}.",
        ),
    ]
    client.force_login(agent)
    page = client.get(reverse("deliberations:deliberation", args=[deliberation.pk])).content.decode()
    assert "Journal des présences et des votes" in page and "2 voix pour, 1 voix contre" in page


def test_it_lists_and_exports_the_whole_trail_of_the_authority(client, seance, elu, agent):
    seance, (a, b, c, d) = seance
    seance.enregistrer_presences(
        {a.pk: ("present", None), b.pk: ("present", None), c.pk: ("present", None)}, agent
    )
    action = ActionFactory(
        tranche__contrat__collectivite=agent.collectivite,
        porteur__collectivite=agent.collectivite,
        intitule="Action du journal",
    )
    Modification.objects.create(
        action=action, auteur=agent, champ="contribution", avant="1 000 €", apres="2 000 €"
    )
    Modification.objects.create(
        action=action, auteur=agent, champ="intitule", avant="=SOMME(A1)", apres="Action"
    )
    client.force_login(elu)
    page = client.get(reverse("deliberations:journal")).content.decode()
    assert f"présence de {d}" in page and "2 000 €" in page
    fichier = client.get(reverse("deliberations:journal"), {"export": "csv"})
    lignes = list(csv.reader(io.StringIO(fichier.content.decode("utf-8-sig")), delimiter=";"))
    assert lignes[0] == ["Date", "Par", "Objet", "Changement", "Avant", "Après"]
    objets = {ligne[2] for ligne in lignes[1:]}
    assert f"Action « Action du journal » ({action.annee})" in objets
    assert any(o.startswith(f"Séance du {seance.date:%Y-%m-%d}") for o in objets)
    assert ["'=SOMME(A1)", "Action"] in [ligne[4:] for ligne in lignes]  # a text, not a formula


def test_it_shows_no_trail_of_another_authority(client, seance, agent, agent_sedr):
    seance, (a, *_rest) = seance
    seance.enregistrer_presences({a.pk: ("present", None)}, agent)
    client.force_login(agent_sedr)
    assert f"présence de {a}" not in client.get(reverse("deliberations:journal")).content.decode()


def test_it_reads_the_journal_in_a_constant_number_of_queries(client, seance, agent):
    seance, elus = seance
    client.force_login(agent)

    def requetes():
        with CaptureQueriesContext(connection) as capture:
            assert client.get(reverse("deliberations:journal")).status_code == 200
        return len(capture)

    seance.enregistrer_presences({elus[0].pk: ("present", None)}, agent)
    peu = requetes()
    for _ in range(20):
        seance.enregistrer_presences({e.pk: ("present", None) for e in elus}, agent)
        seance.enregistrer_presences({elus[0].pk: ("present", None)}, agent)
    assert Trace.objects.filter(seance=seance).count() > 100
    assert requetes() == peu
