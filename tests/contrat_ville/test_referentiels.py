"""The reference data pages (contrat_ville/referentiels): a référent creates and changes each kind of row
of their authority, every change is checked by the model and leaves one line of history; another
authority's rows are out of reach, agents and élus read without changing."""

import re
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contrat_ville import historique
from contrat_ville.models import Axe, Contrat, Enveloppe, Financeur, Quartier, Theme
from contrat_ville.referentiels.forms import QuartierForm
from contrat_ville.roles import AGENTS, ELUS, REFERENTS

from ..factories import AxeFactory, CollectiviteFactory, ContratFactory, FinanceurFactory, compte

pytestmark = pytest.mark.django_db


@pytest.fixture
def referent(sem):
    return compte("referent-test", sem, REFERENTS, first_name="Claire", last_name="Martin")


@pytest.fixture
def connecte(client, referent):
    client.force_login(referent)
    return client


def lignes_de(modele, objet):
    return list(historique.historique_de(modele, [objet.pk]).values_list("action_flag", "change_message"))


def erreurs(reponse):
    """The form's error summary, as text."""
    bloc = re.search(r'class="erreurs-resume".*?</div>', reponse.content.decode(), re.S)
    return re.sub(r"<[^>]+>", " ", bloc.group(0)) if bloc else ""


def contrat_2024(sem):
    return Contrat.objects.get(collectivite=sem, nature="contrat_de_ville", annee_debut=2024)


# Financeurs.


def test_it_lets_a_referent_add_a_financeur_and_says_so_in_the_history(connecte, sem, referent):
    reponse = connecte.post(
        reverse("referentiels:financeur_creer"),
        {"nom": "Région Auvergne-Rhône-Alpes", "nature": "region", "precision": ""},
    )
    assert reponse.status_code == 302 and reponse["Location"] == reverse("referentiels:financeurs")
    region = Financeur.objects.get(collectivite=sem, nom="Région Auvergne-Rhône-Alpes")
    assert region.nature == "region"
    ligne = historique.historique_de(Financeur, [region.pk]).get()
    assert (ligne.user, ligne.action_flag) == (referent, historique.AJOUT)
    assert ligne.change_message == "Création — Nom : Région Auvergne-Rhône-Alpes ; Nature : Région"
    page = connecte.get(reverse("referentiels:financeurs")).content.decode()
    assert "Claire Martin" in page and "Ajout : Région Auvergne-Rhône-Alpes" in page


def test_it_lets_a_referent_rename_a_financeur_and_says_what_changed_in_the_history(connecte, sem):
    etat = Financeur.objects.get(collectivite=sem, nom="État")
    reponse = connecte.post(
        reverse("referentiels:financeur_modifier", args=[etat.pk]),
        {"nom": "État (ANCT)", "nature": "etat", "precision": "BOP 147"},
    )
    assert reponse.status_code == 302
    etat.refresh_from_db()
    assert (etat.nom, etat.precision) == ("État (ANCT)", "BOP 147")
    assert lignes_de(Financeur, etat) == [
        (historique.MODIFICATION, "Nom : État → État (ANCT) ; Précision : ANCT (ex-CGET), BOP 147 → BOP 147")
    ]
    page = connecte.get(reverse("referentiels:financeur_modifier", args=[etat.pk])).content.decode()
    assert "Nom : État → État (ANCT)" in page  # the row's own page shows its history


def test_it_writes_no_history_when_a_form_is_saved_unchanged(connecte, sem):
    etat = Financeur.objects.get(collectivite=sem, nom="État")
    reponse = connecte.post(
        reverse("referentiels:financeur_modifier", args=[etat.pk]),
        {"nom": etat.nom, "nature": etat.nature, "precision": etat.precision},
        follow=True,
    )
    assert "Aucune modification : rien n&#x27;a été enregistré." in reponse.content.decode()
    assert lignes_de(Financeur, etat) == []


