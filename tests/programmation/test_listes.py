"""The lists built the same way (django-tables2): tranches, séances, délibérations, journal, instances,
élus, bilans, and the référentiels' contracts, financeurs and quartiers. Each shows its authority's rows
only, survives any address, names its table and its
headers for a screen reader, becomes cards on a phone, and costs the same queries for 3 or 30 rows."""

import csv
import datetime
import io
import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contrat_ville.models import Quartier
from deliberations.journal import journal
from deliberations.models import Instance, Seance, Trace
from programmation.models import Bilan, Modification

from ..factories import (
    ActionFactory,
    AxeFactory,
    ContratFactory,
    DeliberationFactory,
    EluFactory,
    FinanceurFactory,
    InstanceFactory,
    SeanceFactory,
    TrancheFactory,
)

pytestmark = pytest.mark.django_db

LISTES = {
    "programmation:tranches": "referent",
    "deliberations:seances": "referent",
    "deliberations:liste": "referent",
    "deliberations:journal": "referent",
    "deliberations:instances": "referent",
    "deliberations:elus": "referent",
    "programmation:bilans": "referent",
    "referentiels:contrats": "referent",
    "referentiels:financeurs": "referent",
    "referentiels:quartiers": "referent",
}


def _tranches(collectivite, n):
    for _ in range(n):
        ActionFactory(
            tranche=TrancheFactory(contrat__collectivite=collectivite), porteur__collectivite=collectivite
        )


def _seances(collectivite, n):
    instance = InstanceFactory(collectivite=collectivite)
    for i in range(n):
        DeliberationFactory(seance=SeanceFactory(instance=instance, date=datetime.date(2020, 1, 1 + i % 28)))


def _deliberations(collectivite, n):
    seance = SeanceFactory(instance=InstanceFactory(collectivite=collectivite))
    for _ in range(n):
        DeliberationFactory(seance=seance)


def _journal(collectivite, n):
    seance = SeanceFactory(instance=InstanceFactory(collectivite=collectivite))
    for i in range(n):
        Trace.objects.create(seance=seance, champ=f"présence {i}", avant="Absent", apres="Présent")


def _instances(collectivite, n):
    for _ in range(n):
        InstanceFactory(collectivite=collectivite).membres.add(EluFactory(collectivite=collectivite))


def _elus(collectivite, n):
    instance = InstanceFactory(collectivite=collectivite)
    for _ in range(n):
        instance.membres.add(EluFactory(collectivite=collectivite))


def _bilans(collectivite, n):
    premiere = ActionFactory(
        tranche__contrat__collectivite=collectivite, porteur__collectivite=collectivite, annee=2031
    )
    Bilan.objects.create(action=premiere, public_total=10)
    for i in range(n - 1):
        action = ActionFactory(
            tranche=premiere.tranche, porteur=premiere.porteur, axe=premiere.axe, annee=2031
        )
        if i % 2:
            Bilan.objects.create(action=action, public_total=i)


NUMEROS = itertools.count(1)  # names unique across the calls of a test


def _contrats(collectivite, n):
    for _i in range(n):
        contrat = ContratFactory(collectivite=collectivite, intitule=f"Contrat {next(NUMEROS)}")
        AxeFactory(contrat=contrat)


def _financeurs(collectivite, n):
    for _i in range(n):
        FinanceurFactory(collectivite=collectivite, nom=f"Financeur {next(NUMEROS)}")


def _quartiers(collectivite, n):
    for _i in range(n):
        Quartier.objects.create(collectivite=collectivite, commune="Commune", nom=f"Quartier {next(NUMEROS)}")


REMPLIR = {
    "programmation:tranches": _tranches,
    "deliberations:seances": _seances,
    "deliberations:liste": _deliberations,
    "deliberations:journal": _journal,
    "deliberations:instances": _instances,
    "deliberations:elus": _elus,
    "programmation:bilans": _bilans,
    "referentiels:contrats": _contrats,
    "referentiels:financeurs": _financeurs,
    "referentiels:quartiers": _quartiers,
}


@pytest.fixture
def connecte(client, referent):
    client.force_login(referent)
    return client


def _requetes(client, adresse, **donnees):
    with CaptureQueriesContext(connection) as capture:
        reponse = client.get(adresse, donnees)
    assert reponse.status_code == 200, adresse
    return len(capture.captured_queries)


