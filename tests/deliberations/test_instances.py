"""The référents' pages of instances, their members, the élus and the registry (issue 15)."""

import datetime
import re

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contrat_ville.roles import REFERENTS
from deliberations.models import Compteur, Deliberation, Elu, Instance, Registre
from tests.factories import EluFactory, InstanceFactory, SeanceFactory, compte


@pytest.fixture
def client_referent(client, referent):
    client.force_login(referent)
    return client


@pytest.fixture
def instance_sedr(sedr):
    return InstanceFactory(collectivite=sedr, nom="Conseil municipal de Saint-Étienne-du-Rouvray")


@pytest.fixture
def elu_sedr(sedr):
    return EluFactory(collectivite=sedr, prenom="Joachim", nom="MOINEAU")


def _erreur_liee(page, champ):
    """The field's error is announced with it: its id is in the input's aria-describedby."""
    return (
        re.search(rf'aria-describedby="[^"]*\bid_{champ}_error\b[^"]*"', page)
        and f'id="id_{champ}_error"' in page
    )


def _historique(objet):
    return LogEntry.objects.filter(object_id=str(objet.pk), content_type__model=objet._meta.model_name)


# --- the model ---------------------------------------------------------------------------------------


def test_it_refuses_a_mandate_ending_before_it_starts(sem):
    elu = Elu(
        collectivite=sem,
        civilite="Mme",
        prenom="Rose",
        nom="VERGER",
        debut_mandat=datetime.date(2026, 3, 20),
        fin_mandat=datetime.date(2026, 3, 19),
    )
    with pytest.raises(ValidationError) as erreur:
        elu.full_clean()
    assert erreur.value.message_dict == {"fin_mandat": ["La fin du mandat ne peut pas précéder son début."]}


def test_it_refuses_in_the_database_a_mandate_ending_before_it_starts_from_any_door(sem):
    elu = EluFactory(collectivite=sem, debut_mandat=datetime.date(2026, 3, 20))
    with pytest.raises(IntegrityError), transaction.atomic():
        Elu.objects.filter(pk=elu.pk).update(fin_mandat=datetime.date(2026, 3, 19))
    Elu.objects.filter(pk=elu.pk).update(fin_mandat=datetime.date(2026, 3, 20))


def test_it_accepts_a_mandate_of_one_day(sem):
    jour = datetime.date(2026, 3, 20)
    Elu(
        collectivite=sem, civilite="M.", prenom="Paul", nom="JOUR", debut_mandat=jour, fin_mandat=jour
    ).full_clean()


# --- instances ---------------------------------------------------------------------------------------


def test_it_lists_only_the_authoritys_instances(client_referent, instance_sedr):
    reponse = client_referent.get(reverse("deliberations:instances"))
    assert reponse.status_code == 200
    assert "Bureau Métropolitain" in reponse.text
    assert "Saint-Étienne-du-Rouvray" not in reponse.text


@pytest.mark.parametrize("page", ["instances", "elus"])
def test_it_counts_the_queries_of_the_lists_whatever_their_length(client_referent, sem, page):
    adresse = reverse(f"deliberations:{page}")
    client_referent.get(adresse)  # the session and the permissions cached

    def requetes():
        with CaptureQueriesContext(connection) as capture:
            assert client_referent.get(adresse).status_code == 200
        return len(capture.captured_queries)

    avant = requetes()
    for n in range(6):
        instance = InstanceFactory(collectivite=sem, nom=f"Commission {n}")
        instance.membres.add(EluFactory(collectivite=sem), EluFactory(collectivite=sem))
    assert requetes() == avant


def test_it_creates_an_instance_for_the_users_authority_and_notes_it(client_referent, sem, referent):
    reponse = client_referent.post(
        reverse("deliberations:instance_creer"), {"nom": "Commission permanente", "nature": "bureau"}
    )
    instance = Instance.objects.get(nom="Commission permanente")
    assert reponse.status_code == 302
    assert reponse.url == f"/deliberations/instances/{instance.pk}/"
    assert instance.collectivite == sem
    entree = _historique(instance).get()
    assert (entree.action_flag, entree.user) == (ADDITION, referent)


def test_it_refuses_a_second_instance_of_the_same_name(client_referent, sem):
    avant = Instance.objects.count()
    reponse = client_referent.post(
        reverse("deliberations:instance_creer"), {"nom": "bureau métropolitain", "nature": "bureau"}
    )
    assert reponse.status_code == 400
    assert "Votre collectivité a déjà une instance de ce nom." in reponse.text
    assert _erreur_liee(reponse.text, "nom")
    assert Instance.objects.count() == avant