def test_it_keeps_a_financeur_name_unique_within_the_authority(connecte, sem, sedr):
    reponse = connecte.post(reverse("referentiels:financeur_creer"), {"nom": "État", "nature": "etat"})
    assert reponse.status_code == 400
    assert "Votre collectivité a déjà un financeur de ce nom." in erreurs(reponse)
    assert Financeur.objects.filter(collectivite=sem, nom="État").count() == 1
    # Another authority's financeur of the same name is no obstacle.
    nom_de_sedr = Financeur.objects.filter(collectivite=sedr).exclude(nom="État").first().nom
    assert not Financeur.objects.filter(collectivite=sem, nom=nom_de_sedr).exists()
    reponse = connecte.post(reverse("referentiels:financeur_creer"), {"nom": nom_de_sedr, "nature": "autre"})
    assert reponse.status_code == 302


def test_it_deletes_an_unused_financeur_with_a_line_of_history(connecte, sem):
    caf = Financeur.objects.create(collectivite=sem, nom="CAF de la Loire", nature="caf")
    reponse = connecte.post(reverse("referentiels:financeur_supprimer", args=[caf.pk]), follow=True)
    assert not Financeur.objects.filter(pk=caf.pk).exists()
    assert "Suppression enregistrée : financeur « CAF de la Loire »." in reponse.content.decode()
    assert lignes_de(Financeur, caf) == [(historique.SUPPRESSION, "Suppression de « CAF de la Loire »")]
    # The deletion stays in the list's history though the row is gone.
    assert (
        "Suppression : CAF de la Loire" in connecte.get(reverse("referentiels:financeurs")).content.decode()
    )


def test_it_keeps_a_financeur_in_use_and_says_why_on_the_page(connecte, sem):
    etat = Financeur.objects.get(collectivite=sem, nom="État")
    reponse = connecte.post(reverse("referentiels:financeur_supprimer", args=[etat.pk]), follow=True)
    assert Financeur.objects.filter(pk=etat.pk).exists()
    page = reponse.content.decode()
    assert reponse.redirect_chain[-1][0] == reverse("referentiels:financeur_modifier", args=[etat.pk])
    assert "Suppression impossible : « État » sert encore à" in page
    assert "4 enveloppes" in page and "cofinancement" in page
    assert lignes_de(Financeur, etat) == []  # the refused deletion leaves no history


def test_it_deletes_only_on_a_post(connecte, sem):
    etat = Financeur.objects.get(collectivite=sem, nom="État")
    assert connecte.get(reverse("referentiels:financeur_supprimer", args=[etat.pk])).status_code == 405


# Envelopes.


def enveloppe(contrat, **champs):
    donnees = {
        "contrat": contrat.pk,
        "annee": "2025",
        "axe": "",
        "financeur": "",
        "section": "",
        "montant": "100 000",
        "taux_maximum": "",
        "source": "",
    }
    return {**donnees, **champs}


def test_it_lets_a_referent_set_an_envelope_typed_the_french_way(connecte, sem):
    contrat = contrat_2024(sem)
    axe = Axe.objects.get(contrat=contrat, numero=2)
    etat = Financeur.objects.get(collectivite=sem, nom="État")
    reponse = connecte.post(
        reverse("referentiels:enveloppe_creer"),
        enveloppe(
            contrat,
            axe=axe.pk,
            financeur=etat.pk,
            section="fonctionnement",
            montant="12 345,50 €",
            taux_maximum="55,5 %",
        ),
    )
    assert reponse.status_code == 302
    assert reponse["Location"] == f"{reverse('referentiels:enveloppes')}?contrat={contrat.pk}&annee=2025"
    creee = Enveloppe.objects.get(contrat=contrat, annee=2025, axe=axe, financeur=etat)
    assert (creee.montant, creee.taux_maximum, creee.section) == (
        Decimal("12345.50"),
        Decimal("55.5"),
        "fonctionnement",
    )
    (nature, message), *_ = lignes_de(Enveloppe, creee)
    assert nature == historique.AJOUT
    assert (
        "Montant : 12\u202f345,50\u202f€" in message
        and "Part maximale du programme (%) : 55,5\u202f%" in message
    )
    page = connecte.get(reponse["Location"]).content.decode()
    assert "12\u202f345,50\u202f€" in page and str(axe) in page


