"""Import of actions from a spreadsheet: round trip of the 2024 T1 annex, re-import, corrections,
voted tranches, all-or-nothing loading."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from contrat_ville.models import User
from programmation.enums import StatutTranche
from programmation.importation import ErreurImport
from programmation.importation.apercu import preparer
from programmation.importation.chargement import charger
from programmation.models import Action, Modification, Porteur, Tranche
from programmation.tableur import annexe_xlsx
from tests.factories import AxeFactory, ContratFactory, TrancheFactory

pytestmark = pytest.mark.django_db


DEVISES = {2: "NOS QUARTIERS EMANCIPENT", 3: "NOS QUARTIERS REVELENT", 4: "NOS QUARTIERS RESPIRENT"}


@pytest.fixture
def annexe_2024():
    """The 1st 2024 tranche's annex laid out as the voted one (one sheet per défi, a total row), written
    here with openpyxl from the seed's rows: the application's own export is not what the import reads."""
    tranche = Tranche.objects.get(contrat__nature="contrat_de_ville", annee=2024, numero=1)
    wb = Workbook()
    wb.active.title = "Récapitulatif"
    for numero, devise in DEVISES.items():
        ws = wb.create_sheet(f"Défi {numero}")
        ws.append(
            [
                "N° Action DAUPHIN",
                "Intitulé de l'action",
                "Porteur",
                "Territoire concerné",
                "Objectifs de l'action",
                "Coût de l'action",
                "Contribution SEM",
            ]
        )
        actions = tranche.actions.filter(axe__numero=numero).select_related("porteur").order_by("pk")
        for a in actions:
            ws.append(
                [
                    a.numero_dauphin,
                    a.intitule,
                    a.porteur.nom,
                    a.territoire,
                    a.objectifs,
                    a.cout,
                    a.contribution,
                ]
            )
        derniere = ws.max_row
        ws.append(
            [
                f"TOTAL DEFI « {devise} »",
                None,
                None,
                None,
                None,
                f"=SUM(F2:F{derniere})",
                f"=SUM(G2:G{derniere})",
            ]
        )
    sortie = io.BytesIO()
    wb.save(sortie)
    return sortie.getvalue()


@pytest.fixture
def annexe_exportee():
    """The same annex as the application exports it: what an agent downloads must import back."""
    tranche = Tranche.objects.get(contrat__nature="contrat_de_ville", annee=2024, numero=1)
    return annexe_xlsx(tranche)


@pytest.fixture
def contrat_vide():
    """A new authority's empty 2024-2030 contract with the défis of the seed."""
    contrat = ContratFactory(libelle_niveau="Défi")
    for numero, devise in [
        (2, "NOS QUARTIERS EMANCIPENT"),
        (3, "NOS QUARTIERS REVELENT"),
        (4, "NOS QUARTIERS RESPIRENT"),
    ]:
        AxeFactory(contrat=contrat, numero=numero, devise=devise, ordre=numero)
    return contrat


@pytest.fixture
def agent_vide(contrat_vide):
    return User.objects.create_user("agent-vide", password="x", collectivite=contrat_vide.collectivite)


def classeur(lignes, entetes=None):
    """An xlsx with one sheet: a header row, then the given rows."""
    wb = Workbook()
    ws = wb.active
    ws.append(
        entetes
        or ["N° dossier", "Intitulé", "Porteur", "SIRET", "Défi", "Coût de l'action", "Montant proposé"]
    )
    for ligne in lignes:
        ws.append(ligne)
    sortie = io.BytesIO()
    wb.save(sortie)
    return sortie.getvalue()


def totaux(contrat):
    actions = Action.objects.filter(contrat=contrat, annee=2024)
    par_axe = {
        ligne["axe__numero"]: (ligne["nombre"], ligne["cout"], ligne["contribution"])
        for ligne in actions.par_axe()
    }
    return actions.totaux(), par_axe


