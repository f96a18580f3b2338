"""Browsing the programmation: filters in the URL, totals of the filtered set, exports, constant queries."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contrat_ville.models import Axe, Financeur, Quartier
from programmation.models import Action, Cofinancement, Porteur
from programmation.models.garde import hors_verrou

from ..factories import ActionFactory, AxeFactory, CollectiviteFactory, PorteurFactory, TrancheFactory

pytestmark = pytest.mark.django_db

LISTE = reverse("programmation:programmation")


@pytest.fixture
def officiel(client, elu):
    client.force_login(elu)
    return client


def lignes(reponse):
    return list(reponse.context["table"].paginated_rows)


def totaux(reponse):
    return reponse.context["table"].totaux


def test_it_filters_the_2024_programmation_by_defi(officiel):
    reveler = Axe.objects.get(nom_court="REVELER")
    reponse = officiel.get(LISTE, {"annee": 2024, "axe": reveler.pk})
    # Seed 000: 31 actions, 1 807 776 € of cost, 294 850 € granted on défi 3.
    assert totaux(reponse)["nombre"] == 31
    assert totaux(reponse)["cout"] == Decimal("1807776")
    assert totaux(reponse)["contribution"] == Decimal("294850")
    page = reponse.content.decode()
    assert "31 actions" in page and "294\u202f850\u202f€" in page


def test_it_searches_without_caring_for_accents_or_case(officiel):
    avec = totaux(officiel.get(LISTE, {"q": "ÉGALITÉ"}))["nombre"]
    sans = totaux(officiel.get(LISTE, {"q": "egalite"}))["nombre"]
    assert avec == sans and avec > 0
    porteur = totaux(officiel.get(LISTE, {"q": "nelumbo"}))  # « Espace socio-culturel le Nélumbo »
    assert porteur["nombre"] == 1 and porteur["contribution"] == Decimal("1000")


def test_it_filters_by_commune_quartier_financeur_and_amount(officiel):
    montreynaud = Quartier.objects.get(nom="Montreynaud")
    par_quartier = officiel.get(LISTE, {"quartier": montreynaud.pk})
    # 2019: abris conteneurs (30 000 €), Démarches participatives (30 000 €), Relais emploi PIMMS (20 000 €);
    # 2024: Relais emploi Montreynaud (22 500 €).
    assert totaux(par_quartier)["contribution"] == Decimal("102500")
    par_commune = officiel.get(LISTE, {"commune": "Le Chambon-Feugerolles"})
    assert {r.record.intitule for r in lignes(par_commune)} >= {"Réorganisation des points de collecte"}
    etat = Financeur.objects.get(nom="État")
    assert totaux(officiel.get(LISTE, {"financeur": etat.pk}))["nombre"] == 2
    gros = officiel.get(LISTE, {"annee": 2024, "contribution_min": 20000, "contribution_max": 30000})
    # Six relais emploi (22 500 to 26 300 €) and « Les Essaimeurs de l'Entrepreneuriat » (20 000 €).
    assert totaux(gros)["nombre"] == 7


def test_it_adds_up_the_cofinancements_of_the_filtered_set_once(officiel):
    etat = Financeur.objects.get(nom="État")
    caf = Financeur.objects.create(collectivite=etat.collectivite, nom="CAF de la Loire", nature="caf")
    action = Action.objects.get(intitule="Semaines de l'égalité")
    with hors_verrou():  # 2019 T1 is voted: a cofinancement recorded as it was voted
        Cofinancement.objects.create(action=action, financeur=caf, montant_accorde=Decimal("1500"))
    reponse = officiel.get(LISTE, {"q": "semaines de l'egalite"})
    assert totaux(reponse)["nombre"] == 1
    assert totaux(reponse)["cofinancements"] == Decimal("3500")
    assert lignes(reponse)[0].record.total_cofinancements == Decimal("3500")


def test_it_keeps_filters_in_the_url_and_sorts(officiel):
    reponse = officiel.get(LISTE, {"annee": 2024, "sort": "-contribution"})
    premiers = [r.record.contribution for r in lignes(reponse)[:3]]
    assert premiers == sorted(premiers, reverse=True) and premiers[0] == Decimal("94000")
    page = reponse.content.decode()
    assert "annee=2024" in page  # sort and page links keep the filters
    assert 'aria-sort="descending"' in page


def test_it_refuses_a_bad_filter_value_without_error(officiel):
    reponse = officiel.get(LISTE, {"annee": "deux-mille", "contribution_min": "beaucoup", "axe": "999999"})
    assert reponse.status_code == 200
    assert "Sélectionnez un choix valide" in reponse.content.decode()


def test_it_exports_the_filtered_set_as_csv(officiel):
    reponse = officiel.get(
        LISTE, {"annee": 2024, "axe": Axe.objects.get(nom_court="RESPIRER").pk, "export": "csv"}
    )
    assert reponse["Content-Disposition"] == 'attachment; filename="programmation.csv"'
    lignes_csv = list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))
    assert lignes_csv[0][:4] == ["N° Dauphin", "Année", "Tranche", "Intitulé"]
    # Seed 000, défi 4: 108 000, 264 000, 55 946, 103 347 and 3 566 € of cost.
    donnees = lignes_csv[1 : lignes_csv.index([""] * len(lignes_csv[0]))]  # the totals rows follow
    couts = sorted(ligne[11] for ligne in donnees)
    assert couts == sorted(["108000,00", "264000,00", "55946,00", "103347,00", "3566,00"])


def test_it_exports_the_filtered_set_as_xlsx(officiel):
    reponse = officiel.get(LISTE, {"annee": 2019, "section": "investissement", "export": "xlsx"})
    feuille = openpyxl.load_workbook(io.BytesIO(reponse.content))["Programmation"]
    lignes_xlsx = list(feuille.iter_rows(min_row=2, values_only=True))
    contributions = [ligne[12] for ligne in lignes_xlsx[: lignes_xlsx.index((None,) * 15)]]
    assert len(contributions) == 10 and sum(contributions) == 120000  # seed 001, pilier 2


def test_it_shows_only_the_user_s_authority(client):
    from contrat_ville.models import User
    from contrat_ville.roles import synchroniser_roles

    autre = CollectiviteFactory()
    _, elus = synchroniser_roles()
    user = User.objects.create_user("voisin", password="x", collectivite=autre)
    user.groups.add(elus)
    ActionFactory(
        tranche__contrat__collectivite=autre, porteur__collectivite=autre, intitule="Action voisine"
    )
    client.force_login(user)
    reponse = client.get(LISTE)
    assert [r.record.intitule for r in lignes(reponse)] == ["Action voisine"]
    assert client.get(reverse("programmation:action", args=[Action.objects.first().pk])).status_code == 404
    porteur = Porteur.objects.get(nom="AGASEF")
    assert client.get(reverse("programmation:porteur", args=[porteur.pk])).status_code == 404


def _nombre_de_requetes(client, params):
    client.get(LISTE, params)  # the first visit remembers the contract and year chosen (one UPDATE)
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(LISTE, params).status_code == 200
    return len(requetes)


@pytest.mark.parametrize(
    "params", [{}, {"contrat": "", "annee": ""}, {"annee": 2025, "q": "action", "sort": "porteur"}]
)
def test_it_runs_the_same_number_of_queries_for_5_and_500_rows(client, elu, params):
    autre = CollectiviteFactory()
    elu.collectivite = autre
    elu.save()
    client.force_login(elu)
    # One contract and year, as an authority's programmation: every row is on the default page's list
    # (the current contract, the latest year); porteurs and axes vary from row to row.
    tranche = TrancheFactory(contrat__collectivite=autre)
    axes = AxeFactory.create_batch(3, contrat=tranche.contrat)
    porteurs = PorteurFactory.create_batch(60, collectivite=autre)

    def creer(debut, fin):
        # In one bulk_create: the same checks as save() (lock, authority), a few queries for all rows.
        Action.objects.bulk_create(
            ActionFactory.build(tranche=tranche, axe=axes[n % 3], porteur=porteurs[n % 60])
            for n in range(debut, fin)
        )

    creer(0, 5)
    avec_5 = _nombre_de_requetes(client, params)
    creer(5, 500)
    assert Action.objects.visibles_par(elu).count() == 500
    if not params:  # the default page lists them all, 50 a page
        assert client.get(LISTE).context["table"].paginator.count == 500
    assert _nombre_de_requetes(client, params) == avec_5
    # Session, user, permissions, the authority's contracts (Action.objects.visibles_par), filter choices
    # (programmation/choix.py), totals, rows; with no filter named, the current contract; with a search,
    # the porteurs it names (shown, and searched by id).
    assert avec_5 <= 7 + (not params) + 2 * ("q" in params)


def test_it_shows_the_action_porteur_and_dispositif_pages(officiel):
    action = Action.objects.get(numero_dauphin="00266007")
    page = officiel.get(reverse("programmation:action", args=[action.pk])).content.decode()
    assert "écrit « 0026600 7 »" in page
    assert "Délibération n°2024.00230" in page
    aesio = Porteur.objects.get(nom__startswith="AESIO")
    page = officiel.get(reverse("programmation:porteur", args=[aesio.pk])).content.decode()
    assert "106\u202f000\u202f€" in page and "obligatoire" in page  # 12 000 + 94 000 € in 2024
    # The rule that imposes it, as the conventions page cites it: AESIO is a private-law body.
    assert "loi n° 2000-321 du 12 avril 2000, art. 10" in page
    from contrat_ville.models import Dispositif

    cite = Dispositif.objects.get(intitule="Cité de l'emploi")
    page = officiel.get(reverse("programmation:dispositif", args=[cite.pk])).content.decode()
    assert "Habitants des QPV de SEM, sans distinction" in page


@pytest.mark.parametrize("par_page", ["-1", "0", "10", "999999999999"])
def test_it_keeps_the_page_size_within_bounds(officiel, par_page):
    # Found by bench/charge.py --abus: a negative page size was a server error.
    reponse = officiel.get(LISTE, {"per_page": par_page})
    assert reponse.status_code == 200
    assert 1 <= len(lignes(reponse)) <= 500
    if par_page == "10":
        assert len(lignes(reponse)) == 10
