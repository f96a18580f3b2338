"""The footer on every page, the accessibility statement and the legal notice open to anyone, a visible
focus on every control, and a back-office that speaks French (names, amounts, password pages)."""

import re
from importlib.metadata import version
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import override_settings
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

pytestmark = pytest.mark.django_db

ESPACE = "\u202f"


def _pied_de_page(page):
    return page[page.index("<footer") : page.index("</footer>")]


def test_it_puts_the_footer_on_a_page_of_the_application(client, agent):
    client.force_login(agent)
    pied = _pied_de_page(client.get(reverse("programmation:programmation")).content.decode())
    assert '<a href="/accessibilite/">Accessibilité : partiellement conforme</a>' in pied
    assert '<a href="/mentions-legales/">Mentions légales</a>' in pied
    assert f"Version {version('contrat-ville')}" in pied


def test_it_puts_the_footer_on_the_login_page(client):
    pied = _pied_de_page(client.get(reverse("login")).content.decode())
    assert '<a href="/accessibilite/">Accessibilité : partiellement conforme</a>' in pied
    assert '<a href="/mentions-legales/">Mentions légales</a>' in pied
    assert f"Version {version('contrat-ville')}" in pied


def test_it_shows_the_accessibility_statement_to_anyone(client):
    reponse = client.get("/accessibilite/")
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "<title>Déclaration d'accessibilité — Politique de la ville</title>" in page
    for titre in (
        "État de conformité",
        "Résultats des tests",
        "Contenus non accessibles",
        "Établissement de cette déclaration d'accessibilité",
        "Retour d'information et contact",
        "Voies de recours",
    ):
        assert f">{titre}</h2>" in page
    assert "<strong>partiellement conforme</strong>" in page
    assert "Aucun audit complet n'a encore été réalisé" in page
    assert "ne sont pas des PDF balisés" in page
    assert "établie le 30 novembre 2026" in page
    assert "Défenseur des droits<br>Libre réponse 71120<br>75342 Paris CEDEX 07" in page
    assert "le référent de votre collectivité" in page
    assert "Adressez-vous à l'administrateur de l'application" in page
    assert f"version {version('contrat-ville')}" in page


def test_it_gives_the_contact_address_when_the_authority_sets_one(client):
    with override_settings(CONTACT_ACCESSIBILITE="accessibilite@example.org"):
        page = client.get("/accessibilite/").content.decode()
    assert '<a href="mailto:accessibilite@example.org">accessibilite@example.org</a>' in page
    assert "Adressez-vous à l'administrateur" not in page


def test_it_shows_the_legal_notice_to_anyone(client):
    reponse = client.get("/mentions-legales/")
    assert reponse.status_code == 200
    page = reponse.content.decode()
    for titre in ("Éditeur", "Logiciel", "Hébergement", "Données personnelles", "Contact"):
        assert f">{titre}</h2>" in page
    assert "logiciel libre" in page
    assert "AGPL-3.0-or-later" in page
    assert "ce sont des actes publics" in page
    assert f"Version {version('contrat-ville')}." in page


def test_it_names_the_authority_of_a_logged_in_user_as_publisher(client, agent):
    client.force_login(agent)
    page = client.get("/mentions-legales/").content.decode()
    assert f"Ce service est édité par {agent.collectivite}." in page


def _lien_de_reinitialisation(agent):
    uid = urlsafe_base64_encode(force_bytes(agent.pk))
    return reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(agent)])


def test_it_titles_the_password_reset_pages_in_french(client, agent):
    pages = {
        reverse("password_reset"): "Mot de passe oublié",
        reverse("password_reset_done"): "Lien envoyé",
        reverse("password_reset_complete"): "Mot de passe enregistré",
        reverse("password_reset_confirm", args=["MQ", "jeton-faux"]): "Lien expiré ou déjà utilisé",
    }
    for adresse, titre in pages.items():
        page = client.get(adresse).content.decode()
        assert f"<title>{titre} — Politique de la ville</title>" in page, adresse
        assert f"<h1>{titre}</h1>" in page, adresse
        assert "Django" not in page, adresse
    # A valid link is followed to the page where the new password is typed.
    reponse = client.get(_lien_de_reinitialisation(agent), follow=True)
    page = reponse.content.decode()
    assert "<h1>Nouveau mot de passe</h1>" in page
    assert '<label for="id_new_password1">Nouveau mot de passe</label>' in page
    assert "Django" not in page


def test_it_resets_a_password_through_the_french_pages(client, agent, mailoutbox):
    agent.email = "agent@example.org"
    agent.save()
    reponse = client.post(reverse("password_reset"), {"email": "agent@example.org"}, follow=True)
    assert "<h1>Lien envoyé</h1>" in reponse.content.decode()
    assert mailoutbox[0].subject == "Politique de la ville — choisir un nouveau mot de passe"
    assert "Django" not in mailoutbox[0].body
    lien = next(ligne for ligne in mailoutbox[0].body.splitlines() if "/mot-de-passe/" in ligne)
    formulaire = client.get(lien.split("testserver", 1)[1], follow=True)
    reponse = client.post(
        formulaire.redirect_chain[-1][0],
        {"new_password1": "un-nouveau-mot-de-passe-2026", "new_password2": "un-nouveau-mot-de-passe-2026"},
        follow=True,
    )
    assert "<h1>Mot de passe enregistré</h1>" in reponse.content.decode()
    agent.refresh_from_db()
    assert agent.check_password("un-nouveau-mot-de-passe-2026")