@pytest.mark.parametrize("page", list(REMPLIR))
def test_it_costs_the_same_queries_for_3_or_30_rows(connecte, sem, page):
    adresse = reverse(page)
    parametres = {"annee": 2031} if page == "programmation:bilans" else {}
    REMPLIR[page](sem, 3)
    connecte.get(adresse, parametres)  # the session and the permissions cached
    peu = _requetes(connecte, adresse, **parametres)
    REMPLIR[page](sem, 27)
    assert _requetes(connecte, adresse, **parametres) == peu


def _table(page):
    debut = page.index("<table")
    return page[debut : page.index("</table>", debut)]


def _tris(page):
    return sorted(set(re.findall(r'href="\?sort=(-?\w+)"', _table(page))))


HOSTILES = [
    {"sort": "__class__"},
    {"sort": "-__class__"},
    {"sort": "pk,__dict__"},
    {"sort": ["nom", "-inconnue"]},
    {"page": "99999"},
    {"page": "-3"},
    {"page": "abc"},
    {"page": "1e9"},
    {"per_page": "0"},
    {"per_page": "-1"},
    {"per_page": "abc"},
    {"annee": "abc"},
    {"annee": "99999999999"},
    {"export": "pdf"},
    {"contrat": "abc", "statut": "zzz", "annee": "-1"},
    {"contrat": "999999999999999999999"},
    {"instance": "abc"},
    {"instance": "0", "annee": "2024"},
    {"nature": "zzz", "auteur": "abc", "du": "abc", "au": "31/02/2024"},
    {"du": "2024-02-30", "auteur": "999999999999999999999"},
]


@pytest.mark.parametrize("page", list(REMPLIR))
def test_it_answers_any_address_and_sorts_by_each_column(connecte, sem, page):
    REMPLIR[page](sem, 3)
    adresse = reverse(page)
    for parametres in HOSTILES:
        assert connecte.get(adresse, parametres).status_code == 200, parametres
    tris = _tris(connecte.get(adresse).content.decode())
    if page != "deliberations:journal":  # a trail is read in its order
        assert tris, page
    for tri in tris:
        for sens in (tri, f"-{tri}"):
            reponse = connecte.get(adresse, {"sort": sens, "page": "2"})
            assert reponse.status_code == 200, sens
            assert "<tbody>" in reponse.content.decode()


def _collectivites(page, reponse):
    """The authorities of the rows listed (the journal's rows are text: none)."""
    lire = {
        "programmation:tranches": lambda t: t.contrat.collectivite_id,
        "deliberations:seances": lambda s: s.instance.collectivite_id,
        "deliberations:liste": lambda d: d.collectivite_id,
        "deliberations:instances": lambda i: i.collectivite_id,
        "deliberations:elus": lambda e: e.collectivite_id,
        "programmation:bilans": lambda a: a.contrat.collectivite_id,
        "referentiels:contrats": lambda c: c.collectivite_id,
        "referentiels:financeurs": lambda f: f.collectivite_id,
        "referentiels:quartiers": lambda q: q.collectivite_id,
    }[page]
    return {lire(ligne.record) for ligne in reponse.context["table"].rows}


@pytest.mark.parametrize("page", [p for p in REMPLIR if p != "deliberations:journal"])
def test_it_lists_the_authoritys_rows_only(client, sem, sedr, referent, referent_sedr, page):
    REMPLIR[page](sem, 3)
    REMPLIR[page](sedr, 2)
    parametres = {"annee": 2031} if page == "programmation:bilans" else {}
    for compte, collectivite in ((referent, sem), (referent_sedr, sedr)):
        client.force_login(compte)
        reponse = client.get(reverse(page), parametres)
        assert _collectivites(page, reponse) == {collectivite.pk}, compte


def test_it_shows_the_journal_of_the_authority_only(client, sem, sedr, referent_sedr):
    _journal(sem, 3)
    client.force_login(referent_sedr)
    assert "présence 1" not in client.get(reverse("deliberations:journal")).content.decode()