def test_it_notes_the_amount_before_and_after_when_an_envelope_changes(connecte, sem):
    cls = Contrat.objects.get(collectivite=sem, nature="cls")
    etat = Enveloppe.objects.get(contrat=cls, annee=2025, financeur__nom="État")
    champs = enveloppe(cls, annee="2025", financeur=etat.financeur_id, taux_maximum="50", source=etat.source)
    champs["montant"] = "495 000"
    reponse = connecte.post(reverse("referentiels:enveloppe_modifier", args=[etat.pk]), champs)
    assert reponse.status_code == 302
    etat.refresh_from_db()
    assert etat.montant == Decimal("495000")
    assert lignes_de(Enveloppe, etat) == [
        (historique.MODIFICATION, "Montant : 490\u202f500\u202f€ → 495\u202f000\u202f€")
    ]


def test_it_shows_the_models_rules_on_the_envelope_form(connecte, sem):
    contrat, cls = contrat_2024(sem), Contrat.objects.get(collectivite=sem, nature="cls")
    avant = Enveloppe.objects.count()
    # Amount below zero, year outside the contract, an axe of another contract.
    reponse = connecte.post(
        reverse("referentiels:enveloppe_creer"),
        enveloppe(contrat, annee="2035", axe=Axe.objects.filter(contrat=cls).first().pk, montant="-5"),
    )
    assert reponse.status_code == 400
    texte = erreurs(reponse)
    assert "Le montant ne peut pas être négatif." in texte
    assert "couvre les années 2024-2030" in texte
    assert "n&#x27;est pas un axe du contrat" in texte
    # Three decimals: ambiguous, refused with the French reading's message.
    reponse = connecte.post(reverse("referentiels:enveloppe_creer"), enveloppe(contrat, montant="12,345"))
    assert reponse.status_code == 400 and "est ambigu" in erreurs(reponse)
    assert Enveloppe.objects.count() == avant


def test_it_does_not_set_an_envelope_twice_even_without_axe_or_financeur(connecte, sem):
    cls = Contrat.objects.get(collectivite=sem, nature="cls")
    # The program's 2024 budget, all financeurs together: axe and financeur empty (NULL).
    reponse = connecte.post(reverse("referentiels:enveloppe_creer"), enveloppe(cls, annee="2024"))
    assert reponse.status_code == 400 and "Cette enveloppe existe déjà." in erreurs(reponse)
    # And with every key filled, the model's unique key says the same.
    etat = Financeur.objects.get(collectivite=sem, nom="État")
    axe = Axe.objects.filter(contrat=cls).first()
    donnees = enveloppe(cls, annee="2024", axe=axe.pk, financeur=etat.pk, section="fonctionnement")
    assert connecte.post(reverse("referentiels:enveloppe_creer"), donnees).status_code == 302
    reponse = connecte.post(reverse("referentiels:enveloppe_creer"), donnees)
    assert reponse.status_code == 400 and "Cette enveloppe existe déjà." in erreurs(reponse)
    assert Enveloppe.objects.filter(contrat=cls, annee=2024, axe=axe).count() == 1


def test_it_holds_in_the_model_and_the_database_the_key_of_an_envelope_without_axe_or_financeur(sem):
    # Not the page only: the admin and the grid go through full_clean(), the import and bulk_create
    # through the database's unique index.
    cls = Contrat.objects.get(collectivite=sem, nature="cls")
    programme = Enveloppe.objects.get(contrat=cls, annee=2024, axe=None, financeur=None, section="")
    double = Enveloppe(contrat=cls, annee=2024, section="", montant=Decimal("1"))
    with pytest.raises(ValidationError, match="Cette enveloppe existe déjà."):
        double.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Enveloppe.objects.bulk_create([double])
    # Another section, or the same row saved again, is not a double.
    Enveloppe(contrat=cls, annee=2024, section="investissement", montant=Decimal("1")).full_clean()
    programme.full_clean()
    assert Enveloppe.objects.filter(contrat=cls, annee=2024, axe=None, financeur=None).count() == 1