def test_it_round_trips_the_2024_annex_into_an_empty_contract(annexe_2024, contrat_vide, agent_vide):
    apercu = preparer(annexe_2024, "annexe.xlsx", contrat_vide, 2024)
    assert apercu.resume["lues"] == 49
    assert apercu.resume["a_creer"] == 49
    assert apercu.resume["en_erreur"] == 0

    charger(annexe_2024, "annexe.xlsx", contrat_vide, 2024, None, agent_vide)

    general, par_axe = totaux(contrat_vide)
    # Typed from the délibération 2024.00230 (seed 000): 49 actions, 2 696 021 € of cost, 383 950 €.
    assert general["nombre"] == 49
    assert general["cout"] == Decimal("2696021")
    assert general["contribution"] == Decimal("383950")
    assert par_axe == {
        2: (13, Decimal("353386"), Decimal("57600")),
        3: (31, Decimal("1807776"), Decimal("294850")),
        4: (5, Decimal("534859"), Decimal("31500")),
    }
    action = Action.objects.get(contrat=contrat_vide, numero_dauphin="266923")
    assert action.intitule == "Accès au droit et lutte contre les discriminations"
    assert action.porteur.nom == "CDAD de la Loire"
    assert action.cout == Decimal("83199") and action.contribution == Decimal("15000")
    assert Modification.objects.filter(action__contrat=contrat_vide, champ="création").count() == 49
    assert Modification.objects.filter(action=action).get().auteur == agent_vide


def test_it_reads_back_the_annex_the_application_exports(annexe_exportee, contrat_vide, agent_vide):
    apercu = preparer(annexe_exportee, "annexe.xlsx", contrat_vide, 2024)
    assert (apercu.resume["lues"], apercu.resume["a_creer"], apercu.resume["en_erreur"]) == (49, 49, 0)
    charger(annexe_exportee, "annexe.xlsx", contrat_vide, 2024, None, agent_vide)
    general, _ = totaux(contrat_vide)
    assert (general["nombre"], general["cout"], general["contribution"]) == (
        49,
        Decimal("2696021"),
        Decimal("383950"),
    )


def test_it_changes_nothing_when_the_same_file_is_imported_again(annexe_2024, contrat_vide, agent_vide):
    charger(annexe_2024, "annexe.xlsx", contrat_vide, 2024, None, agent_vide)
    actions, porteurs = Action.objects.count(), Porteur.objects.count()
    modifications = Modification.objects.count()

    apercu = preparer(annexe_2024, "annexe.xlsx", contrat_vide, 2024)
    assert apercu.resume["inchangees"] == 49
    resultat = charger(annexe_2024, "annexe.xlsx", contrat_vide, 2024, None, agent_vide)

    assert resultat["creees"] == 0 and resultat["modifiees"] == 0
    assert (Action.objects.count(), Porteur.objects.count(), Modification.objects.count()) == (
        actions,
        porteurs,
        modifications,
    )


def test_it_updates_the_matching_actions_from_a_corrected_file(contrat_vide, agent_vide):
    premier = classeur(
        [
            ["1001", "Ateliers numériques", "Les Clés", None, "Défi 2", "10 000 €", "2 000 €"],
            [None, "Jardin partagé", "La Ferme", None, "Défi 3", 5000, 1000],
        ]
    )
    charger(premier, "demandes.xlsx", contrat_vide, 2024, None, agent_vide)
    corrige = classeur(
        [
            ["1001", "Ateliers numériques", "Les Clés", None, "Défi 2", "12 000 €", "2 500 €"],
            [None, "Jardin partagé", "La Ferme", None, "Défi 4", 5000, 1000],
        ]
    )

    resultat = charger(corrige, "demandes.xlsx", contrat_vide, 2024, None, agent_vide)

    assert (resultat["creees"], resultat["modifiees"]) == (0, 2)
    assert Action.objects.filter(contrat=contrat_vide).count() == 2
    ateliers = Action.objects.get(contrat=contrat_vide, numero_dauphin="1001")
    assert (ateliers.cout, ateliers.contribution) == (Decimal("12000"), Decimal("2500"))
    assert sorted(
        ateliers.modifications.exclude(champ="création").values_list("champ", "avant", "apres")
    ) == [
        ("contribution", "2\u202f000\u202f€", "2\u202f500\u202f€"),
        ("cout", "10\u202f000\u202f€", "12\u202f000\u202f€"),
    ]
    jardin = Action.objects.get(contrat=contrat_vide, intitule="Jardin partagé")
    assert jardin.axe.numero == 4


