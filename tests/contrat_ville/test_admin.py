"""The back-office: every model answers for those who may see it, and only for them."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programmation.models import Action, Tranche

from ..adresses import creer

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

    from .. import factories as f

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
    from ..factories import ActionFactory

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

    from ..factories import CollectiviteFactory

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


# --- Totals of the list pages (contrat_ville.admin_cloisonne.AvecTotaux) ---

E = "\u202f"


def totaux(page):
    """The totals block of a list page: its title and {libellé: text}."""
    import re

    bloc = page[page.index('<section class="totaux-liste"') : page.index("</section>")]
    titre = re.search(r"<h2[^>]*>(.*?)</h2>", bloc, re.S).group(1)
    lignes = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", bloc, re.S)
    return titre, {dt: re.sub(r"<[^>]+>", "", dd) for dt, dd in lignes}


@pytest.fixture
def une_page_de_deux(monkeypatch):
    """Lists of two rows a page: the totals must cover the rows of the other pages too."""
    for modele_admin in admin.site._registry.values():
        monkeypatch.setattr(modele_admin, "list_per_page", 2)


def test_it_totals_every_filtered_action_and_says_how_many_costs_are_known(
    client, admin_user, une_page_de_deux
):
    from ..factories import ActionFactory, TrancheFactory

    tranche = TrancheFactory()
    # Words, not numbers: the admin's search also reads the porteurs' names (« Association n°10 »).
    for nom, cout in zip(
        ("alpha", "bravo", "charlie", "delta", "echo"),
        ("10000", "10000.50", "10000", None, None),
        strict=True,
    ):
        ActionFactory(
            tranche=tranche,
            intitule=f"Zorglub {nom}",
            cout=cout and Decimal(cout),
            contribution=Decimal("2500"),
        )
    ActionFactory(contribution=Decimal("777"))  # another tranche: filtered out
    client.force_login(admin_user)
    page = client.get(url(Action, "changelist"), {"tranche__id__exact": tranche.pk}).content.decode()
    titre, lignes = totaux(page)
    assert titre == "Totaux pour 5 actions (toutes les pages, recherche et filtres appliqués)"
    assert lignes == {
        "Coût": f"30{E}000,50{E}€ (coûts connus : 3 sur 5)",
        "Contribution": f"12{E}500{E}€",
    }
    # The search narrows the totals as it narrows the list.
    page = client.get(url(Action, "changelist"), {"tranche__id__exact": tranche.pk, "q": "Zorglub alpha"})
    assert totaux(page.content.decode()) == (
        "Totaux pour 1 action (recherche et filtres appliqués)",
        {"Coût": f"10{E}000{E}€ (coûts connus : 1 sur 1)", "Contribution": f"2{E}500{E}€"},
    )


def test_it_never_totals_unknown_costs_as_zero(client, admin_user):
    from ..factories import ActionFactory, TrancheFactory

    tranche = TrancheFactory()
    ActionFactory.create_batch(2, tranche=tranche, cout=None, contribution=Decimal("100"))
    client.force_login(admin_user)
    page = client.get(url(Action, "changelist"), {"tranche__id__exact": tranche.pk}).content.decode()
    assert totaux(page)[1]["Coût"] == "non renseigné (coûts connus : 0 sur 2)"
    assert '<td class="field-cout_euros">non renseigné</td>' in page
    # The tranche's own line says so too, and the totals of the tranches count its actions.
    page = client.get(url(Tranche, "changelist"), {"id__exact": tranche.pk}).content.decode()
    assert '<td class="field-total_cout_affiche">non renseigné</td>' in page


def test_it_totals_the_tranches_from_their_actions(client, admin_user):
    from ..factories import ActionFactory, ContratFactory, TrancheFactory

    contrat = ContratFactory()
    premiere, seconde = TrancheFactory(contrat=contrat), TrancheFactory(contrat=contrat)
    ActionFactory(tranche=premiere, cout=Decimal("1000"), contribution=Decimal("500"))
    ActionFactory(tranche=premiere, cout=None, contribution=Decimal("200"))
    ActionFactory(tranche=seconde, cout=Decimal("300"), contribution=Decimal("300"))
    client.force_login(admin_user)
    page = client.get(url(Tranche, "changelist"), {"contrat__id__exact": contrat.pk}).content.decode()
    assert totaux(page)[1] == {
        "Coût": f"1{E}300{E}€ (coûts connus : 2 sur 3)",
        "Contribution": f"1{E}000{E}€",
    }
    assert f"1{E}000{E}€ (dont 1 coût non renseigné)" in page


def test_it_totals_the_cofinancements_requested_and_granted(client, admin_user, une_page_de_deux):
    from programmation.models import Cofinancement

    from ..factories import ActionFactory, FinanceurFactory, TrancheFactory

    tranche = TrancheFactory()
    financeur = FinanceurFactory(collectivite=tranche.contrat.collectivite)
    for sollicite, accorde in (("1000", "800"), ("500", None), (None, None)):
        Cofinancement.objects.create(
            action=ActionFactory(tranche=tranche),
            financeur=financeur,
            montant_sollicite=sollicite and Decimal(sollicite),
            montant_accorde=accorde and Decimal(accorde),
        )
    client.force_login(admin_user)
    page = client.get(url(Cofinancement, "changelist"), {"action__tranche__id__exact": tranche.pk})
    titre, lignes = totaux(page.content.decode())
    assert titre == "Totaux pour 3 cofinancements (toutes les pages, recherche et filtres appliqués)"
    assert lignes == {
        "Sollicité": f"1{E}500{E}€ (montants sollicités connus : 2 sur 3)",
        "Accordé": f"800{E}€ (montants accordés connus : 1 sur 3)",
    }


def test_it_totals_the_conventions_from_their_yearly_amounts(client, admin_user):
    from programmation.models import Convention, EcheanceConvention

    from ..factories import ActionFactory

    avec, sans = ActionFactory(annee=2031), ActionFactory(annee=2031)
    convention = Convention.objects.create(action=avec, objet="Avec", annee_debut=2031, duree_annees=2)
    EcheanceConvention.objects.create(convention=convention, annee=2031, montant=Decimal("4000"))
    EcheanceConvention.objects.create(convention=convention, annee=2032, montant=Decimal("4000"))
    Convention.objects.create(action=sans, objet="Sans", annee_debut=2031)
    client.force_login(admin_user)
    page = client.get(url(Convention, "changelist"), {"annee_debut": 2031}).content.decode()
    assert totaux(page)[1] == {"Montant": f"8{E}000{E}€ (montants connus : 1 sur 2)"}
    assert '<td class="field-montant_euros">non renseigné</td>' in page


def test_it_does_not_count_the_yearly_amounts_twice_in_a_filter_through_them(rf, admin_user):
    from programmation.models import Convention

    from ..factories import ActionFactory

    convention = Convention.objects.create(action=ActionFactory(annee=2031), objet="Avec", annee_debut=2031)
    convention.echeances.create(annee=2031, montant=Decimal("4000"))
    convention.echeances.create(annee=2032, montant=Decimal("4000"))
    requete = rf.get("/")
    requete.user = admin_user
    conventions = admin.site._registry[Convention].get_queryset(requete)
    # A second join on the yearly amounts, as a search or a filter through them makes.
    filtrees = conventions.filter(pk=convention.pk, echeances__montant__gt=0).distinct()
    assert list(filtrees.values_list("objet", "montant_total")) == [("Avec", Decimal("8000"))]


def lignes_totalisees(label, nombre):
    """`nombre` rows of a list page with totals, each with its amounts and relations."""
    from datetime import date

    from contrat_ville.models import Enveloppe
    from programmation.models import Cofinancement, Convention, Paiement

    from ..factories import ActionFactory, FinanceurFactory, TrancheFactory

    if label != "programmation.Cofinancement":
        for action in ActionFactory.create_batch(nombre):
            Enveloppe.objects.create(contrat=action.contrat, annee=2025, montant=Decimal("10"))
            Paiement.objects.create(
                action=action, nature="avance", date=date(2025, 6, 1), montant=Decimal("1")
            )
            convention = Convention.objects.create(action=action, objet="Objet", annee_debut=2025)
            convention.echeances.create(annee=2025, montant=Decimal("10"))
        return
    # A cofinancement's financeur belongs to its action's authority.
    tranche = TrancheFactory()
    financeur = FinanceurFactory(collectivite=tranche.contrat.collectivite)
    for action in ActionFactory.create_batch(nombre, tranche=tranche):
        Cofinancement.objects.create(action=action, financeur=financeur, montant_sollicite=Decimal("10"))


@pytest.mark.parametrize(
    "label",
    [
        "programmation.Action",
        "programmation.Cofinancement",
        "programmation.Tranche",
        "contrat_ville.Enveloppe",
        "programmation.Paiement",
        "programmation.Convention",
    ],
)
def test_it_totals_30_rows_with_as_many_queries_as_3(client, admin_user, label):
    from django.apps import apps

    modele = apps.get_model(label)
    client.force_login(admin_user)
    lien = url(modele, "changelist") + "?all="

    def nombre_de_requetes():
        with CaptureQueriesContext(connection) as requetes:
            assert 'class="totaux-liste"' in client.get(lien).content.decode()
        return len(requetes)

    lignes_totalisees(label, 3)
    avant = nombre_de_requetes()
    lignes_totalisees(label, 27)
    assert nombre_de_requetes() == avant


def test_it_says_how_many_amounts_are_known_even_when_the_admin_forgot_to_ask():
    from contrat_ville.admin_cloisonne import calculer_totaux

    from ..factories import ActionFactory, TrancheFactory

    tranche = TrancheFactory()
    ActionFactory(tranche=tranche, cout=None)
    ActionFactory(tranche=tranche, cout=Decimal("5000"))
    assert calculer_totaux(Action.objects.filter(tranche=tranche), {"coût": "cout"}) == [
        {"libelle": "coût", "montant": f"5{E}000{E}€", "connus": "montants connus : 1 sur 2"}
    ]
