"""« Enveloppes de l'année »: a référent types every envelope of a contract and a year in one grid and
saves it in one POST, all or nothing, each change with its line of history; another authority's
contract is out of reach and agents only read the list."""

import html
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from contrat_ville import historique
from contrat_ville.models import Contrat, Enveloppe, User
from contrat_ville.roles import AGENTS, REFERENTS

from ..factories import AxeFactory, CollectiviteFactory, ContratFactory, FinanceurFactory, compte

pytestmark = pytest.mark.django_db
NNBSP = "\u202f"


def monde(axes=2, financeurs=2):
    """An authority of its own (the grid's columns are all its financeurs), a 2024-2026 contract."""
    collectivite = CollectiviteFactory()
    contrat = ContratFactory(
        collectivite=collectivite, intitule="Contrat de ville Grille", libelle_niveau="Axe"
    )
    lignes = [AxeFactory(contrat=contrat, numero=n, intitule=f"Axe {n}", ordre=n) for n in range(1, axes + 1)]
    colonnes = [
        FinanceurFactory(collectivite=collectivite, nom=f"Financeur {c}") for c in "ABCDEF"[:financeurs]
    ]
    return collectivite, contrat, lignes, colonnes


@pytest.fixture
def grille(client):
    collectivite, contrat, axes, financeurs = monde()
    client.force_login(compte("referent-grille", collectivite, REFERENTS))
    return client, contrat, axes, financeurs


def adresse(contrat, **filtres):
    suite = "&".join(f"{cle}={valeur}" for cle, valeur in filtres.items())
    return reverse("referentiels:enveloppes_grille", args=[contrat.pk]) + (f"?{suite}" if suite else "")


def cellule(axe, financeur):
    return f"cellule_{axe.pk if axe else 0}_{financeur.pk if financeur else 0}"


def saisie(axes, financeurs, annee=2025, section="", **valeurs):
    """The whole grid as the browser posts it: every cell, empty unless given."""
    donnees = {"annee": annee, "section": section}
    for axe in [None, *axes]:
        for financeur in [None, *financeurs]:
            donnees[cellule(axe, financeur)] = ""
    donnees.update(valeurs)
    return donnees


def enveloppes(contrat, annee=2025):
    return {
        (e.axe.numero if e.axe else None, e.financeur.nom if e.financeur else None, e.section): e.montant
        for e in Enveloppe.objects.filter(contrat=contrat, annee=annee).select_related("axe", "financeur")
    }


def messages_d_historique(contrat):
    lignes = historique.historique_de(Enveloppe, None).filter(object_repr__startswith=contrat.intitule)
    return sorted((ligne.action_flag, ligne.change_message) for ligne in lignes)