def test_it_allows_the_same_name_in_another_authority(client_referent, sem, sedr):
    InstanceFactory(collectivite=sedr, nom="Commission des finances")
    reponse = client_referent.post(
        reverse("deliberations:instance_creer"), {"nom": "Commission des finances", "nature": "bureau"}
    )
    assert reponse.status_code == 302
    assert Instance.objects.filter(nom="Commission des finances").count() == 2


def test_it_refuses_an_unknown_nature(client_referent):
    reponse = client_referent.post(reverse("deliberations:instance_creer"), {"nom": "X", "nature": "senat"})
    assert reponse.status_code == 400
    assert not Instance.objects.filter(nom="X").exists()


def test_it_edits_an_instance_and_notes_what_changed(client_referent, sem):
    instance = Instance.objects.get(collectivite=sem, nom="Bureau Métropolitain")
    reponse = client_referent.post(
        reverse("deliberations:instance_modifier", args=[instance.pk]),
        {"nom": "Bureau de la Métropole", "nature": "bureau"},
    )
    assert reponse.status_code == 302
    instance.refresh_from_db()
    assert instance.nom == "Bureau de la Métropole"
    assert _historique(instance).get().change_message == "Modifié : Nom."


@pytest.mark.parametrize("page", ["instance", "instance_modifier"])
def test_it_answers_404_for_another_authoritys_instance(client_referent, instance_sedr, page):
    adresse = reverse(f"deliberations:{page}", args=[instance_sedr.pk])
    assert client_referent.get(adresse).status_code == 404
    assert client_referent.post(adresse, {"nom": "Pris", "nature": "bureau"}).status_code == 404
    instance_sedr.refresh_from_db()
    assert instance_sedr.nom == "Conseil municipal de Saint-Étienne-du-Rouvray"


def test_it_lets_an_agent_read_but_not_change(client, agent, sem):
    client.force_login(agent)
    instance = Instance.objects.get(collectivite=sem, nom="Bureau Métropolitain")
    membres = list(instance.membres.values_list("pk", flat=True))
    assert membres
    assert client.get(reverse("deliberations:instances")).status_code == 200
    assert client.get(reverse("deliberations:instance", args=[instance.pk])).status_code == 200
    assert client.get(reverse("deliberations:elus")).status_code == 200
    refus = [
        client.post(reverse("deliberations:instance_creer"), {"nom": "Y", "nature": "bureau"}),
        client.post(reverse("deliberations:instance_modifier", args=[instance.pk]), {"nom": "Y"}),
        client.post(reverse("deliberations:instance_membres", args=[instance.pk]), {"membres": []}),
        client.post(reverse("deliberations:elu_creer"), {"civilite": "M.", "prenom": "A", "nom": "B"}),
        client.get(reverse("deliberations:registre")),
    ]
    assert [r.status_code for r in refus] == [403] * 5
    assert list(instance.membres.values_list("pk", flat=True)) == membres


# --- members -----------------------------------------------------------------------------------------


def test_it_sets_the_members_in_one_post_and_notes_who_came_and_went(client_referent, sem, referent):
    instance = InstanceFactory(collectivite=sem, nom="Commission permanente")
    restant = EluFactory(collectivite=sem, prenom="Anne", nom="RESTE")
    sortant = EluFactory(collectivite=sem, prenom="Marc", nom="SORT")
    entrant = EluFactory(collectivite=sem, prenom="Lise", nom="ENTRE")
    instance.membres.set([restant, sortant])
    reponse = client_referent.post(
        reverse("deliberations:instance_membres", args=[instance.pk]), {"membres": [restant.pk, entrant.pk]}
    )
    assert reponse.status_code == 302
    assert set(instance.membres.all()) == {restant, entrant}
    entree = _historique(instance).get()
    assert (entree.action_flag, entree.user) == (CHANGE, referent)
    assert entree.change_message == "Membres ajoutés : Mme Lise ENTRE ; retirés : Mme Marc SORT."


def test_it_refuses_a_foreign_elu_among_the_members(client_referent, sem, elu_sedr):
    instance = InstanceFactory(collectivite=sem, nom="Commission permanente")
    elu = EluFactory(collectivite=sem)
    reponse = client_referent.post(
        reverse("deliberations:instance_membres", args=[instance.pk]), {"membres": [elu.pk, elu_sedr.pk]}
    )
    assert reponse.status_code == 400
    assert "Cet élu n&#x27;appartient pas à votre collectivité." in reponse.text
    assert instance.membres.count() == 0


@pytest.mark.parametrize("valeur", ["abc", "-1", "1e9", "99999999999999999999", "<script>"])
def test_it_refuses_hostile_member_ids(client_referent, sem, valeur):
    instance = InstanceFactory(collectivite=sem, nom="Commission permanente")
    reponse = client_referent.post(
        reverse("deliberations:instance_membres", args=[instance.pk]), {"membres": valeur}
    )
    assert reponse.status_code == 400
    assert instance.membres.count() == 0