def test_it_saves_and_notes_exactly_a_rate_changed_by_a_hundredth(connecte, sem):
    cls = Contrat.objects.get(collectivite=sem, nature="cls")
    etat = Enveloppe.objects.get(contrat=cls, annee=2025, financeur__nom="État")
    champs = enveloppe(cls, annee="2025", financeur=etat.financeur_id, source=etat.source)
    champs["montant"] = str(etat.montant).replace(".", ",")
    adresse = reverse("referentiels:enveloppe_modifier", args=[etat.pk])
    assert connecte.post(adresse, {**champs, "taux_maximum": "55,55"}).status_code == 302
    assert connecte.post(adresse, {**champs, "taux_maximum": "55,56"}).status_code == 302
    etat.refresh_from_db()
    assert etat.taux_maximum == Decimal("55.56")
    assert lignes_de(Enveloppe, etat)[0] == (
        historique.MODIFICATION,
        "Part maximale du programme (%) : 55,55\u202f% → 55,56\u202f%",
    )
    page = connecte.get(reverse("referentiels:enveloppes") + f"?contrat={cls.pk}&annee=2025").content.decode()
    assert "55,56\u202f%" in page


def test_it_deletes_an_envelope(connecte, sem):
    contrat = contrat_2024(sem)
    a_supprimer = Enveloppe.objects.create(contrat=contrat, annee=2026, montant=Decimal("1000"))
    reponse = connecte.post(reverse("referentiels:enveloppe_supprimer", args=[a_supprimer.pk]))
    assert reponse.status_code == 302
    assert reponse["Location"] == f"{reverse('referentiels:enveloppes')}?contrat={contrat.pk}&annee=2026"
    assert not Enveloppe.objects.filter(pk=a_supprimer.pk).exists()
    assert [n for n, _ in lignes_de(Enveloppe, a_supprimer)] == [historique.SUPPRESSION]


def test_it_shows_the_current_contract_and_its_latest_year_on_the_envelope_list(connecte, sem):
    cls = Contrat.objects.get(collectivite=sem, nature="cls")
    page = connecte.get(reverse("referentiels:enveloppes")).content.decode()
    # The contrat de ville in force comes first; it has no envelope yet.
    assert re.search(rf'<option value="{contrat_2024(sem).pk}" selected>', page)
    page = connecte.get(reverse("referentiels:enveloppes"), {"contrat": cls.pk}).content.decode()
    assert '<option value="2027" selected>' in page  # the CLS's latest year with envelopes
    lignes = re.findall(r"<tr>\s*<td>(\d{4})</td>", page)
    assert lignes == ["2027", "2027"]  # one row per year × axe × financeur × section
    assert (
        "981\u202f000\u202f€" in page
        and "490\u202f500\u202f€" in page
        and "Tous financeurs confondus" in page
    )
    page = connecte.get(
        reverse("referentiels:enveloppes"), {"contrat": cls.pk, "annee": "2025"}
    ).content.decode()
    assert re.findall(r"<tr>\s*<td>(\d{4})</td>", page) == ["2025", "2025"]
    # Whatever is typed in the address, the page answers.
    reponse = connecte.get(reverse("referentiels:enveloppes"), {"contrat": "x", "annee": "1e9"})
    assert reponse.status_code == 200


# Quartiers.


def test_it_lets_a_referent_add_and_rename_a_quartier(connecte, sem):
    reponse = connecte.post(
        reverse("referentiels:quartier_creer"),
        {"nom": "Quartier de la Gare", "commune": "Saint-Etienne", "nature": "qpv", "code": "qn04299z"},
    )
    assert reponse.status_code == 302, erreurs(reponse)
    quartier = Quartier.objects.get(collectivite=sem, nom="Quartier de la Gare", commune="Saint-Etienne")
    assert quartier.code == "QN04299Z"
    reponse = connecte.post(
        reverse("referentiels:quartier_modifier", args=[quartier.pk]),
        {"nom": "Gare Nord", "commune": "Saint-Etienne", "nature": "qpv", "code": "QN04299Z"},
    )
    assert reponse.status_code == 302
    assert [m for _, m in lignes_de(Quartier, quartier)][0] == "Nom : Quartier de la Gare → Gare Nord"