def erreurs(reponse):
    bloc = re.search(r'class="erreurs-resume".*?</div>', reponse.content.decode(), re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", bloc.group(0)))) if bloc else ""


def test_it_prefills_the_grid_with_the_existing_envelopes(grille):
    client, contrat, (axe1, axe2), (fa, fb) = grille
    Enveloppe.objects.create(contrat=contrat, annee=2025, axe=axe1, financeur=fa, montant=Decimal("91562.00"))
    Enveloppe.objects.create(contrat=contrat, annee=2025, montant=Decimal("6000.50"))
    Enveloppe.objects.create(contrat=contrat, annee=2024, axe=axe2, financeur=fb, montant=Decimal("777"))
    page = client.get(adresse(contrat, annee=2025)).content.decode()
    assert f'name="{cellule(axe1, fa)}" value="91{NNBSP}562"' in page
    assert f'name="{cellule(None, None)}" value="6{NNBSP}000,50"' in page
    assert 'value="777"' not in page
    assert "Contribution de la collectivité" in page and "Tout le contrat" in page
    assert (
        f'<label for="id_{cellule(axe2, fb)}" class="visuellement-cache">Axe 2 : Axe 2 — Financeur B</label>'
        in page
    )


def test_it_creates_updates_deletes_and_keeps_cells_in_one_post(grille, sem):
    client, contrat, (axe1, axe2), (fa, fb) = grille
    Enveloppe.objects.create(contrat=contrat, annee=2025, axe=axe1, financeur=fa, montant=Decimal("1000"))
    Enveloppe.objects.create(contrat=contrat, annee=2025, axe=axe2, financeur=fb, montant=Decimal("500"))
    Enveloppe.objects.create(contrat=contrat, annee=2025, montant=Decimal("2000"))
    donnees = saisie(
        [axe1, axe2],
        [fa, fb],
        **{
            cellule(axe1, fa): "1 500,50",
            cellule(None, None): "2000,00",
            cellule(axe1, None): "12345.67 €",
            cellule(None, fb): f"1{NNBSP}234{NNBSP}567",
        },
    )
    reponse = client.post(adresse(contrat), donnees)
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("referentiels:enveloppes") + f"?contrat={contrat.pk}&annee=2025"
    assert enveloppes(contrat) == {
        (1, "Financeur A", ""): Decimal("1500.50"),
        (None, None, ""): Decimal("2000.00"),
        (1, None, ""): Decimal("12345.67"),
        (None, "Financeur B", ""): Decimal("1234567.00"),
    }
    assert messages_d_historique(contrat) == [
        (
            historique.AJOUT,
            "Création — Contrat : Contrat de ville Grille (2024-2030) ; Année : 2025 ; "
            f"Axe : Axe 1 : Axe 1 ; Montant : 12{NNBSP}345,67{NNBSP}€",
        ),
        (
            historique.AJOUT,
            "Création — Contrat : Contrat de ville Grille (2024-2030) ; Année : 2025 ; "
            f"Financeur : Financeur B ; Montant : 1{NNBSP}234{NNBSP}567{NNBSP}€",
        ),
        (historique.MODIFICATION, f"Montant : 1{NNBSP}000{NNBSP}€ → 1{NNBSP}500,50{NNBSP}€"),
        (
            historique.SUPPRESSION,
            "Suppression de « Contrat de ville Grille 2025 — Axe 2 : Axe 2 · Financeur B »",
        ),
    ]


def test_it_saves_the_cells_of_one_section_only(grille):
    client, contrat, (axe1, axe2), (fa, fb) = grille
    Enveloppe.objects.create(contrat=contrat, annee=2025, axe=axe1, montant=Decimal("300"))
    donnees = saisie([axe1, axe2], [fa, fb], section="investissement", **{cellule(axe1, None): "40 000"})
    assert client.post(adresse(contrat), donnees).status_code == 302
    assert enveloppes(contrat) == {
        (1, None, ""): Decimal("300.00"),
        (1, None, "investissement"): Decimal("40000.00"),
    }


def test_it_writes_nothing_for_an_unchanged_grid(grille):
    client, contrat, (axe1, axe2), (fa, fb) = grille
    Enveloppe.objects.create(contrat=contrat, annee=2025, axe=axe1, financeur=fa, montant=Decimal("1000"))
    donnees = saisie([axe1, axe2], [fa, fb], **{cellule(axe1, fa): "1 000,00"})
    reponse = client.post(adresse(contrat), donnees, follow=True)
    assert "Aucune modification : rien n&#x27;a été enregistré." in reponse.content.decode()
    assert messages_d_historique(contrat) == []
    assert enveloppes(contrat) == {(1, "Financeur A", ""): Decimal("1000.00")}


@pytest.mark.parametrize(
    ("saisi", "message"),
    [
        ("12,345", "est ambigu"),
        ("-10", "Le montant ne peut pas être négatif."),
        ("deux mille", "Saisissez un nombre."),
        ("1 000 000 000 000", "Montant trop élevé"),
    ],
)
def test_it_saves_nothing_and_points_at_an_invalid_cell(grille, saisi, message):
    client, contrat, (axe1, axe2), (fa, fb) = grille
    Enveloppe.objects.create(contrat=contrat, annee=2025, axe=axe1, financeur=fa, montant=Decimal("1000"))
    donnees = saisie(
        [axe1, axe2], [fa, fb], **{cellule(None, None): "5 000", cellule(axe2, fb): saisi}
    )  # and the axe 1 × A cell emptied
    reponse = client.post(adresse(contrat), donnees)
    assert reponse.status_code == 400
    resume = erreurs(reponse)
    assert (
        "Rien n'a été enregistré" in resume and "Axe 2 : Axe 2 — Financeur B" in resume and message in resume
    )
    page = reponse.content.decode()
    assert f'aria-describedby="id_{cellule(axe2, fb)}_error"' in page
    assert f'name="{cellule(None, None)}" value="5 000"' in page  # what was typed, kept
    assert enveloppes(contrat) == {(1, "Financeur A", ""): Decimal("1000.00")}
    assert messages_d_historique(contrat) == []


def test_it_saves_nothing_when_one_cell_breaks_a_model_rule(grille, monkeypatch):
    """full_clean() runs on every changed cell: what the model refuses is shown on its cell."""
    client, contrat, (axe1, axe2), (fa, fb) = grille
    from django.core.exceptions import ValidationError

    def refuse(self, *args, **kwargs):
        if self.financeur_id == fb.pk:
            raise ValidationError({"montant": "Refusé par le modèle."})

    monkeypatch.setattr(Enveloppe, "full_clean", refuse)
    donnees = saisie([axe1, axe2], [fa, fb], **{cellule(axe1, fa): "10", cellule(axe2, fb): "20"})
    reponse = client.post(adresse(contrat), donnees)
    assert reponse.status_code == 400 and "Refusé par le modèle." in erreurs(reponse)
    assert enveloppes(contrat) == {}


def test_it_prefills_without_saving_when_copying_last_year(grille):
    client, contrat, (axe1, axe2), (fa, fb) = grille
    Enveloppe.objects.create(contrat=contrat, annee=2024, axe=axe1, financeur=fa, montant=Decimal("4200"))
    Enveloppe.objects.create(contrat=contrat, annee=2024, montant=Decimal("10000.10"))
    Enveloppe.objects.create(contrat=contrat, annee=2025, axe=axe2, financeur=fb, montant=Decimal("800"))
    reponse = client.post(adresse(contrat), {"annee": 2025, "section": "", "copier": "1"})
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "Montants de 2024 recopiés : vérifiez-les, puis enregistrez." in page
    assert f'name="{cellule(axe1, fa)}" value="4{NNBSP}200"' in page
    assert f'name="{cellule(None, None)}" value="10{NNBSP}000,10"' in page
    assert f'name="{cellule(axe2, fb)}" value="800"' in page  # this year's, kept
    assert enveloppes(contrat) == {(2, "Financeur B", ""): Decimal("800.00")}
    assert messages_d_historique(contrat) == []


def test_it_says_so_when_copying_a_year_without_predecessor(grille):
    client, contrat, _, _ = grille
    reponse = client.post(adresse(contrat), {"annee": 2024, "section": "", "copier": "1"})
    assert "Aucune enveloppe en 2023 à recopier." in reponse.content.decode()


@pytest.mark.parametrize(
    "choix",
    [
        {},
        {"annee": 2031, "section": ""},
        {"annee": "2025; DROP", "section": ""},
        {"annee": 2025, "section": "x"},
    ],
)
def test_it_deletes_nothing_on_a_post_without_a_valid_year_or_section(grille, choix):
    client, contrat, (axe1, axe2), (fa, fb) = grille
    Enveloppe.objects.create(contrat=contrat, annee=2025, axe=axe1, financeur=fa, montant=Decimal("1000"))
    # {}: an empty post, which would otherwise read as « every cell emptied ».
    donnees = {**saisie([axe1, axe2], [fa, fb]), **choix} if choix else {}
    reponse = client.post(adresse(contrat), donnees)
    assert reponse.status_code == 400 and "Rien n'a été enregistré" in erreurs(reponse)
    assert enveloppes(contrat) == {(1, "Financeur A", ""): Decimal("1000.00")}


def test_it_ignores_a_foreign_axe_or_financeur_cell(grille, sem):
    """Cells are the grid's own: a posted cell naming another authority's axe or financeur is no field."""
    client, contrat, (axe1, axe2), (fa, fb) = grille
    autre = Contrat.objects.filter(collectivite=sem).first()
    axe_etranger = autre.axes.first()
    financeur_etranger = sem.financeurs.first()
    donnees = saisie([axe1, axe2], [fa, fb], **{f"cellule_{axe_etranger.pk}_{financeur_etranger.pk}": "1000"})
    assert client.post(adresse(contrat), donnees).status_code == 302
    assert Enveloppe.objects.filter(axe=axe_etranger, financeur=financeur_etranger, annee=2025).count() == 0
    assert enveloppes(contrat) == {}


def test_it_does_not_find_another_authoritys_contract(grille, sem):
    client, contrat, (axe1, axe2), (fa, fb) = grille
    etranger = Contrat.objects.filter(collectivite=sem).first()
    avant = Enveloppe.objects.filter(contrat=etranger).count()
    assert client.get(adresse(etranger, annee=2025)).status_code == 404
    donnees = saisie([axe1, axe2], [fa, fb], **{cellule(None, None): "1"})
    assert client.post(adresse(etranger), donnees).status_code == 404
    assert Enveloppe.objects.filter(contrat=etranger).count() == avant


def test_it_refuses_an_agent(client):
    collectivite, contrat, axes, financeurs = monde()
    client.force_login(compte("agent-grille", collectivite, AGENTS))
    assert client.get(adresse(contrat)).status_code == 403
    donnees = saisie(axes, financeurs, **{cellule(None, None): "1"})
    assert client.post(adresse(contrat), donnees).status_code == 403
    assert enveloppes(contrat) == {}
    liste = client.get(reverse("referentiels:enveloppes") + f"?contrat={contrat.pk}").content.decode()
    assert "en grille" not in liste


def test_it_links_the_envelopes_list_to_the_grid(grille):
    client, contrat, _, _ = grille
    liste = client.get(
        reverse("referentiels:enveloppes") + f"?contrat={contrat.pk}&annee=2025"
    ).content.decode()
    assert f'href="{adresse(contrat)}?annee=2025"' in liste


@pytest.mark.parametrize(("axes", "financeurs"), [(2, 2), (6, 5)])
def test_it_makes_the_same_queries_for_the_grid_page_whatever_its_size(
    client, django_assert_num_queries, axes, financeurs
):
    collectivite, contrat, lignes, colonnes = monde(axes, financeurs)
    for axe in lignes:
        for financeur in colonnes:
            Enveloppe.objects.create(contrat=contrat, annee=2025, axe=axe, financeur=financeur, montant=100)
    client.force_login(compte("referent-grille", collectivite, REFERENTS))
    # Once before counting: the history's content type is cached by the process, so a first page in a
    # fresh worker (random order) reads it once more.
    client.get(adresse(contrat, annee=2025))
    with django_assert_num_queries(8):
        reponse = client.get(adresse(contrat, annee=2025))
    assert reponse.status_code == 200
    assert reponse.content.decode().count('inputmode="decimal"') == (axes + 1) * (financeurs + 1)


def test_it_names_its_envelope_in_each_history_line(grille):
    client, contrat, (axe1, axe2), (fa, fb) = grille
    donnees = saisie([axe1, axe2], [fa, fb], **{cellule(axe2, fa): "250"})
    assert client.post(adresse(contrat), donnees).status_code == 302
    creee = Enveloppe.objects.get(contrat=contrat, axe=axe2, financeur=fa)
    assert list(
        historique.historique_de(Enveloppe, [creee.pk]).values_list("action_flag", "user__username")
    ) == [(historique.AJOUT, "referent-grille")]


def test_it_refuses_an_emptied_cell_without_the_delete_permission(client):
    collectivite, contrat, (axe1, axe2), (fa, fb) = monde()
    user = User.objects.create_user("saisie-grille", password="x", collectivite=collectivite)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="contrat_ville", codename__in=["add_enveloppe", "change_enveloppe"]
        )
    )
    client.force_login(user)
    Enveloppe.objects.create(contrat=contrat, annee=2025, axe=axe1, financeur=fa, montant=Decimal("1000"))
    donnees = saisie([axe1, axe2], [fa, fb], **{cellule(None, None): "10"})
    reponse = client.post(adresse(contrat), donnees)
    assert reponse.status_code == 400
    assert "Vous ne pouvez pas supprimer d'enveloppe : laissez son montant." in erreurs(reponse)
    assert enveloppes(contrat) == {(1, "Financeur A", ""): Decimal("1000.00")}
