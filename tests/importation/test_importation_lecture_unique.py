"""The file is parsed once: at deposit. The preview, a corrected mapping and the load start from the
rows kept on the Importation, which give back exactly the values the reader read."""

import datetime
import html
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import Workbook

from contrat_ville.models import Contrat
from programmation.enums import StatutTranche
from programmation.importation import lecture
from programmation.importation.lecture import conserve
from programmation.importation.valeurs import Formule
from programmation.models import Action, Importation, Porteur
from tests.factories import TrancheFactory
from tests.importation.test_importation import classeur
from tests.importation.test_importation_vues import deposer, media  # noqa: F401 (media: the same autouse fixture)

pytestmark = pytest.mark.django_db


def depose(ligne, contrat, agent):
    """A one-row workbook deposited for 2025 straight through the model (no page)."""
    return Importation.objects.deposer(classeur([ligne]), "f.xlsx", contrat, 2025, agent)


@pytest.fixture
def contrat():
    return Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)


@pytest.fixture
def lectures(monkeypatch):
    """Each parse of an xlsx or CSV file, whichever reader does it."""
    appels = []
    for nom in ("_lire_xlsx", "_lire_csv"):
        fonction = getattr(lecture, nom)

        def compter(*arguments, fonction=fonction, nom=nom):
            appels.append(nom)
            return fonction(*arguments)

        monkeypatch.setattr(lecture, nom, compter)
    return appels


def page(client, importation):
    reponse = client.get(reverse("programmation:importation", args=[importation.pk]))
    return html.unescape(reponse.content.decode())


def test_it_reads_the_file_once_across_deposit_preview_mapping_and_load(client, lectures, contrat, agent):
    client.force_login(agent)
    entetes = ["Réf.", "Intitulé", "Porteur", "Somme"]
    fichier = classeur(
        [["AX1", "Ateliers", "Porteur A", "1 000"], ["AX2", "Jardin", "Porteur B", 2500]], entetes
    )
    importation = Importation.objects.get(pk=deposer(client, contrat, fichier).url.split("/")[-2])
    assert lectures == ["_lire_xlsx"]

    assert "Charger : 2 créations" in page(client, importation)
    client.post(
        reverse("programmation:importation_colonnes", args=[importation.pk]),
        {
            "colonne_0": "numero_dauphin",
            "colonne_1": "intitule",
            "colonne_2": "porteur",
            "colonne_3": "contribution",
        },
    )
    assert "2\u202f500\u202f€" in page(client, importation)
    assert client.post(reverse("programmation:importation_charger", args=[importation.pk])).status_code == 302

    assert lectures == ["_lire_xlsx"]
    assert sorted(
        Action.objects.filter(numero_dauphin__startswith="AX").values_list("numero_dauphin", "contribution")
    ) == [
        ("AX1", Decimal("1000.00")),
        ("AX2", Decimal("2500.00")),
    ]


def test_it_reads_a_csv_once_too(client, lectures, contrat, agent):
    client.force_login(agent)
    fichier = "Intitulé;Porteur;Montant proposé\nJardin lu une fois;Porteur A;1 000\n".encode()
    importation = Importation.objects.get(
        pk=deposer(client, contrat, fichier, nom="f.csv").url.split("/")[-2]
    )
    assert "Charger : 1 création" in page(client, importation)
    client.post(reverse("programmation:importation_charger", args=[importation.pk]))
    assert lectures == ["_lire_csv"]
    assert Action.objects.get(intitule="Jardin lu une fois").contribution == Decimal("1000.00")


def test_it_reads_again_only_an_import_kept_without_its_rows(lectures, contrat, agent):
    importation = depose(["1", "Jardin", "Porteur A", None, "Défi 2", 1000, 100], contrat, agent)
    Importation.objects.filter(pk=importation.pk).update(lignes=b"")  # kept before the rows were
    importation = Importation.objects.get(pk=importation.pk)
    assert importation.feuilles()[0].lignes[1] == (2, ("1", "Jardin", "Porteur A", None, "Défi 2", 1000, 100))
    Importation.objects.get(pk=importation.pk).feuilles()
    assert lectures == ["_lire_xlsx", "_lire_xlsx"]  # at deposit, then once for the row kept without


def test_it_loads_what_the_database_says_at_load_not_at_preview(client, contrat, agent):
    """The rows are kept, the comparison is not: made again at load, under lock."""
    client.force_login(agent)
    fichier = classeur(
        [
            ["97701", "Action votée", "Porteur V", None, "Défi 2", 1000, 500],
            ["97801", "Nouvelle action", "Porteur V", None, "Défi 2", 1000, 100],
        ]
    )
    importation = Importation.objects.get(pk=deposer(client, contrat, fichier).url.split("/")[-2])
    assert "Charger : 2 créations" in page(client, importation)

    # Meanwhile the first action is entered by hand, then voted.
    Action.objects.create(
        contrat=contrat,
        annee=2025,
        numero_dauphin="97701",
        intitule="Action votée",
        porteur=Porteur.objects.create(collectivite=contrat.collectivite, nom="Porteur V"),
        cout=Decimal(1000),
        contribution=Decimal(100),
    )
    tranche = TrancheFactory(contrat=contrat, annee=2025, statut=StatutTranche.SOUMISE)
    Action.objects.filter(numero_dauphin="97701").update(tranche=tranche, statut="proposee")
    tranche.verrouiller("Délibération de test")

    client.post(reverse("programmation:importation_charger", args=[importation.pk]))
    assert Action.objects.get(numero_dauphin="97701").contribution == Decimal("100.00")
    assert not Action.objects.filter(numero_dauphin="97801").exists()
    assert "1 ligne(s) en erreur : rien n'a été chargé. Première : ligne 2" in page(client, importation)