def test_it_loads_nothing_when_one_row_is_wrong_and_names_that_row(contrat_vide, agent_vide):
    fichier = classeur(
        [
            ["1", "Action une", "Porteur A", None, "Défi 2", 1000, 100],
            ["2", "Action deux", "Porteur B", "12345678901234", "Défi 2", 1000, 100],
            ["3", "Action trois", "Porteur C", None, "Défi 2", 1000, 100],
        ]
    )
    apercu = preparer(fichier, "f.xlsx", contrat_vide, 2024)
    (fautive,) = apercu.en_erreur
    assert fautive.numero == 3
    assert "colonne D « SIRET »" in fautive.erreurs[0]

    with pytest.raises(ErreurImport, match="ligne 3"):
        charger(fichier, "f.xlsx", contrat_vide, 2024, None, agent_vide)

    assert not Action.objects.filter(contrat=contrat_vide).exists()
    assert not Porteur.objects.filter(collectivite=contrat_vide.collectivite).exists()


def test_it_refuses_to_touch_an_action_of_a_voted_tranche(contrat_vide, agent_vide):
    charger(
        classeur([["77", "Action votée", "Porteur V", None, "Défi 2", 1000, 100]]),
        "f.xlsx",
        contrat_vide,
        2024,
        None,
        agent_vide,
    )
    tranche = TrancheFactory(contrat=contrat_vide, annee=2024, statut=StatutTranche.SOUMISE)
    Action.objects.filter(numero_dauphin="77").update(tranche=tranche, statut="proposee")
    tranche.verrouiller("Délibération de test")
    corrige = classeur(
        [
            ["77", "Action votée", "Porteur V", None, "Défi 2", 1000, 500],
            ["78", "Nouvelle action", "Porteur V", None, "Défi 2", 1000, 100],
        ]
    )

    apercu = preparer(corrige, "f.xlsx", contrat_vide, 2024)
    (refusee,) = apercu.en_erreur
    assert refusee.numero == 2 and "votée" in refusee.erreurs[0]
    with pytest.raises(ErreurImport):
        charger(corrige, "f.xlsx", contrat_vide, 2024, None, agent_vide)

    assert Action.objects.get(numero_dauphin="77").contribution == Decimal("100")
    assert not Action.objects.filter(numero_dauphin="78").exists()


def lignes_valides(nombre, premier=1):
    return [
        [str(premier + i), f"Action {premier + i}", f"Porteur {i % 7}", None, "Défi 2", 1000, 100]
        for i in range(nombre)
    ]


# 40 rows stay within one insert batch even on SQLite (999 parameters); larger files add one query a batch.
@pytest.mark.parametrize("nombre", [2, 40])
def test_it_previews_and_loads_with_the_same_queries_whatever_the_number_of_rows(
    nombre, contrat_vide, agent_vide, django_assert_num_queries
):
    fichier = classeur(lignes_valides(nombre))
    # Axes, porteurs, earlier titles, actions, tranches, quartiers links, cofinancements, quartiers,
    # financeurs.
    with django_assert_num_queries(9):
        preparer(fichier, "f.xlsx", contrat_vide, 2024)
    # The same preview, locked, then: porteurs, actions, their history (savepoint in and out, twice: the
    # history's writing keeps a refusal from spoiling its caller's transaction), each batch checked
    # against the vote's lock and the wall between authorities (one query per link).
    with django_assert_num_queries(20):
        charger(fichier, "f.xlsx", contrat_vide, 2024, None, agent_vide)
    assert Action.objects.filter(contrat=contrat_vide).count() == nombre