def test_it_refuses_to_change_another_authoritys_members(client_referent, instance_sedr, sem):
    elu = EluFactory(collectivite=sem)
    reponse = client_referent.post(
        reverse("deliberations:instance_membres", args=[instance_sedr.pk]), {"membres": [elu.pk]}
    )
    assert reponse.status_code == 404
    assert instance_sedr.membres.count() == 0


def test_it_changes_members_by_post_only(client_referent, sem):
    instance = InstanceFactory(collectivite=sem)
    assert (
        client_referent.get(reverse("deliberations:instance_membres", args=[instance.pk])).status_code == 405
    )


# --- élus --------------------------------------------------------------------------------------------


def test_it_creates_an_elu_with_a_function_and_a_mandate(client_referent, sem, referent):
    reponse = client_referent.post(
        reverse("deliberations:elu_creer"),
        {
            "civilite": "Mme",
            "prenom": "Rose",
            "nom": "VERGER",
            "fonction": "Conseillère municipale déléguée",
            "debut_mandat": "2020-07-04",
            "fin_mandat": "",
        },
    )
    assert reponse.status_code == 302
    elu = Elu.objects.get(nom="VERGER")
    assert (elu.collectivite, elu.fonction, elu.debut_mandat, elu.fin_mandat) == (
        sem,
        "Conseillère municipale déléguée",
        datetime.date(2020, 7, 4),
        None,
    )
    assert _historique(elu).get().action_flag == ADDITION


def test_it_shows_a_mandate_ending_before_it_starts_on_the_field(client_referent):
    reponse = client_referent.post(
        reverse("deliberations:elu_creer"),
        {
            "civilite": "Mme",
            "prenom": "Rose",
            "nom": "VERGER",
            "debut_mandat": "2026-03-20",
            "fin_mandat": "2020-01-01",
        },
    )
    assert reponse.status_code == 400
    assert "La fin du mandat ne peut pas précéder son début." in reponse.text
    assert _erreur_liee(reponse.text, "fin_mandat")
    assert not Elu.objects.filter(nom="VERGER").exists()


def test_it_refuses_a_second_elu_of_the_same_name(client_referent, sem):
    EluFactory(collectivite=sem, prenom="Rose", nom="VERGER")
    reponse = client_referent.post(
        reverse("deliberations:elu_creer"), {"civilite": "Mme", "prenom": "rose", "nom": "verger"}
    )
    assert reponse.status_code == 400
    assert "Un élu de ce nom et de ce prénom existe déjà dans votre collectivité." in reponse.text
    assert Elu.objects.filter(nom__iexact="VERGER").count() == 1


def test_it_edits_an_elu(client_referent, sem):
    elu = EluFactory(collectivite=sem, prenom="Rose", nom="VERGER")
    reponse = client_referent.post(
        reverse("deliberations:elu_modifier", args=[elu.pk]),
        {"civilite": "Mme", "prenom": "Rose", "nom": "VERGER", "fonction": "Vice-Présidente"},
    )
    assert reponse.status_code == 302
    elu.refresh_from_db()
    assert elu.fonction == "Vice-Présidente"
    assert _historique(elu).get().change_message == "Modifié : Fonction."


def test_it_answers_404_for_another_authoritys_elu(client_referent, elu_sedr):
    adresse = reverse("deliberations:elu_modifier", args=[elu_sedr.pk])
    assert client_referent.get(adresse).status_code == 404
    assert client_referent.post(adresse, {"civilite": "M.", "prenom": "X", "nom": "PRIS"}).status_code == 404
    elu_sedr.refresh_from_db()
    assert elu_sedr.nom == "MOINEAU"


def test_it_lists_only_the_authoritys_elus(client_referent, elu_sedr, sem):
    EluFactory(collectivite=sem, prenom="Rose", nom="VERGER", fonction="Vice-Présidente")
    reponse = client_referent.get(reverse("deliberations:elus"))
    assert "Mme Rose VERGER" in reponse.text
    assert "Vice-Présidente" in reponse.text
    assert "MOINEAU" not in reponse.text


# --- the registry ------------------------------------------------------------------------------------


def test_it_warns_that_the_default_formats_were_never_checked(client_referent):
    reponse = client_referent.get(reverse("deliberations:registre"))
    assert reponse.status_code == 200
    assert "Format par défaut, à vérifier avec votre service des assemblées." in reponse.text
    annee = timezone.localdate().year
    assert f"le prochain numéro sera <strong>{annee}.00001</strong>" in reponse.text
    assert f"Numéro interne ACTES : <strong>D{annee}0000110</strong>" in reponse.text
    assert not Registre.objects.exists()  # reading the page creates nothing


