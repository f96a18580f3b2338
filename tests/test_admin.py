"""The back-office: every model answers for those who may see it, and only for them."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmation.models import Action, Tranche

from .adresses import creer

pytestmark = pytest.mark.django_db

MODELES = [
    m
    for m in admin.site._registry
    if m._meta.app_label in {"contrat_ville", "programmation", "deliberations"}
]


def url(modele, vue, *args):
    return reverse(f"admin:{modele._meta.app_label}_{modele._meta.model_name}_{vue}", args=args)


@pytest.mark.parametrize("modele", MODELES, ids=lambda m: m._meta.label)
def test_it_shows_every_model_to_an_admin(client, admin_user, modele):
    client.force_login(admin_user)
    assert client.get(url(modele, "changelist")).status_code == 200
    # Generated documents are made by the worker, never typed in.
    assert client.get(url(modele, "add")).status_code == (
        403 if modele._meta.model_name == "documentgenere" else 200
    )
    # A model the demo data leaves empty gets a row, so that its change page is shown too.
    premier = modele.objects.order_by("pk").first() or creer(modele._meta.label, admin_user.collectivite)
    assert client.get(url(modele, "change", premier.pk)).status_code == 200


@pytest.mark.parametrize("modele", MODELES, ids=lambda m: m._meta.label)
def test_it_sends_an_anonymous_visitor_to_the_login_page(client, modele):
    reponse = client.get(url(modele, "changelist"))
    assert reponse.status_code == 302
    assert reponse["Location"].startswith(reverse("admin:login"))


def test_it_shows_the_2024_tranche_with_its_totals(client, administrateur):
    client.force_login(administrateur)
    tranche = Tranche.objects.get(annee=2024, numero=1)
    page = client.get(url(Tranche, "change", tranche.pk)).content.decode()
    assert "2\u202f696\u202f021\u202f€" in page
    assert "383\u202f950\u202f€" in page
    liste = client.get(url(Tranche, "changelist")).content.decode()
    assert "294\u202f850" not in liste  # per-axe figures are on the tranche page only
    assert "383\u202f950\u202f€" in liste


def test_it_shows_the_attendance_of_a_seance_without_letting_it_be_edited_there(client, administrateur):
    from deliberations.models import Deliberation, Seance

    client.force_login(administrateur)
    seance = Deliberation.objects.get(numero="2024.00230").seance
    page = client.get(url(Seance, "change", seance.pk)).content.decode()
    assert "à saisir sur la page de la séance" in page
    assert 'name="presences-0-etat"' not in page and 'name="presences-0-mandataire"' not in page


def test_it_lets_an_administrator_edit_actions_but_not_accounts(client, administrateur):
    client.force_login(administrateur)
    action = Action.objects.first()
    assert client.get(url(Action, "change", action.pk)).status_code == 200
    assert client.get(url(Action, "add")).status_code == 200
    from contrat_ville.models import User

    assert client.get(url(User, "changelist")).status_code == 403


@pytest.mark.parametrize("role", ["agent", "elu"])
def test_it_keeps_agents_and_officials_out_of_the_back_office(client, request, role):
    client.force_login(request.getfixturevalue(role))
    action = Action.objects.first()
    for adresse in (reverse("admin:index"), url(Action, "change", action.pk)):
        reponse = client.get(adresse)
        assert reponse.status_code == 302 and reponse["Location"].startswith(reverse("admin:login"))
    client.post(url(Action, "change", action.pk), {"intitule": "Modifié"})
    action.refresh_from_db()
    assert action.intitule != "Modifié"
    assert "Back-office" not in client.get(reverse("programmation:programmation")).content.decode()


def lignes(modele):
    """A factory that adds rows to this model's list page."""
    from contrat_ville import models as cv
    from deliberations import models as dl
    from programmation.models import Porteur

    from . import factories as f

    return {
        Action: f.ActionFactory,
        Tranche: f.ActionFactory,
        Porteur: f.ActionFactory,
        cv.Axe: f.ActionFactory,
        cv.Contrat: f.ActionFactory,
        cv.Collectivite: f.ActionFactory,
        cv.Financeur: f.FinanceurFactory,
        dl.Seance: f.PresenceFactory,
        dl.Instance: f.PresenceFactory,
        dl.Elu: f.PresenceFactory,
        dl.Deliberation: f.DeliberationFactory,
    }[modele]


