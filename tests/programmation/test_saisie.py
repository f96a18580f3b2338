"""Agents enter and instruct actions and compose tranches; officials read only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from contrat_ville.models import Axe, Contrat, Financeur
from programmation.models import Action, Cofinancement, Modification, Porteur, Tranche

from .test_verrou import _valeurs

pytestmark = pytest.mark.django_db


@pytest.fixture
def contrat_2024():
    return Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)


def donnees_action(contrat, **changements):
    etat = Financeur.objects.get(nom="État")
    sem = Financeur.objects.get(nature="collectivite", collectivite=contrat.collectivite)
    donnees = {
        "contrat": contrat.pk,
        "annee": 2025,
        "intitule": "Ateliers numériques au Crêt de Roc",
        "porteur": "",
        "nouveau_porteur": "Association Les Clés du Numérique",
        "nouveau_porteur_nature": "association",
        "nouveau_porteur_siret": "73282932000074",
        "nouveau_porteur_rna": "W423001234",
        "axe": Axe.objects.get(contrat=contrat, nom_court="EMANCIPER").pk,
        "territoire": "QPV",
        "objectifs": "Former les habitants aux démarches en ligne.",
        "cout": "20000",
        "contribution": "5000",
        "section": "fonctionnement",
        "version": "",
        "cofinancements-TOTAL_FORMS": "2",
        "cofinancements-INITIAL_FORMS": "0",
        "cofinancements-MIN_NUM_FORMS": "0",
        "cofinancements-MAX_NUM_FORMS": "1000",
        "cofinancements-0-financeur": etat.pk,
        "cofinancements-0-montant_sollicite": "6000",
        "cofinancements-1-financeur": sem.pk,
        "cofinancements-1-montant_accorde": "1500",
    }
    donnees.update(changements)
    return donnees


def test_it_creates_an_action_with_a_new_porteur_and_two_cofinancements(client, agent, contrat_2024):
    client.force_login(agent)
    reponse = client.post(reverse("programmation:action_creer"), donnees_action(contrat_2024))
    action = Action.objects.get(intitule="Ateliers numériques au Crêt de Roc")
    assert reponse["Location"] == reverse("programmation:action", args=[action.pk])
    assert action.porteur.siret == "73282932000074" and action.porteur.rna == "W423001234"
    assert set(
        action.cofinancements.values_list("financeur__nom", "montant_sollicite", "montant_accorde")
    ) == {
        ("État", Decimal("6000"), None),
        ("Saint-Etienne Métropole", None, Decimal("1500")),
    }
    assert action.statut == "deposee"


@pytest.mark.parametrize(
    "changements, champ, message",
    [
        ({"nouveau_porteur_siret": "73282932000075"}, "nouveau_porteur_siret", "clé de contrôle incorrecte"),
        ({"nouveau_porteur_rna": "423001234"}, "nouveau_porteur_rna", "W suivi de 9 chiffres"),
        ({"nouveau_porteur": ""}, "porteur", "Choisissez un porteur"),
        (
            {"cout": "10000"},
            "cout",
            "dépassent le coût de l'action (10\u202f000\u202f€) de 2\u202f500\u202f€",
        ),
        ({"contribution": "-5"}, "contribution", "La contribution ne peut pas être négative."),
        ({"intitule": ""}, "intitule", "Ce champ est obligatoire."),
        ({"cout": "douze"}, "cout", "Saisissez un nombre."),
    ],
)
def test_it_saves_nothing_and_says_why_when_a_field_is_wrong(
    client, agent, contrat_2024, changements, champ, message
):
    client.force_login(agent)
    porteurs, cofinancements = Porteur.objects.count(), Cofinancement.objects.count()
    reponse = client.post(reverse("programmation:action_creer"), donnees_action(contrat_2024, **changements))
    assert reponse.status_code == 400
    erreurs = reponse.context["form"].errors
    assert any(message in e for e in erreurs.get(champ, []) + erreurs.get("__all__", [])), erreurs
    assert "Rien n'a été enregistré" in reponse.content.decode()
    assert not Action.objects.filter(intitule="Ateliers numériques au Crêt de Roc").exists()
    assert (Porteur.objects.count(), Cofinancement.objects.count()) == (porteurs, cofinancements)


def test_it_refuses_an_axe_of_another_contract(client, agent, contrat_2024):
    client.force_login(agent)
    pilier = Axe.objects.get(contrat__annee_debut=2015, numero=1)
    reponse = client.post(reverse("programmation:action_creer"), donnees_action(contrat_2024, axe=pilier.pk))
    assert "Cet axe n'appartient pas au contrat de l'action." in reponse.context["form"].errors["axe"]


def test_it_follows_the_status_workflow_and_records_it(client, agent, contrat_2024):
    client.force_login(agent)
    client.post(reverse("programmation:action_creer"), donnees_action(contrat_2024))
    action = Action.objects.get(intitule="Ateliers numériques au Crêt de Roc")
    lien = reverse("programmation:action_statut", args=[action.pk])
    client.post(lien, {"statut": "votee"})  # only the vote of the tranche makes an action « votée »
    action.refresh_from_db()
    assert action.statut == "deposee"
    for statut in ("en_instruction", "proposee"):
        client.post(lien, {"statut": statut})
    action.refresh_from_db()
    assert action.statut == "proposee"
    historique = list(
        Modification.objects.filter(action=action, champ="statut").values_list("avant", "apres")
    )
    # The history writes statuses by their labels (programmation/models/actions.py, Action.instantane).
    assert sorted(historique) == [("Déposée", "En instruction"), ("En instruction", "Proposée")]
    assert client.get(lien).status_code == 405


def test_it_keeps_a_history_of_amount_changes(client, agent):
    client.force_login(agent)
    action = Action.objects.create(
        contrat=Contrat.objects.get(annee_debut=2024, nature="contrat_de_ville"),
        annee=2025,
        intitule="Chantier jeunes",
        porteur=Porteur.objects.get(nom="AGASEF"),
        cout=Decimal("8000"),
        contribution=Decimal("2000"),
    )
    page = client.get(reverse("programmation:action_modifier", args=[action.pk]))
    donnees = {k: v for k, v in page.context["form"].initial.items() if v is not None and k != "quartiers"}
    donnees.update(
        {
            "contribution": "3000",
            "cofinancements-TOTAL_FORMS": "0",
            "cofinancements-INITIAL_FORMS": "0",
            "version": action.version,
        }
    )
    client.post(reverse("programmation:action_modifier", args=[action.pk]), donnees)
    changement = Modification.objects.get(action=action, champ="contribution")
    assert (changement.avant, changement.apres, changement.auteur) == (
        "2\u202f000\u202f€",
        "3\u202f000\u202f€",
        agent,
    )
    page = client.get(reverse("programmation:action", args=[action.pk])).content.decode()
    assert "3\u202f000\u202f€" in page and "agent-test" in page


def test_it_refuses_the_second_of_two_concurrent_saves(client, agent):
    client.force_login(agent)
    # Voted: its title stays correctable, only its place and amounts are locked.
    action = Action.objects.get(numero_dauphin="266923")
    formulaire = client.get(reverse("programmation:action_modifier", args=[action.pk])).context["form"]
    donnees = {k: v for k, v in formulaire.initial.items() if v is not None and k != "quartiers"}
    donnees.update({"cofinancements-TOTAL_FORMS": "0", "cofinancements-INITIAL_FORMS": "0"})
    premiere = dict(donnees, intitule="Accès au droit (version A)")
    seconde = dict(donnees, intitule="Accès au droit (version B)")
    assert (
        client.post(reverse("programmation:action_modifier", args=[action.pk]), premiere).status_code == 302
    )
    reponse = client.post(reverse("programmation:action_modifier", args=[action.pk]), seconde)
    assert reponse.status_code == 400
    assert "modifiée entre-temps par agent-test" in reponse.context["form"].non_field_errors()[0]
    action.refresh_from_db()
    assert action.intitule == "Accès au droit (version A)"
    assert 'value="Accès au droit (version B)"' in reponse.content.decode()  # nothing typed is lost


def test_it_refuses_to_change_the_amounts_of_a_voted_tranche(client, agent):
    client.force_login(agent)
    action = Action.objects.get(numero_dauphin="266923")
    formulaire = client.get(reverse("programmation:action_modifier", args=[action.pk])).context["form"]
    assert formulaire.fields["contribution"].disabled
    donnees = {k: v for k, v in formulaire.initial.items() if v is not None and k != "quartiers"}
    donnees.update(
        {"contribution": "99999", "cofinancements-TOTAL_FORMS": "0", "cofinancements-INITIAL_FORMS": "0"}
    )
    client.post(reverse("programmation:action_modifier", args=[action.pk]), donnees)
    action.refresh_from_db()
    assert action.contribution == Decimal("15000")  # seed 000


def test_it_refuses_to_change_a_voted_amount_in_the_admin_too(client, administrateur):
    client.force_login(administrateur)
    action = Action.objects.get(numero_dauphin="266923")
    adresse = reverse("admin:programmation_action_change", args=[action.pk])
    page = client.get(adresse)
    donnees = _valeurs(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        donnees |= _valeurs(inline.formset.management_form)
        for form in inline.formset.forms:
            donnees |= _valeurs(form)
    donnees["contribution"] = "1"
    reponse = client.post(adresse, donnees)
    assert reponse.status_code == 200
    assert "nouvelle délibération" in reponse.content.decode()
    assert Action.objects.get(pk=action.pk).contribution == Decimal("15000.00")


def test_it_reconducts_an_action_into_next_year(client, agent):
    client.force_login(agent)
    action = Action.objects.get(numero_dauphin="265738")  # Mentorat lycéen / AFEV, 2024
    reponse = client.post(reverse("programmation:action_reconduire", args=[action.pk]))
    copie = Action.objects.get(annee=2025, intitule="Mentorat lycéen")
    assert reponse["Location"] == reverse("programmation:action_modifier", args=[copie.pk])
    assert (copie.porteur, copie.axe, copie.objectifs, copie.statut) == (
        action.porteur,
        action.axe,
        action.objectifs,
        "deposee",
    )
    assert copie.tranche is None and copie.contribution == 0
    ancienne = Action.objects.get(annee=2019, intitule="Apprentis volontaires")
    client.post(reverse("programmation:action_reconduire", args=[ancienne.pk]))
    en_2020 = Action.objects.get(annee=2020, intitule="Apprentis volontaires")  # last year of 2015-2020
    refus = client.post(reverse("programmation:action_reconduire", args=[en_2020.pk]), follow=True)
    assert "s&#x27;achève en 2020" in refus.content.decode()
    assert not Action.objects.filter(annee=2021, intitule="Apprentis volontaires").exists()


def test_it_composes_a_draft_tranche_and_submits_it(client, agent, contrat_2024):
    client.force_login(agent)
    client.post(reverse("programmation:tranche_creer"), {"contrat": contrat_2024.pk, "annee": 2024})
    tranche = Tranche.objects.get(contrat=contrat_2024, annee=2024, numero=2)
    action = Action.objects.create(
        contrat=contrat_2024,
        annee=2024,
        intitule="Forum de l'emploi",
        porteur=Porteur.objects.get(nom="AGASEF", siret=""),
        axe=Axe.objects.get(contrat=contrat_2024, nom_court="REVELER"),
        cout=Decimal("12000"),
        contribution=Decimal("4000"),
        statut="proposee",
    )
    Porteur.objects.filter(pk=action.porteur_id).update(siret="73282932000074")
    client.post(reverse("programmation:tranche_ajouter", args=[tranche.pk]), {"action": action.pk})
    page = client.get(reverse("programmation:tranche_composer", args=[tranche.pk]))
    assert page.context["annexe"].contribution == Decimal("4000")
    client.post(reverse("programmation:tranche_retirer", args=[tranche.pk]), {"action": action.pk})
    assert not tranche.actions.exists()
    client.post(reverse("programmation:tranche_ajouter", args=[tranche.pk]), {"action": action.pk})
    client.post(reverse("programmation:tranche_soumettre", args=[tranche.pk]))
    tranche.refresh_from_db()
    assert tranche.statut == "soumise"
    refus = client.post(
        reverse("programmation:tranche_retirer", args=[tranche.pk]), {"action": action.pk}, follow=True
    )
    assert "seule une tranche en brouillon se compose" in refus.content.decode()
    assert tranche.actions.count() == 1


def test_it_refuses_to_submit_a_tranche_with_a_blocking_finding(client, agent, contrat_2024):
    client.force_login(agent)
    tranche = Tranche.objects.creer_suivante(contrat_2024, 2024)
    Action.objects.create(
        contrat=contrat_2024,
        annee=2024,
        tranche=tranche,
        intitule="Sans axe",
        statut="proposee",
        porteur=Porteur.objects.get(nom="AGASEF"),
        contribution=Decimal("100"),
    )
    reponse = client.post(reverse("programmation:tranche_soumettre", args=[tranche.pk]), follow=True)
    assert "anomalie(s) bloquante(s)" in reponse.content.decode()
    tranche.refresh_from_db()
    assert tranche.statut == "brouillon"


ECRITURES = [
    ("programmation:action_creer", False),
    ("programmation:action_modifier", True),
    ("programmation:action_statut", True),
    ("programmation:action_reconduire", True),
    ("programmation:tranche_creer", False),
    ("programmation:tranche_composer", True),
    ("programmation:tranche_ajouter", True),
    ("programmation:tranche_retirer", True),
    ("programmation:tranche_soumettre", True),
]


@pytest.mark.parametrize("nom, avec_pk", ECRITURES)
def test_it_answers_403_to_an_elected_official_on_every_write_url(client, elu, nom, avec_pk):
    client.force_login(elu)
    lien = reverse(
        nom,
        args=[Action.objects.first().pk if "action" in nom else Tranche.objects.first().pk]
        if avec_pk
        else [],
    )
    assert client.post(lien, {}).status_code == 403
    assert client.get(lien).status_code in (403, 405)


def test_it_shows_an_elected_official_no_edit_button(client, elu):
    client.force_login(elu)
    action = Action.objects.get(numero_dauphin="266923")
    page = client.get(reverse("programmation:action", args=[action.pk])).content.decode()
    assert "Modifier" not in page and "Reconduire" not in page and "Passer à" not in page
    assert (
        "Saisir une nouvelle action"
        not in client.get(reverse("programmation:programmation")).content.decode()
    )
    assert "Créer une tranche" not in client.get(reverse("programmation:tranches")).content.decode()


def _envoye_par_le_navigateur(form):
    """What a browser posts back for a form as shown: disabled fields are not sent."""
    donnees = {}
    for champ in form:
        valeur = champ.value()
        if champ.field.disabled or valeur is None or valeur is False:
            continue
        donnees[champ.html_name] = [str(v) for v in valeur] if isinstance(valeur, list) else valeur
    return donnees


def test_it_saves_a_voted_action_s_territory_and_keeps_its_two_cofinancements(client, agent, contrat_2024):
    tranche = Tranche.objects.creer_suivante(contrat_2024, 2024)
    action = Action.objects.create(
        contrat=contrat_2024,
        annee=2024,
        intitule="Médiation de nuit",
        porteur=Porteur.objects.get(nom="AGASEF", siret=""),
        axe=Axe.objects.get(contrat=contrat_2024, nom_court="EMANCIPER"),
        territoire="Tarentaize",
        cout=Decimal("20000"),
        contribution=Decimal("5000"),
        statut="proposee",
    )
    etat = Financeur.objects.get(nom="État")
    sem = Financeur.objects.get(nature="collectivite", collectivite=contrat_2024.collectivite)
    Cofinancement.objects.create(action=action, financeur=etat, montant_sollicite=Decimal("6000"))
    Cofinancement.objects.create(action=action, financeur=sem, montant_accorde=Decimal("1500"))
    tranche.ajouter(action)
    tranche.verrouiller("Délibération de test")
    client.force_login(agent)
    adresse = reverse("programmation:action_modifier", args=[action.pk])
    page = client.get(adresse)
    assert page.context["formset"] is None  # shown read-only
    assert "6\u202f000\u202f€" in page.content.decode() and "1\u202f500\u202f€" in page.content.decode()
    donnees = _envoye_par_le_navigateur(page.context["form"]) | {"territoire": "Tarentaize et Beaubrun"}
    reponse = client.post(adresse, donnees)
    assert reponse.status_code == 302, reponse.context["form"].errors
    action.refresh_from_db()
    assert (action.territoire, action.cout, action.contribution, action.tranche_id, action.statut) == (
        "Tarentaize et Beaubrun",
        Decimal("20000"),
        Decimal("5000"),
        tranche.pk,
        "votee",
    )
    assert set(action.cofinancements.values_list("financeur", "montant_sollicite", "montant_accorde")) == {
        (etat.pk, Decimal("6000"), None),
        (sem.pk, None, Decimal("1500")),
    }
    ligne = action.modifications.get(champ="territoire")
    assert (ligne.avant, ligne.apres, ligne.auteur) == ("Tarentaize", "Tarentaize et Beaubrun", agent)