def test_it_takes_the_quartier_rules_from_the_model(connecte, sem, sedr):
    # QPV codes are national: one code, one quartier, whichever authority lists it.
    Quartier.objects.create(
        collectivite=sedr, nom="Château Blanc", commune="SEDR", nature="qpv", code="QN07601A"
    )
    reponse = connecte.post(
        reverse("referentiels:quartier_creer"),
        {"nom": "Autre", "commune": "Firminy", "nature": "qpv", "code": "QN07601A"},
    )
    assert reponse.status_code == 400 and "Un quartier porte déjà ce code." in erreurs(reponse)
    reponse = connecte.post(
        reverse("referentiels:quartier_creer"),
        {"nom": "Autre", "commune": "Firminy", "nature": "qpv", "code": "QP42"},
    )
    assert reponse.status_code == 400 and "ne suit ni le format" in erreurs(reponse)


def test_it_checks_in_the_form_the_unique_keys_that_name_the_authority(sem):
    """The authority is not a field of the form: full_clean() checks the key that involves it."""
    existant = Quartier.objects.filter(collectivite=sem).first()
    donnees = {"nom": existant.nom, "commune": existant.commune, "nature": "qpv", "code": ""}
    form = QuartierForm(donnees, instance=Quartier(collectivite=sem), collectivite=sem.pk)
    assert not form.is_valid()
    assert form.non_field_errors() == ["Cette commune a déjà un quartier de ce nom."]


# Contracts, axes and thèmes.


def test_it_lets_a_referent_set_up_a_contract_its_axes_and_themes_from_scratch(client):
    ville = CollectiviteFactory(nom="Ville de Villeneuve-Test", nature="commune")
    client.force_login(compte("referent-ville-test", ville, REFERENTS))
    reponse = client.post(
        reverse("referentiels:contrat_creer"),
        {
            "intitule": "Contrat de ville 2024-2030",
            "nature": "contrat_de_ville",
            "annee_debut": "2024",
            "annee_fin": "2030",
            "libelle_niveau": "Pilier",
            "date_adoption": "2024-03-28",
            "instance_adoption": "Conseil municipal",
        },
    )
    assert reponse.status_code == 302
    contrat = Contrat.objects.get(collectivite=ville)
    assert contrat.annees() == range(2024, 2031)
    # The next number is offered.
    page = client.get(reverse("referentiels:axe_creer"), {"contrat": contrat.pk}).content.decode()
    assert re.search(r'name="numero" value="1"', page)
    axe_donnees = {"contrat": contrat.pk, "numero": "1", "intitule": "Cohésion sociale", "ordre": "0"}
    reponse = client.post(reverse("referentiels:axe_creer"), axe_donnees)
    assert reponse["Location"] == f"{reverse('referentiels:axes')}?contrat={contrat.pk}"
    axe = Axe.objects.get(contrat=contrat)
    reponse = client.post(reverse("referentiels:axe_creer"), {**axe_donnees, "intitule": "Emploi"})
    assert reponse.status_code == 400 and "Ce contrat a déjà un axe portant ce numéro." in erreurs(reponse)
    reponse = client.post(
        reverse("referentiels:theme_creer"), {"axe": axe.pk, "intitule": "Accès au droit", "ordre": "1"}
    )
    assert reponse.status_code == 302
    theme = Theme.objects.get(axe=axe)
    reponse = client.post(
        reverse("referentiels:theme_creer"), {"axe": axe.pk, "intitule": "Accès au droit", "ordre": "2"}
    )
    assert reponse.status_code == 400 and "Cet axe a déjà un thème de cet intitulé." in erreurs(reponse)
    reponse = client.post(
        reverse("referentiels:theme_modifier", args=[theme.pk]),
        {"axe": axe.pk, "intitule": "Accès aux droits", "ordre": "1"},
    )
    assert reponse.status_code == 302
    page = client.get(reverse("referentiels:axes")).content.decode()
    assert "Pilier 1 : Cohésion sociale" in page and "Accès aux droits" in page
    assert "Intitulé : Accès au droit → Accès aux droits" in page
    assert [n for n, _ in lignes_de(Contrat, contrat)] == [historique.AJOUT]
    index = client.get(reverse("referentiels:index")).content.decode()
    assert "1 axe, 1 thème" in index