@pytest.mark.parametrize("page", list(REMPLIR))
def test_it_names_the_table_and_its_headers_for_a_screen_reader_and_becomes_cards_on_a_phone(
    connecte, sem, page
):
    REMPLIR[page](sem, 3)
    parametres = {"annee": 2031} if page == "programmation:bilans" else {}
    table = _table(connecte.get(reverse(page), parametres).content.decode())
    assert re.search(r"<caption[^>]*>\s*\S", table), "a caption, read aloud"
    entetes = re.findall(r"<th\b[^>]*>.*?</th>", table, re.S)
    assert entetes and all('scope="col"' in th for th in entetes)
    for lien in re.findall(r"<a [^>]*>(.*?)</a>", "".join(entetes), re.S):
        assert re.sub(r"<[^>]+>", "", lien).strip(), "a sortable header is a link with text"
    assert re.search(r'<table class="[^"]*\bcartes\b', table)
    cellules = re.findall(r"<td\b[^>]*>", table[table.index("<tbody>") :])
    assert cellules and all("data-label=" in td for td in cellules)


def test_it_keeps_the_lists_columns_labels_and_amounts(connecte, sem):
    page = connecte.get(reverse("programmation:tranches")).content.decode()
    assert "<caption>3 tranches</caption>" in page
    assert '<td data-label="Statut">Votée le 16 mai 2024</td>' in page
    assert '<td data-label="Contribution" class="montant">383\u202f950\u202f€</td>' in page
    seances = connecte.get(reverse("deliberations:seances")).content.decode()
    assert "Séances des instances, de la plus récente à la plus ancienne</caption>" in seances
    autre_ordre = connecte.get(reverse("deliberations:seances"), {"sort": "seance"}).content.decode()
    assert "Séances des instances</caption>" in autre_ordre
    assert autre_ordre.index("7 mars 2019") < autre_ordre.index("16 mai 2024")
    assert '<td data-label="Convoquée le">28 juin 2024</td>' in seances
    assert '<span class="etiquette ok">atteint</span>' in seances
    deliberations = connecte.get(reverse("deliberations:liste")).content.decode()
    assert '<td data-label="Séance">Bureau Métropolitain, 16 mai 2024</td>' in deliberations
    assert '<td data-label="Exécutoire">oui</td>' in deliberations


def test_it_writes_the_empty_lists_in_french(client, referent_sedr):
    client.force_login(referent_sedr)
    assert "Aucune séance pour votre collectivité." in client.get(reverse("deliberations:seances")).text
    assert "Aucune délibération pour votre collectivité." in client.get(reverse("deliberations:liste")).text


def test_it_sorts_the_tranches_by_contribution(connecte):
    page = connecte.get(reverse("programmation:tranches"), {"sort": "-contribution"}).content.decode()
    assert page.index(">2019 T1<") < page.index(">2024 T1<") < page.index(">2024 T3<")
    assert 'aria-sort="descending"' in page


def test_it_shows_the_journal_100_rows_a_page_and_exports_every_row(connecte, sem, referent):
    _journal(sem, 250)
    adresse = reverse("deliberations:journal")

    def lignes(**parametres):
        return _table(connecte.get(adresse, parametres).content.decode()).count("<tr>") - 1

    assert lignes() == 100
    assert lignes(page=3) == 50
    assert lignes(page=99999) == 50  # the last page, written as the others
    derniere = connecte.get(adresse, {"page": 99999}).content.decode()
    assert "Page 3 sur 3" in derniere and derniere.count('<td data-label="Changement">présence ') == 50
    assert lignes(page="abc") == 100
    assert lignes(per_page=1000) == 100  # the page size is the journal's own
    assert "Page 2 sur 3" in connecte.get(adresse, {"page": 2}).content.decode()
    fichier = connecte.get(adresse, {"export": "csv", "page": 2})
    rangs = list(csv.reader(io.StringIO(fichier.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rangs) == 1 + journal(referent).count() >= 251


def _objets_du_csv(reponse):
    lignes = list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))
    assert lignes[0] == ["Date", "Par", "Objet", "Changement", "Avant", "Après"]
    return sorted((ligne[1], ligne[3], ligne[4], ligne[5]) for ligne in lignes[1:])