LISTES = [
    "programmation.Action",
    "programmation.Tranche",
    "programmation.Porteur",
    "contrat_ville.Axe",
    "contrat_ville.Contrat",
    "contrat_ville.Collectivite",
    "contrat_ville.Financeur",
    "deliberations.Seance",
    "deliberations.Instance",
    "deliberations.Elu",
    "deliberations.Deliberation",
]


@pytest.mark.parametrize("label", LISTES)
def test_it_lists_with_a_number_of_queries_that_does_not_grow_with_rows(client, admin_user, label):
    from django.apps import apps

    modele = apps.get_model(label)
    client.force_login(admin_user)
    lien = url(modele, "changelist") + "?all="

    def nombre_de_requetes():
        with CaptureQueriesContext(connection) as requetes:
            assert client.get(lien).status_code == 200
        return len(requetes)

    lignes(modele).create_batch(5)
    avant = nombre_de_requetes()
    lignes(modele).create_batch(40)
    assert nombre_de_requetes() == avant


def test_it_shows_the_programmation_on_the_contract_page(client, administrateur):
    from contrat_ville.models import Contrat

    client.force_login(administrateur)
    contrat = Contrat.objects.get(nature="contrat_de_ville", annee_debut=2015)
    page = client.get(url(Contrat, "change", contrat.pk)).content.decode()
    assert "2019 T1" in page
    assert "497\u202f500\u202f€" in page


def test_it_shows_the_checks_on_the_tranche_page(client, administrateur):
    client.force_login(administrateur)
    tranche = Tranche.objects.get(annee=2019, numero=1)
    page = client.get(url(Tranche, "change", tranche.pk)).content.decode()
    assert 'class="error"' in page
    assert "écart 37\u202f940\u202f€" in page


def test_it_shows_a_clean_tranche_in_green(client, administrateur):
    from .factories import ActionFactory

    action = ActionFactory(statut="proposee", porteur__siret="73282932000074")
    administrateur.collectivite = action.contrat.collectivite
    administrateur.save()
    client.force_login(administrateur)
    page = client.get(url(Tranche, "change", action.tranche.pk)).content.decode()
    assert '<li class="success">Aucune anomalie.</li>' in page


def test_it_downloads_documents_from_the_admin(client, administrateur):
    from deliberations.models import Deliberation

    client.force_login(administrateur)
    tranche = Tranche.objects.get(annee=2024, numero=1, contrat__nature="contrat_de_ville")
    page = client.get(url(Tranche, "change", tranche.pk)).content.decode()
    assert reverse("programmation:tranche_annexe_pdf", args=[tranche.pk]) in page
    reponse = client.post(
        url(Tranche, "changelist"), {"action": "telecharger_annexe_xlsx", "_selected_action": [tranche.pk]}
    )
    assert reponse["Location"] == reverse("programmation:tranche_annexe_xlsx", args=[tranche.pk])
    deliberation = Deliberation.objects.get(numero="2019.00081")
    reponse = client.post(
        url(Deliberation, "changelist"),
        {"action": "telecharger_extrait", "_selected_action": [deliberation.pk]},
    )
    assert reponse["Location"] == reverse("deliberations:extrait_pdf", args=[deliberation.pk])
    plusieurs = client.post(
        url(Tranche, "changelist"),
        {
            "action": "telecharger_annexe_pdf",
            "_selected_action": list(Tranche.objects.values_list("pk", flat=True)),
        },
        follow=True,
    )
    assert "Choisissez une seule tranche." in plusieurs.content.decode()


def test_it_shows_an_administrator_only_their_authority_in_the_admin(client):
    from django.contrib.auth.models import Group

    from contrat_ville.models import User
    from contrat_ville.roles import ADMINISTRATEURS, synchroniser_roles

    from .factories import CollectiviteFactory

    synchroniser_roles()
    voisin = User.objects.create_user(
        "voisin", password="x", collectivite=CollectiviteFactory(), is_staff=True
    )
    voisin.groups.add(Group.objects.get(name=ADMINISTRATEURS))
    client.force_login(voisin)
    liste = client.get(url(Action, "changelist")).content.decode()
    assert "Mentorat lycéen" not in liste and "0 action" in liste
    action = Action.objects.get(numero_dauphin="265738")
    reponse = client.get(url(Action, "change", action.pk))
    assert reponse.status_code == 302 and reponse["Location"] == reverse("admin:index")