def test_it_keeps_an_axe_in_its_contract(connecte, sem):
    axe = Axe.objects.get(contrat=contrat_2024(sem), numero=2)
    autre = Contrat.objects.get(collectivite=sem, nature="cls")
    reponse = connecte.post(
        reverse("referentiels:axe_modifier", args=[axe.pk]),
        {
            "contrat": autre.pk,
            "numero": "2",
            "intitule": axe.intitule,
            "nom_court": "EMANCIPER",
            "ordre": "7",
        },
    )
    assert reponse.status_code == 302
    axe.refresh_from_db()
    assert axe.contrat == contrat_2024(sem) and axe.ordre == 7


def test_it_keeps_the_years_of_a_contract_s_envelopes(connecte, sem):
    cls = Contrat.objects.get(collectivite=sem, nature="cls")
    donnees = {
        "intitule": cls.intitule,
        "nature": cls.nature,
        "annee_debut": "2024",
        "annee_fin": "2025",
        "libelle_niveau": cls.libelle_niveau,
    }
    reponse = connecte.post(reverse("referentiels:contrat_modifier", args=[cls.pk]), donnees)
    assert reponse.status_code == 400 and "en 2026, 2027" in erreurs(reponse)
    reponse = connecte.post(
        reverse("referentiels:contrat_modifier", args=[cls.pk]), {**donnees, "annee_debut": "2026"}
    )
    assert reponse.status_code == 400 and "La dernière année doit suivre la première." in erreurs(reponse)
    cls.refresh_from_db()
    assert cls.annee_fin == 2027


# Another authority, other roles.


def pages_d_objets(sedr):
    contrat = Contrat.objects.filter(collectivite=sedr).first()
    axe = Axe.objects.filter(contrat__collectivite=sedr).first()
    enveloppe_de_sedr = Enveloppe.objects.create(contrat=contrat, annee=contrat.annee_debut, montant=1)
    return [
        ("referentiels:contrat_modifier", contrat),
        ("referentiels:financeur_modifier", Financeur.objects.filter(collectivite=sedr).first()),
        ("referentiels:financeur_supprimer", Financeur.objects.filter(collectivite=sedr).first()),
        ("referentiels:enveloppe_modifier", enveloppe_de_sedr),
        ("referentiels:enveloppe_supprimer", enveloppe_de_sedr),
        ("referentiels:quartier_modifier", Quartier.objects.filter(collectivite=sedr).first()),
        ("referentiels:axe_modifier", axe),
        ("referentiels:theme_modifier", Theme.objects.filter(axe__contrat__collectivite=sedr).first()),
    ]


def test_it_does_not_find_another_authoritys_rows(connecte, sedr):
    avant = LogEntry.objects.count()
    for nom, objet in pages_d_objets(sedr):
        adresse = reverse(nom, args=[objet.pk])
        if not nom.endswith("supprimer"):
            assert connecte.get(adresse).status_code == 404, nom
        assert connecte.post(adresse, {"nom": "Pris", "intitule": "Pris"}).status_code == 404, nom
        assert type(objet).objects.filter(pk=objet.pk).exists()
    assert LogEntry.objects.count() == avant


def test_it_does_not_let_another_authoritys_rows_be_chosen(connecte, sem, sedr):
    contrat = contrat_2024(sem)
    financeur_de_sedr = Financeur.objects.filter(collectivite=sedr).first()
    axe_de_sedr = Axe.objects.filter(contrat__collectivite=sedr).first()
    reponse = connecte.post(
        reverse("referentiels:enveloppe_creer"),
        enveloppe(contrat, financeur=financeur_de_sedr.pk, axe=axe_de_sedr.pk),
    )
    assert reponse.status_code == 400
    assert erreurs(reponse).count("Sélectionnez un choix valide") == 2
    contrat_de_sedr = Contrat.objects.get(collectivite=sedr)
    reponse = connecte.post(reverse("referentiels:enveloppe_creer"), enveloppe(contrat_de_sedr))
    assert reponse.status_code == 400
    reponse = connecte.post(
        reverse("referentiels:axe_creer"), {"contrat": contrat_de_sedr.pk, "numero": "9", "intitule": "Pris"}
    )
    assert reponse.status_code == 400
    reponse = connecte.post(reverse("referentiels:theme_creer"), {"axe": axe_de_sedr.pk, "intitule": "Pris"})
    assert reponse.status_code == 400
    assert not Enveloppe.objects.filter(contrat__collectivite=sedr).exists()
    assert (
        not Axe.objects.filter(intitule="Pris").exists()
        and not Theme.objects.filter(intitule="Pris").exists()
    )