def test_it_previews_then_loads_a_file_with_a_progress_bar_from_the_command(
    tmp_path, contrat_vide, agent_vide
):
    from io import StringIO

    from django.core.management import call_command

    chemin = tmp_path / "demandes.xlsx"
    chemin.write_bytes(classeur(lignes_valides(1200)))
    arguments = [str(chemin), f"--contrat={contrat_vide.pk}", "--annee=2024", "--utilisateur=agent-vide"]
    sortie, erreurs = StringIO(), StringIO()

    call_command("importer_programmation", *arguments, stdout=sortie, stderr=erreurs)
    assert "Lignes lues : 1200 ; à créer : 1200" in sortie.getvalue()
    assert not Action.objects.filter(contrat=contrat_vide).exists()
    assert "1000 / 1201 lignes lues" in erreurs.getvalue()

    call_command("importer_programmation", *arguments, "--charger", stdout=sortie, stderr=StringIO())
    assert "Chargé : 1200 action(s) créée(s), 0 modifiée(s)." in sortie.getvalue()
    assert Action.objects.filter(contrat=contrat_vide).count() == 1200


@pytest.mark.parametrize(
    ("ligne", "erreur"),
    [
        (
            ["5", "Doublon", "Porteur A", None, "Défi 2", 1000, 100],
            "numéro de dossier 5 en double : déjà ligne 2",
        ),
        (
            ["6", "Trop", "Porteur A", None, "Défi 2", 1000, 1500],
            "colonne G « Montant proposé » : la contribution",
        ),
        (
            ["7", "Ailleurs", "Porteur A", None, "Défi 7", 1000, 100],
            "axe inconnu « Défi 7 » (axes du contrat : Défi 2",
        ),
        (["8", "Sans porteur", None, None, "Défi 2", 1000, 100], "colonne C « Porteur » : porteur manquant"),
    ],
)
def test_it_names_the_row_and_column_of_each_blocking_error(ligne, erreur, contrat_vide):
    fichier = classeur([["5", "Première", "Porteur A", None, "Défi 2", 1000, 100], ligne])
    (fautive,) = preparer(fichier, "f.xlsx", contrat_vide, 2024).en_erreur
    assert fautive.numero == 3
    assert fautive.erreurs[0].startswith(erreur)


def test_it_links_quartiers_and_cofinanceurs_named_in_the_file(agent):
    from contrat_ville.models import Contrat, Financeur, Quartier

    contrat = Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)
    # The seeds name the quartiers without their codes (none is invented): matched by name.
    quartier = Quartier.objects.get(collectivite=contrat.collectivite, nom="Tarentaize")
    etat = Financeur.objects.get(collectivite=contrat.collectivite, nom="État")
    fichier = classeur(
        [
            [
                "93001",
                "Ateliers",
                "CIDFF",
                "Défi 2",
                "TARENTAIZE",
                "État : 5 000 € ; Mécène : 100",
                20000,
                2000,
            ]
        ],
        entetes=[
            "N° dossier",
            "Intitulé",
            "Porteur",
            "Défi",
            "Quartier(s)",
            "Cofinanceurs",
            "Coût",
            "Montant proposé",
        ],
    )
    apercu = preparer(fichier, "f.xlsx", contrat, 2030)
    (ligne,) = apercu.lignes
    assert ligne.avertissements == ["cofinanceur inconnu « Mécène » : ignoré"]

    charger(fichier, "f.xlsx", contrat, 2030, None, agent)

    action = Action.objects.get(numero_dauphin="93001", annee=2030)
    assert list(action.quartiers.all()) == [quartier]
    (cofinancement,) = action.cofinancements.all()
    assert (cofinancement.financeur, cofinancement.montant_sollicite) == (etat, Decimal("5000"))