def test_it_sets_the_formats_and_shows_the_next_number(client_referent, sem, referent):
    annee = timezone.localdate().year
    registre = Registre.objects.create(collectivite=sem)
    Compteur.objects.create(registre=registre, annee=annee, dernier=41)
    reponse = client_referent.post(
        reverse("deliberations:registre"),
        {"format_numero": "{annee}-{rang:04d}", "format_actes": "DEL{annee}_{rang:04d}"},
    )
    assert reponse.status_code == 302
    registre.refresh_from_db()
    assert (registre.format_numero, registre.format_actes) == ("{annee}-{rang:04d}", "DEL{annee}_{rang:04d}")
    assert _historique(registre).get().user == referent
    page = client_referent.get(reverse("deliberations:registre")).text
    assert f"le prochain numéro sera <strong>{annee}-0042</strong>" in page
    assert f"Numéro interne ACTES : <strong>DEL{annee}_0042</strong>" in page
    assert "Format par défaut" not in page


def test_it_shows_a_next_rang_carrying_on_after_a_register_kept_before_its_counter(sem):
    seance = SeanceFactory(instance__collectivite=sem, date=datetime.date(2025, 3, 20))
    deliberation = Deliberation.objects.inscrire(seance, "Point")
    Compteur.objects.all().delete()
    Deliberation.objects.filter(pk=deliberation.pk).update(rang=229)
    registre = Registre.objects.get(collectivite=sem)
    assert registre.prochain_rang(2025) == 230
    assert registre.attribuer(2025) == 230
    assert registre.prochain_rang(2025) == 231
    assert Registre(collectivite=sem).prochain_rang(2026) == 1


def test_it_confirms_the_default_formats_once_saved(client_referent):
    client_referent.post(
        reverse("deliberations:registre"),
        {"format_numero": "{annee}.{rang:05d}", "format_actes": "D{annee}{rang:05d}10"},
    )
    assert "Format par défaut" not in client_referent.get(reverse("deliberations:registre")).text


def test_it_previews_a_format_without_saving_it(client_referent):
    annee = timezone.localdate().year
    reponse = client_referent.post(
        reverse("deliberations:registre"),
        {"format_numero": "{annee}/{rang}", "format_actes": "D{annee}{rang:05d}10", "apercu": "1"},
    )
    assert reponse.status_code == 200
    assert f"le prochain numéro sera <strong>{annee}/1</strong>" in reponse.text
    assert not Registre.objects.exists()


@pytest.mark.parametrize(
    "format_numero",
    [
        "{annee.real}",
        "{rang[0]}",
        "{x}",
        "{}",
        "{0}",
        "{annee",
        "annee}",
        "{rang:>999999999}",
        "{rang!r}",
        "{rang:,}",
        "{annee}{annee}{annee}{annee}{annee}{rang}",
    ],
)
def test_it_refuses_an_invalid_numbering_format_with_a_message(client_referent, format_numero):
    reponse = client_referent.post(
        reverse("deliberations:registre"),
        {"format_numero": format_numero, "format_actes": "D{annee}{rang:05d}10"},
    )
    assert reponse.status_code == 400
    assert "invalide" in reponse.text
    assert _erreur_liee(reponse.text, "format_numero")
    assert not Registre.objects.exists()


@pytest.mark.parametrize("format_actes", ["D-{annee}-{rang}", "DÉL{rang}", "DELIBERATION{annee}{rang:05d}"])
def test_it_refuses_an_actes_number_the_prefecture_would_reject(client_referent, format_actes):
    reponse = client_referent.post(
        reverse("deliberations:registre"),
        {"format_numero": "{annee}.{rang:05d}", "format_actes": format_actes},
    )
    assert reponse.status_code == 400
    assert "la préfecture n&#x27;accepte que 1 à 15 lettres sans accent, chiffres ou « _ »" in reponse.text


def test_it_keeps_each_authoritys_registry_apart(client, sem, sedr):
    client.force_login(compte("referent-sedr", sedr, REFERENTS))
    client.post(
        reverse("deliberations:registre"),
        {"format_numero": "{annee}-{rang}", "format_actes": "D{annee}{rang}"},
    )
    assert Registre.objects.get(collectivite=sedr).format_numero == "{annee}-{rang}"
    assert not Registre.objects.filter(collectivite=sem).exists()


def test_it_shows_a_format_stored_by_the_back_office_that_cannot_format(client_referent, sem):
    Registre.objects.filter(pk=Registre.objects.create(collectivite=sem).pk).update(format_numero="{annee.x}")
    reponse = client_referent.get(reverse("deliberations:registre"))
    assert reponse.status_code == 200
    assert "le prochain numéro sera" not in reponse.text