@pytest.mark.parametrize("role", [AGENTS, ELUS])
def test_it_lets_agents_and_elus_read_the_lists_and_change_nothing(client, sem, role):
    client.force_login(compte("lecteur", sem, role))
    for nom in ("index", "contrats", "financeurs", "enveloppes", "quartiers", "axes"):
        page = client.get(reverse(f"referentiels:{nom}"))
        assert page.status_code == 200, nom
        assert "Modifier" not in page.content.decode() and "Ajouter un" not in page.content.decode()
    etat = Financeur.objects.get(collectivite=sem, nom="État")
    contrat = contrat_2024(sem)
    axe = Axe.objects.filter(contrat=contrat).first()
    refusees = [
        ("referentiels:financeur_creer", [], {"nom": "Région", "nature": "region"}),
        ("referentiels:financeur_modifier", [etat.pk], {"nom": "Pris", "nature": "etat"}),
        ("referentiels:financeur_supprimer", [etat.pk], {}),
        ("referentiels:enveloppe_creer", [], enveloppe(contrat)),
        ("referentiels:quartier_creer", [], {"nom": "Pris", "commune": "X", "nature": "qpv"}),
        ("referentiels:axe_creer", [], {"contrat": contrat.pk, "numero": "9", "intitule": "Pris"}),
        ("referentiels:axe_modifier", [axe.pk], {"contrat": contrat.pk, "numero": "9", "intitule": "Pris"}),
        ("referentiels:theme_creer", [], {"axe": axe.pk, "intitule": "Pris"}),
        ("referentiels:contrat_creer", [], {"intitule": "Pris"}),
        ("referentiels:contrat_modifier", [contrat.pk], {"intitule": "Pris"}),
    ]
    avant = LogEntry.objects.count()
    for nom, arguments, donnees in refusees:
        assert client.post(reverse(nom, args=arguments), donnees).status_code == 403, nom
        if not nom.endswith("supprimer"):
            assert client.get(reverse(nom, args=arguments)).status_code == 403, nom
    assert not Financeur.objects.filter(nom__in=["Région", "Pris"]).exists()
    assert Financeur.objects.filter(pk=etat.pk).exists()
    assert LogEntry.objects.count() == avant


def test_it_tells_whoever_cannot_change_them_who_keeps_them(client, sem, sedr, referent):
    client.force_login(compte("agent-lecteur", sem, AGENTS))
    compte("referent-sans-nom", sem, REFERENTS)
    compte("referent-parti", sem, REFERENTS, is_active=False)
    compte("referent-ailleurs", sedr, REFERENTS, first_name="Paul", last_name="Ailleurs")
    page = client.get(reverse("referentiels:index")).content.decode()
    assert (
        "Ces référentiels sont tenus par les référents de votre collectivité : "
        "Claire Martin, referent-sans-nom." in page
    )
    assert "Paul Ailleurs" not in page and "referent-parti" not in page
    # A référent is not told it.
    client.force_login(referent)
    assert "tenus par" not in client.get(reverse("referentiels:index")).content.decode()


def test_it_tells_an_authority_without_referent_to_ask_its_administrator(client):
    ville = CollectiviteFactory()
    client.force_login(compte("agent-seul", ville, AGENTS))
    page = client.get(reverse("referentiels:financeurs")).content.decode()
    assert "aucun référent n'est désigné : demandez à votre administrateur." in page


def test_it_shows_the_pages_history_as_the_back_office_history(connecte, sem, admin_user, client):
    etat = Financeur.objects.get(collectivite=sem, nom="État")
    connecte.post(
        reverse("referentiels:financeur_modifier", args=[etat.pk]),
        {"nom": "État", "nature": "etat", "precision": "BOP 147"},
    )
    client.force_login(admin_user)
    page = client.get(reverse("admin:contrat_ville_financeur_history", args=[etat.pk])).content.decode()
    assert "Précision : ANCT (ex-CGET), BOP 147 → BOP 147" in page


# Query counts: the same whatever the number of rows.


def _requetes(client, adresse):
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(adresse).status_code == 200
    return len(requetes)


