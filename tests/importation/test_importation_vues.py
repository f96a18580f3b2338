"""The import pages as an agent uses them; officials are refused; another authority's import is hidden."""

import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from contrat_ville.models import Contrat, User
from programmation.models import Action, CorrespondanceColonnes, Importation
from tests.factories import ContratFactory
from tests.importation.test_importation import classeur

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def contrat_2024():
    return Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)


def deposer(client, contrat, contenu, nom="demandes.xlsx", annee=2025):
    return client.post(
        reverse("programmation:importation_deposer"),
        {"contrat": contrat.pk, "annee": annee, "fichier": SimpleUploadedFile(nom, contenu)},
    )


FICHIER = [
    [
        "90001",
        "Ateliers numériques",
        "Association Les Clés du Numérique",
        None,
        "Défi 2",
        "10 000 €",
        "2 000 €",
    ],
    ["90002", "Jardin partagé", "CIDF", None, "Défi 9", "5 000", "1 000"],
]


def test_it_previews_then_loads_a_file_as_an_agent_would(client, agent, contrat_2024):
    client.force_login(agent)
    reponse = deposer(client, contrat_2024, classeur(FICHIER))
    importation = Importation.objects.get()
    assert reponse.url == reverse("programmation:importation", args=[importation.pk])

    page = client.get(reponse.url)
    assert page.status_code == 200
    texte = html.unescape(page.content.decode())
    assert "axe inconnu « Défi 9 »" in texte
    # The porteur's name is close to the seed's « CIDFF »: suggested.
    assert "S'agit-il de « CIDFF » ?" in texte
    assert "Charger :" not in texte
    assert client.post(reverse("programmation:importation_charger", args=[importation.pk])).status_code == 302
    assert not Action.objects.filter(numero_dauphin__in=["90001", "90002"]).exists()

    corrige = [FICHIER[0], ["90002", "Jardin partagé", "CIDFF", None, "Défi 3", "5 000", "1 000"]]
    importation = Importation.objects.get(
        pk=deposer(client, contrat_2024, classeur(corrige)).url.split("/")[-2]
    )
    assert (
        "Charger : 2 créations"
        in client.get(reverse("programmation:importation", args=[importation.pk])).content.decode()
    )
    reponse = client.post(reverse("programmation:importation_charger", args=[importation.pk]))
    assert reponse.status_code == 302
    assert Action.objects.filter(numero_dauphin__in=["90001", "90002"], annee=2025).count() == 2
    assert Action.objects.get(numero_dauphin="90002").porteur.nom == "CIDFF"


def test_it_keeps_the_file_in_the_storage_under_its_hash_whatever_its_name(
    client, agent, contrat_2024, tmp_path
):
    client.force_login(agent)
    deposer(client, contrat_2024, classeur(FICHIER), nom="../../Demandes 2025.XLSX")
    deposer(client, contrat_2024, "Intitulé;Porteur\nJardin;CIDFF\n".encode(), nom="liste.txt")
    noms = [p.name.split(".") for p in (tmp_path / "imports").iterdir()]
    assert sorted(extension for _, extension in noms) == ["csv", "xlsx"]
    assert all(len(empreinte) == 64 for empreinte, _ in noms)
    assert [p.name for p in tmp_path.iterdir()] == ["imports"]


def test_it_remembers_the_mapping_for_the_next_file_of_the_same_shape(client, agent, contrat_2024):
    client.force_login(agent)
    entetes = ["Réf.", "Intitulé", "Porteur", "Somme"]
    fichier = classeur([["A1", "Ateliers", "CIDFF", "1 000"]], entetes=entetes)
    importation = Importation.objects.get(pk=deposer(client, contrat_2024, fichier).url.split("/")[-2])
    # « Réf. » and « Somme » are not recognised: the agent assigns them.
    reponse = client.post(
        reverse("programmation:importation_colonnes", args=[importation.pk]),
        {
            "colonne_0": "numero_dauphin",
            "colonne_1": "intitule",
            "colonne_2": "porteur",
            "colonne_3": "contribution",
        },
    )
    assert reponse.status_code == 302
    assert CorrespondanceColonnes.objects.get().champs == [
        "numero_dauphin",
        "intitule",
        "porteur",
        "contribution",
    ]

    suivant = classeur([["A2", "Jardin", "CIDFF", "2 500"]], entetes=entetes)
    importation = Importation.objects.get(pk=deposer(client, contrat_2024, suivant).url.split("/")[-2])
    page = html.unescape(
        client.get(reverse("programmation:importation", args=[importation.pk])).content.decode()
    )
    assert "2\u202f500\u202f€" in page and ">A2<" in page