def test_it_shows_amounts_in_euros_in_the_back_office_list_of_actions(client, admin_user):
    client.force_login(admin_user)
    # Seed action 266923 « Accès au droit… »: cost 83199.00, contribution 15000.00.
    page = client.get(reverse("admin:programmation_action_changelist"), {"q": "266923"}).content.decode()
    assert f'<td class="field-cout_euros">83{ESPACE}199{ESPACE}€</td>' in page
    assert f'<td class="field-contribution_euros">15{ESPACE}000{ESPACE}€</td>' in page
    assert "83199,00" not in page and "15000,00" not in page


def test_it_shows_an_unknown_cost_as_the_pages_do_not_as_zero(client, admin_user):
    client.force_login(admin_user)
    # Seed action « 2 médiatrices/ médiateurs santé »: no cost typed, contribution 94000.00.
    page = client.get(reverse("admin:programmation_action_changelist"), {"q": "médiatrices"}).content.decode()
    assert '<td class="field-cout_euros">non renseigné</td>' in page
    assert f'<td class="field-contribution_euros">94{ESPACE}000{ESPACE}€</td>' in page
    assert f"0{ESPACE}€" not in page.replace(f"000{ESPACE}€", "")


def test_it_shows_envelopes_and_payments_in_euros_in_the_back_office(client, admin_user):
    import datetime
    from decimal import Decimal

    from programmation.models import Action, Paiement

    client.force_login(admin_user)
    # Seed envelopes of the Contrat local des solidarités: 981000.00 for the programme, 490500.00 from
    # the État at 50.00 % at most.
    page = client.get(reverse("admin:contrat_ville_enveloppe_changelist"), {"annee": "2024"}).content.decode()
    assert f'<td class="field-montant_euros">981{ESPACE}000{ESPACE}€</td>' in page
    assert f'<td class="field-montant_euros">490{ESPACE}500{ESPACE}€</td>' in page
    assert f'<td class="field-taux_maximum_affiche">50{ESPACE}%</td>' in page
    assert '<td class="field-taux_maximum_affiche">—</td>' in page
    Paiement.objects.create(
        action=Action.objects.get(numero_dauphin="266923"),
        nature="avance",
        date=datetime.date(2024, 6, 1),
        montant=Decimal("7500.50"),
    )
    page = client.get(reverse("admin:programmation_paiement_changelist")).content.decode()
    assert f'<td class="field-montant_euros">7{ESPACE}500,50{ESPACE}€</td>' in page


def test_it_sorts_the_actions_by_amount_in_the_back_office(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("admin:programmation_action_changelist")).content.decode()
    assert 'class="sortable column-contribution_euros' in page
    assert 'href="/static/css/admin.css"' in page


def test_it_names_the_back_office_sections_in_french(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("admin:index")).content.decode()
    # The sections (shown in capitals by Django's stylesheet: « Axes » read « AXES » beside the axes).
    assert re.findall(r"<caption>\s*<a [^>]*>([^<]*)</a>", page) == [
        "Authentification et autorisation",
        "Contrat et référentiel",
        "Programmation",
        "Séances et délibérations",
        "Tentatives de connexion",
        "Tâches de production des documents",
    ]
    assert '<a href="/admin/django_tasks_database/dbtaskresult/">Tâches</a>' in page
    assert "Task Result" not in page and "Tasks Database" not in page
    assert "Django" not in page


def test_it_draws_a_dark_focus_ring_on_every_kind_of_control():
    feuille = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    for controle in ("a", "button", "input", "select", "textarea", "summary", "[tabindex]"):
        assert f"{controle}:focus-visible" in feuille
    assert "outline: 3px solid #0b0c0c" in feuille
    assert "#ffbf47" not in feuille


def test_it_offers_each_filter_one_tous_option_and_one_selected_option(client, elu):
    client.force_login(elu)
    page = client.get(reverse("programmation:programmation"), {"annee": "2024"}).content.decode()
    listes = dict(re.findall(r'<select[^>]*name="(\w+)"[^>]*>(.*?)</select>', page, re.S))
    assert {"contrat", "annee", "axe", "tranche", "statut", "porteur", "commune", "quartier"} <= set(listes)
    for nom, options in listes.items():
        assert options.count('<option value=""') == 1, nom
        assert options.count(" selected") == 1, nom
    assert '<option value="2024" selected>2024</option>' in listes["annee"]


def test_it_names_a_group_of_boxes_by_a_legend_not_an_empty_label(client, agent):
    client.force_login(agent)
    page = client.get(reverse("programmation:action_creer")).content.decode()
    assert 'for=""' not in page
    assert "<fieldset><legend>Quartiers</legend>" in page
    assert 'id="id_quartiers_0"' in page  # the boxes themselves keep their own labels


def test_it_labels_every_cofinancement_control_and_keeps_inputs_inside_cells(client, agent):
    client.force_login(agent)
    page = client.get(reverse("programmation:action_creer")).content.decode()
    controles = [
        ident
        for balise, ident in re.findall(
            r'(<(?:select|input)[^>]*name="cofinancements-\d+-\w+"[^>]*id="([^"]+)")', page
        )
        if 'type="hidden"' not in balise
    ]
    assert len(controles) >= 8  # two empty rows: financeur, two amounts, delete
    for ident in controles:
        assert f'<label class="visuellement-cache" for="{ident}">' in page, ident
    assert not re.search(r"<tr>\s*<input", page) and not re.search(r"</td>\s*<input", page)
