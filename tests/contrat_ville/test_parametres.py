"""« Paramètres de la collectivité »: référents and administrators set how acts name their own authority
and its convention policy; the others read them; nothing else of any authority can be changed."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from contrat_ville.models import Collectivite, User
from contrat_ville.roles import REFERENTS

from ..factories import CollectiviteFactory
from ..factories import compte as _compte

pytestmark = pytest.mark.django_db

PAGE = reverse("parametres")
MODIFIER = reverse("parametres_modifier")
VALIDE = {
    "designation": "la Métropole stéphanoise",
    "convention_investissement": "on",
    "convention_seuil_local": "10 000,50",
    "convention_regle_locale": "délibération n°2021.00123 du 12 avril 2021",
}


def etat(collectivite):
    collectivite.refresh_from_db()
    return (
        collectivite.nom,
        collectivite.siren,
        collectivite.designation,
        collectivite.convention_investissement,
        collectivite.convention_organismes_publics,
        collectivite.convention_seuil_local,
        collectivite.convention_regle_locale,
    )


SEM_AVANT = (
    "Saint-Etienne Métropole",
    "244200770",
    "Saint-Etienne Métropole",
    True,
    True,
    None,
    "délibération n°2019.00081 du Bureau métropolitain du 7 mars 2019",
)


# How acts name an authority.
@pytest.mark.parametrize(
    ("nom", "nature", "designation", "attendu", "apres_de"),
    [
        ("Ville de Villeneuve", "commune", "", "la Ville de Villeneuve", "de la Ville de Villeneuve"),
        ("Villeneuve", "commune", "", "la Ville de Villeneuve", "de la Ville de Villeneuve"),
        ("Commune d'Yerres", "commune", "", "la Commune d'Yerres", "de la Commune d'Yerres"),
        ("Amiens Métropole", "epci", "", "Amiens Métropole", "d'Amiens Métropole"),
        (
            "Département de la Loire",
            "departement",
            "",
            "le Département de la Loire",
            "du Département de la Loire",
        ),
        (
            "Villeneuve",
            "commune",
            "la Commune de Villeneuve",
            "la Commune de Villeneuve",
            "de la Commune de Villeneuve",
        ),
    ],
)
def test_it_names_the_authority_as_its_acts_do(nom, nature, designation, attendu, apres_de):
    collectivite = Collectivite(nom=nom, nature=nature, designation=designation)
    assert collectivite.nom_dans_les_actes == attendu
    assert collectivite.de_nom_dans_les_actes == apres_de


def test_it_knows_the_seeded_authorities_names_in_acts(sem, sedr):
    assert sem.nom_dans_les_actes == "Saint-Etienne Métropole"
    assert sedr.nom_dans_les_actes == "la Ville de Saint-Étienne-du-Rouvray"


# Who may read, who may change.
def test_it_gives_the_permission_to_referents_and_administrators_only(agent, elu, referent, administrateur):
    droit = "contrat_ville.parametrer_collectivite"
    assert [u.has_perm(droit) for u in (agent, elu, referent, administrateur)] == [False, False, True, True]


@pytest.mark.parametrize("role", ["agent", "elu"])
def test_it_shows_the_settings_read_only_with_who_may_change_them(
    client, request, role, referent, administrateur
):
    client.force_login(request.getfixturevalue(role))
    reponse = client.get(PAGE)
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert MODIFIER not in page and 'name="designation"' not in page
    assert "<dd>Saint-Etienne Métropole</dd>" in page
    assert "Peuvent les modifier :\n  administrateur-test, referent-test." in page
    assert "Le Conseil métropolitain de Saint-Etienne Métropole, après en avoir délibéré" in page


@pytest.mark.parametrize("role", ["agent", "elu"])
def test_it_refuses_a_change_by_an_agent_or_an_elu(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.post(MODIFIER, VALIDE).status_code == 403
    assert etat(Collectivite.objects.get(siren="244200770")) == SEM_AVANT


def test_it_sends_an_anonymous_visitor_to_the_login_page(client):
    assert client.get(PAGE)["Location"].startswith(reverse("login"))
    assert client.post(MODIFIER, VALIDE)["Location"].startswith(reverse("login"))


def test_it_answers_404_to_an_account_without_authority(client):
    client.force_login(User.objects.create_user("sans-collectivite", password="x"))
    assert client.get(PAGE).status_code == 404


def test_it_refuses_a_get_on_the_change_address(client, referent):
    client.force_login(referent)
    assert client.get(MODIFIER).status_code == 405


# Changing them.
@pytest.mark.parametrize("role", ["referent", "administrateur"])
def test_it_saves_the_settings_and_notes_the_change(client, request, role, sem):
    auteur = request.getfixturevalue(role)
    client.force_login(auteur)
    reponse = client.post(MODIFIER, VALIDE)
    assert reponse.status_code == 302 and reponse["Location"] == PAGE
    assert etat(sem) == (
        "Saint-Etienne Métropole",
        "244200770",
        "la Métropole stéphanoise",
        True,
        False,
        Decimal("10000.50"),
        "délibération n°2021.00123 du 12 avril 2021",
    )
    note = LogEntry.objects.get(object_id=str(sem.pk), content_type__model="collectivite")
    assert note.user == auteur
    assert note.change_message == (
        "Nom dans les actes : « Saint-Etienne Métropole » → « la Métropole stéphanoise » ; "
        "Les organismes publics (bailleurs, lycées…) signent aussi une convention : oui → non ; "
        "Seuil local de convention : (vide) → 10\u202f000,50\u202f€ ; "
        "Référence de la règle locale : « délibération n°2019.00081 du Bureau métropolitain du 7 mars 2019 » "
        "→ « délibération n°2021.00123 du 12 avril 2021 »"
    )
    page = client.get(PAGE).content.decode()
    assert "Le Conseil métropolitain de la Métropole stéphanoise, après en avoir délibéré" in page
    assert "Seuil local de convention : (vide) → 10\u202f000,50\u202f€" in page


def test_it_notes_nothing_when_nothing_changed(client, referent, sem):
    client.force_login(referent)
    inchange = {
        "designation": "Saint-Etienne Métropole",
        "convention_investissement": "on",
        "convention_organismes_publics": "on",
        "convention_seuil_local": "",
        "convention_regle_locale": "délibération n°2019.00081 du Bureau métropolitain du 7 mars 2019",
    }
    assert client.post(MODIFIER, inchange).status_code == 302
    assert not LogEntry.objects.filter(content_type__model="collectivite").exists()


def test_it_changes_only_the_user_s_own_authority_whatever_the_post_says(
    client, administrateur_sedr, sem, sedr
):
    client.force_login(administrateur_sedr)
    hostile = {
        **VALIDE,
        "pk": sem.pk,
        "id": sem.pk,
        "collectivite": sem.pk,
        "nom": "Piratée",
        "siren": "123456782",
        "nature": "epci",
    }
    assert client.post(MODIFIER, hostile).status_code == 302
    assert etat(sem) == SEM_AVANT
    assert etat(sedr) == (
        "Saint-Étienne-du-Rouvray",
        "217605757",
        "la Métropole stéphanoise",
        True,
        False,
        Decimal("10000.50"),
        "délibération n°2021.00123 du 12 avril 2021",
    )
    assert sedr.nature == "commune"


def test_it_shows_each_user_only_their_own_authority(client, agent_sedr):
    client.force_login(agent_sedr)
    page = client.get(PAGE, {"pk": 1, "collectivite": 1}).content.decode()
    assert "Saint-Étienne-du-Rouvray" in page and "Saint-Etienne Métropole" not in page
    assert "Le Conseil municipal de la Ville de Saint-Étienne-du-Rouvray, après en avoir délibéré" in page


@pytest.mark.parametrize(
    ("seuil", "erreur"),
    [
        ("23 000", "Le seuil local doit être positif et inférieur au seuil légal de 23 000 €"),
        ("0", "Le seuil local doit être positif et inférieur au seuil légal de 23 000 €"),
        ("12,345", "est ambigu"),
        ("dix mille", "Saisissez un nombre."),
    ],
)
def test_it_refuses_a_bad_threshold_saving_nothing(client, referent, sem, seuil, erreur):
    client.force_login(referent)
    reponse = client.post(MODIFIER, {**VALIDE, "convention_seuil_local": seuil})
    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert erreur in page
    assert 'aria-describedby="id_convention_seuil_local_helptext id_convention_seuil_local_error"' in page
    assert 'id="id_convention_seuil_local_error"' in page
    assert etat(sem) == SEM_AVANT
    assert not LogEntry.objects.filter(content_type__model="collectivite").exists()


def test_it_previews_the_example_without_saving(client, referent, sem):
    client.force_login(referent)
    reponse = client.post(MODIFIER, {**VALIDE, "designation": "la Métropole de Saint-Étienne", "apercu": "1"})
    assert reponse.status_code == 200
    assert "Le Conseil métropolitain de la Métropole de Saint-Étienne, après en avoir délibéré" in (
        reponse.content.decode()
    )
    assert etat(sem) == SEM_AVANT


def test_it_labels_every_field_of_the_form(client, referent):
    client.force_login(referent)
    page = client.get(PAGE).content.decode()
    for champ in (
        "designation",
        "convention_investissement",
        "convention_organismes_publics",
        "convention_seuil_local",
        "convention_regle_locale",
    ):
        assert f'<label for="id_{champ}">' in page


def test_it_makes_the_same_queries_for_the_page_whatever_the_history(
    client, referent, sem, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from contrat_ville.historique import MODIFICATION, noter

    client.force_login(referent)
    noter(referent, sem, MODIFICATION, "Nom dans les actes : un")
    with CaptureQueriesContext(connection) as peu:
        client.get(PAGE)
    for i in range(15):
        noter(_compte(f"referent-{i}", sem, REFERENTS), sem, MODIFICATION, f"Changement {i}")
    with django_assert_num_queries(len(peu.captured_queries)):
        reponse = client.get(PAGE)
    assert len(reponse.context["historique"]) == 16


def test_it_shows_a_new_authority_its_default_name_in_the_example(client):
    from contrat_ville.roles import AGENTS

    ville = CollectiviteFactory(nom="Villeneuve", nature="commune")
    client.force_login(_compte("agent-villeneuve", ville, AGENTS))
    page = client.get(PAGE).content.decode()
    assert "Le Conseil municipal de la Ville de Villeneuve, après en avoir délibéré" in page
    assert "aucun compte pour l'instant (demandez à un administrateur)" in page