def _remplir(ville, contrat, auteur, debut, fin):
    for i in range(debut, fin):
        financeur = FinanceurFactory(collectivite=ville, nom=f"Financeur {i}")
        axe = AxeFactory(contrat=contrat, numero=i + 1)
        theme = Theme.objects.create(axe=axe, intitule=f"Thème {i}")
        quartier = Quartier.objects.create(
            collectivite=ville, nom=f"Quartier {i}", commune="Ville", nature="qpv"
        )
        une = Enveloppe.objects.create(contrat=contrat, annee=2025, axe=axe, financeur=financeur, montant=i)
        autre = ContratFactory(collectivite=ville, intitule=f"Contrat {i}")
        for objet in (financeur, axe, theme, quartier, une, autre):
            historique.noter(auteur, objet, historique.MODIFICATION, f"Changement {i}")


@pytest.mark.parametrize("role", [REFERENTS, AGENTS])
@pytest.mark.parametrize("page", ["index", "contrats", "financeurs", "enveloppes", "quartiers", "axes"])
def test_it_makes_the_same_queries_for_each_list_with_3_and_30_rows(client, role, page):
    ville = CollectiviteFactory()
    contrat = ContratFactory(collectivite=ville, annee_debut=2024, annee_fin=2030)
    lecteur = compte(f"lecteur-{role}", ville, role)
    compte("referent-de-la-ville", ville, REFERENTS)
    client.force_login(lecteur)
    adresse = reverse(f"referentiels:{page}") + f"?contrat={contrat.pk}&annee=2025"
    _remplir(ville, contrat, lecteur, 0, 3)
    peu = _requetes(client, adresse)
    _remplir(ville, contrat, lecteur, 3, 30)
    assert _requetes(client, adresse) == peu
    if page != "index":
        assert client.get(adresse).content.decode().count("Changement ") == 15  # the recent history


# Anything typed: never a server error.

CHAMPS = [
    "nom",
    "nature",
    "precision",
    "contrat",
    "annee",
    "axe",
    "financeur",
    "section",
    "montant",
    "taux_maximum",
    "source",
    "code",
    "commune",
    "numero",
    "intitule",
    "nom_court",
    "devise",
    "ordre",
    "annee_debut",
    "annee_fin",
    "libelle_niveau",
    "date_adoption",
    "instance_adoption",
]


@pytest.mark.parametrize(
    "nom",
    [
        "referentiels:contrat_creer",
        "referentiels:contrat_modifier",
        "referentiels:financeur_creer",
        "referentiels:financeur_modifier",
        "referentiels:enveloppe_creer",
        "referentiels:enveloppe_modifier",
        "referentiels:quartier_creer",
        "referentiels:quartier_modifier",
        "referentiels:axe_creer",
        "referentiels:axe_modifier",
        "referentiels:theme_creer",
        "referentiels:theme_modifier",
    ],
)
def test_it_never_fails_in_the_forms_on_random_input(connecte, sem, nom):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from ..hostiles import VALEURS_HOSTILES

    cls = Contrat.objects.get(collectivite=sem, nature="cls")
    objets = {
        "contrat": cls,
        "financeur": Financeur.objects.get(collectivite=sem, nom="État"),
        "enveloppe": Enveloppe.objects.filter(contrat=cls).first(),
        "quartier": Quartier.objects.filter(collectivite=sem).first(),
        "axe": Axe.objects.filter(contrat=cls).first(),
        "theme": Theme.objects.create(axe=Axe.objects.filter(contrat=cls).first(), intitule="Thème"),
    }
    modele = nom.split(":")[1].split("_")[0]
    adresse = reverse(nom, args=[objets[modele].pk] if nom.endswith("modifier") else [])
    valeurs = st.one_of(
        st.text(max_size=30),
        st.integers(min_value=-(10**15), max_value=10**15).map(str),
        st.sampled_from([*VALEURS_HOSTILES, str(cls.pk), "2025", "etat", "fonctionnement", "qpv"]),
    )

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.dictionaries(st.sampled_from(CHAMPS), valeurs, max_size=10))
    def envoyer(donnees):
        reponse = connecte.post(adresse, donnees)
        assert reponse.status_code in (302, 400), (nom, donnees, reponse.status_code)

    envoyer()