def test_it_updates_rather_than_duplicates_an_action_created_after_the_preview(client, contrat, agent):
    client.force_login(agent)
    fichier = classeur([["98101", "Jardin", "Porteur J", None, "Défi 2", 1000, 300]])
    importation = Importation.objects.get(pk=deposer(client, contrat, fichier).url.split("/")[-2])
    assert "Charger : 1 création" in page(client, importation)
    premier = depose(["98101", "Jardin", "Porteur J", None, "Défi 2", 1000, 200], contrat, agent)
    client.post(reverse("programmation:importation_charger", args=[premier.pk]))

    client.post(reverse("programmation:importation_charger", args=[importation.pk]))
    assert list(Action.objects.filter(numero_dauphin="98101").values_list("contribution", flat=True)) == [
        Decimal("300.00")
    ]


def ecrit_par_openpyxl():
    """Cents, dates, numbers written as text, empty cells, written the way an agent's file is."""
    classeur_ = Workbook()
    feuille = classeur_.active
    feuille.title = "Demandes"
    feuille.append(["Intitulé", "Coût", "Date", "Texte", None, "Entier"])
    feuille.append(["Jardin", 1234.56, datetime.datetime(2024, 3, 1), "00123", None, 7])
    feuille.append(["Atelier", 0.1, datetime.date(2024, 3, 2), "1 234,50 €", 10.25, None])
    feuille.append([None, 99.99, datetime.datetime(2024, 3, 1, 12, 30), "", 12345678901234, True])
    feuille.append([])
    feuille["C6"] = datetime.time(6, 0)
    feuille["C6"].number_format = "hh:mm"
    feuille["A7"] = "  espaces  "
    sortie = io.BytesIO()
    classeur_.save(sortie)
    return sortie.getvalue()


LIGNES_ATTENDUES = [
    (1, ("Intitulé", "Coût", "Date", "Texte", None, "Entier")),
    (2, ("Jardin", 1234.56, datetime.datetime(2024, 3, 1), "00123", None, 7)),
    (3, ("Atelier", 0.1, datetime.datetime(2024, 3, 2), "1 234,50 €", 10.25)),
    (4, (None, 99.99, datetime.datetime(2024, 3, 1, 12, 30), None, 12345678901234, True)),
    (6, (None, None, datetime.time(6, 0))),
    (7, ("  espaces  ",)),
]


def test_it_keeps_the_rows_exactly_and_only_for_their_file():
    valeurs = (
        "texte",
        Formule("=SOMME(A1:A2)"),
        1234.56,
        0.1,
        12345678901234567890,
        7,
        True,
        None,
        float("nan"),
        float("-inf"),
        datetime.datetime(2024, 3, 1, 12, 30, 15, 250),
        datetime.date(2024, 3, 2),
        datetime.time(6, 0),
        datetime.timedelta(days=2, seconds=3600, microseconds=5),
    )
    feuilles = [lecture.Feuille("Demandes", [(1, ("a", None, 3)), (4, valeurs)]), lecture.Feuille("Vide", [])]
    octets = conserve.empaqueter(feuilles, "empreinte")

    relues = conserve.depaqueter(octets, "empreinte")
    assert [f.nom for f in relues] == ["Demandes", "Vide"]
    assert relues[0].lignes[0] == (1, ("a", None, 3))
    numero, relu = relues[0].lignes[1]
    assert numero == 4 and relu[:8] == valeurs[:8] and relu[10:] == valeurs[10:]
    assert [type(v) for v in relu] == [type(v) for v in valeurs]
    assert str(relu[8]) == "nan" and relu[9] == float("-inf")
    assert conserve.depaqueter(octets, "une autre") is None
    assert conserve.depaqueter(b"abime", "empreinte") is None


def test_it_reads_again_the_rows_kept_before_a_reader_changed(tmp_path, monkeypatch):
    paquet = tmp_path / "lecture"
    shutil.copytree(Path(conserve.__file__).parent, paquet)
    assert conserve.empreinte_des_lecteurs(paquet) == conserve.FORMAT
    octets = conserve.empaqueter([lecture.Feuille("Demandes", [(1, ("a", 2))])], "empreinte")

    lecteur = paquet / "feuille.py"
    lecteur.write_text(lecteur.read_text() + "\nRIEN = None\n")
    nouveau = conserve.empreinte_des_lecteurs(paquet)
    assert nouveau != conserve.FORMAT
    monkeypatch.setattr(conserve, "FORMAT", nouveau)  # the changed reader, deployed
    assert conserve.depaqueter(octets, "empreinte") is None