def test_it_refuses_a_mapping_without_the_title(client, agent, contrat_2024):
    client.force_login(agent)
    importation = Importation.objects.get(
        pk=deposer(client, contrat_2024, classeur(FICHIER)).url.split("/")[-2]
    )
    reponse = client.post(
        reverse("programmation:importation_colonnes", args=[importation.pk]), {"colonne_0": "porteur"}
    )
    assert reponse.status_code == 400
    assert "Désignez la colonne de l'intitulé" in html.unescape(reponse.content.decode())


def test_it_offers_a_template_with_the_contract_axes_as_a_drop_down(client, agent, contrat_2024):
    client.force_login(agent)
    reponse = client.get(reverse("programmation:importation_modele") + f"?contrat={contrat_2024.pk}")
    classeur_modele = load_workbook(io.BytesIO(reponse.content))
    feuille = classeur_modele["Demandes"]
    assert [c.value for c in feuille[1]][:3] == ["N° dossier DAUPHIN", "Intitulé de l'action", "Porteur"]
    (validation,) = feuille.data_validations.dataValidation
    assert validation.type == "list" and str(validation.sqref).startswith("F2")
    axes = [ligne[0].value for ligne in classeur_modele["Axes"].iter_rows()]
    # Typed from the délibération 2024.00230 (seed 000).
    assert axes[:3] == [
        "Défi 1 : Coopérer, simplifier les démarches et associer pleinement les habitants",
        "Défi 2 : NOS QUARTIERS EMANCIPENT",
        "Défi 3 : NOS QUARTIERS REVELENT",
    ]


def test_it_refuses_every_import_url_to_an_elected_official(client, elu, contrat_2024, agent):
    importation = Importation.objects.deposer(classeur(FICHIER), "f.xlsx", contrat_2024, 2025, agent)
    client.force_login(elu)
    assert client.get(reverse("programmation:importation_deposer")).status_code == 403
    assert deposer(client, contrat_2024, classeur(FICHIER)).status_code == 403
    assert (
        client.get(reverse("programmation:importation_modele") + f"?contrat={contrat_2024.pk}").status_code
        == 403
    )
    for nom in ("importation", "importation_colonnes", "importation_charger"):
        assert client.post(reverse(f"programmation:{nom}", args=[importation.pk])).status_code == 403


def test_it_hides_another_authoritys_import_and_contracts(client, agent):
    autre = ContratFactory()
    intrus = User.objects.create_user("intrus", collectivite=autre.collectivite)
    importation = Importation.objects.deposer(classeur(FICHIER), "f.xlsx", autre, 2025, intrus)
    client.force_login(agent)
    assert client.get(reverse("programmation:importation", args=[importation.pk])).status_code == 404
    assert client.post(reverse("programmation:importation_charger", args=[importation.pk])).status_code == 404
    assert deposer(client, autre, classeur(FICHIER)).status_code == 400
    assert client.get(reverse("programmation:importation_modele") + f"?contrat={autre.pk}").status_code == 404


@pytest.mark.parametrize("nombre", [2, 80])
def test_it_makes_the_same_queries_for_the_preview_page_with_few_and_many_rows(
    nombre, client, agent, contrat_2024, django_assert_num_queries
):
    lignes = [[f"95{i:03d}", f"Action {i}", "CIDFF", None, "Défi 2", 1000, 100] for i in range(nombre)]
    importation = Importation.objects.deposer(classeur(lignes), "f.xlsx", contrat_2024, 2025, agent)
    client.force_login(agent)
    # Session, user, permissions, the import, its remembered mapping, the preview's 9.
    with django_assert_num_queries(14):
        reponse = client.get(reverse("programmation:importation", args=[importation.pk]))
    assert f"Charger : {nombre} créations" in reponse.content.decode()