def test_it_filters_the_journal_and_its_csv_file_alike(connecte, sem, referent, agent):
    _journal(sem, 3)
    Trace.objects.filter(champ="présence 2").update(auteur=agent)
    action = ActionFactory(tranche__contrat__collectivite=sem, porteur__collectivite=sem, intitule="Jardin")
    Modification.objects.create(action=action, auteur=agent, champ="contribution", avant="1 €", apres="2 €")
    adresse = reverse("deliberations:journal")
    for filtres, attendus in [
        ({"nature": "seances"}, {"présence 0", "présence 1", "présence 2"}),
        ({"nature": "actions"}, {"Contribution de la collectivité"}),
        ({"auteur": agent.pk}, {"présence 2", "Contribution de la collectivité"}),
        ({"auteur": agent.pk, "nature": "actions"}, {"Contribution de la collectivité"}),
        ({"du": "2000-01-01", "au": "2000-12-31"}, set()),
    ]:
        page = connecte.get(adresse, filtres)
        table = page.context["table"]
        sur_la_page = sorted(
            tuple(ligne.record[cle] for cle in ("auteur", "champ", "avant", "apres"))
            for ligne in table.paginated_rows
        )
        assert {ligne[1] for ligne in sur_la_page} == attendus, filtres
        # The export link of the page carries its filters, and the file holds the page's rows.
        lien = re.search(r'href="\?([^"]*export=csv)"', page.content.decode()).group(1).replace("&amp;", "&")
        assert _objets_du_csv(connecte.get(f"{adresse}?{lien}")) == sur_la_page, filtres
    vide = connecte.get(adresse, {"du": "2000-01-01", "au": "2000-12-31"}).content.decode()
    assert "Aucune ligne ne correspond à ces filtres." in vide


def _options(page, nom):
    champ = re.search(rf'<select name="{nom}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r"<option[^>]*>([^<]*)</option>", champ)


def test_it_offers_in_its_filters_the_authoritys_choices_only(client, sem, sedr, referent, referent_sedr):
    client.force_login(referent)
    autre = Instance.objects.filter(collectivite=sedr).first() or InstanceFactory(collectivite=sedr)
    for page in ("deliberations:seances", "deliberations:liste"):
        options = _options(client.get(reverse(page)).content.decode(), "instance")
        assert options == [
            "Toutes",
            *Instance.objects.filter(collectivite=sem).order_by("nom").values_list("nom", flat=True),
        ]
    auteurs = _options(client.get(reverse("deliberations:journal")).content.decode(), "auteur")
    assert "referent-test" in auteurs and "referent-sedr-test" not in auteurs
    # Another authority's instance, named in the address: refused, and nothing of it shown.
    SeanceFactory(instance=autre)
    reponse = client.get(reverse("deliberations:seances"), {"instance": autre.pk})
    assert "Sélectionnez un choix valide" in reponse.content.decode()
    assert {ligne.record.instance.collectivite_id for ligne in reponse.context["table"].rows} == {sem.pk}


def test_it_filters_the_seances_and_the_deliberations(connecte, sem):
    bureau = Instance.objects.get(collectivite=sem)
    commission = InstanceFactory(collectivite=sem, nom="Commission")
    DeliberationFactory(seance=SeanceFactory(instance=commission, date=datetime.date(2025, 3, 20)))
    seances = connecte.get(reverse("deliberations:seances"), {"instance": commission.pk}).context["table"]
    assert [ligne.record.instance for ligne in seances.rows] == [commission]
    seances = connecte.get(reverse("deliberations:seances"), {"instance": bureau.pk, "annee": 2024})
    assert (
        len(seances.context["table"].rows)
        == Seance.objects.filter(instance=bureau, date__year=2024).count()
        == 2
    )
    deliberations = connecte.get(reverse("deliberations:liste"), {"annee": 2025}).context["table"]
    assert [ligne.record.seance.instance for ligne in deliberations.rows] == [commission]


@pytest.mark.parametrize(
    "page", ["referentiels:contrats", "referentiels:financeurs", "referentiels:quartiers"]
)
def test_it_gives_a_change_button_a_row_to_the_referent_only(client, sem, referent, elu, page):
    client.force_login(referent)
    table = _table(client.get(reverse(page)).content.decode())
    lignes = table.count("<tr><td")
    assert lignes and table.count('class="bouton secondaire"') == lignes
    assert '<span class="visuellement-cache">Modifier</span>' in table
    client.force_login(elu)
    table = _table(client.get(reverse(page)).content.decode())
    assert table.count("<tr><td") == lignes and "Modifier" not in table
