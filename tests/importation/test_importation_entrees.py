"""Cells as they really come, the seeds' ways of writing a row, and hostile files: a clear French
message (ErreurImport, or a row error), never anything else."""

import contextlib
import datetime
import html
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from contrat_ville.models import Contrat
from programmation.importation import ErreurImport
from programmation.importation.apercu import preparer
from programmation.importation.chargement import charger
from programmation.importation.lecture import COLONNES_MAX, TAILLE_MAX, lire
from programmation.importation.lignes import lire_lignes, separer
from programmation.importation.valeurs import ValeurInvalide, montant, numero_dauphin
from programmation.models import Action, Importation
from tests.importation.test_importation import classeur

NBSP, NNBSP = "\u00a0", "\u202f"
# XML 1.0 allows no C0 control character but tab, line feed and carriage return.
INTERDITS_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@pytest.mark.parametrize(
    ("ecrit", "attendu"),
    [
        ("52 052", "52052"),
        ("294 850€", "294850"),
        ("7 500,50 €", "7500.50"),
        (f"1{NBSP}807{NBSP}776 €", "1807776"),
        (f"383{NNBSP}950{NNBSP}€", "383950"),
        ("1.234,56", "1234.56"),
        ("12000", "12000"),
        ("3 000 EUR", "3000"),
        (94000, "94000"),
        (2400.5, "2400.50"),
        ("", None),
        (None, None),
    ],
)
def test_it_reads_amounts_as_they_are_written(ecrit, attendu):
    assert montant(ecrit) == (None if attendu is None else Decimal(attendu))


@pytest.mark.parametrize(
    ("ecrit", "message"),
    [
        ("beaucoup", "n'est pas un montant"),
        ("-500", "négatif"),
        (datetime.datetime(2024, 5, 16), "une date à la place d'un montant"),
        (True, "n'est pas un montant"),
    ],
)
def test_it_names_what_is_wrong_with_an_amount(ecrit, message):
    with pytest.raises(ValeurInvalide, match=message):
        montant(ecrit)


def test_it_cleans_a_dauphin_number_and_keeps_the_raw_form_as_the_fixtures_do():
    assert numero_dauphin("0026600 7") == ("00266007", "0026600 7")
    assert numero_dauphin("00266603") == ("00266603", "")
    assert numero_dauphin(266923) == ("266923", "")


@pytest.mark.parametrize(
    ("cellule", "intitule", "porteur"),
    [
        # The 2024 annex (seed 000): « intitulé / porteur », the footnote star dropped.
        (
            "Pôle ressources numériques métropolitain / Zoomacom*",
            "Pôle ressources numériques métropolitain",
            "Zoomacom",
        ),
        ("Atout sport emploi/ CREP", "Atout sport emploi", "CREP"),
        (
            "Relais emploi Crêt de Roc – Soleil / Maison du Crêt de Roc",
            "Relais emploi Crêt de Roc – Soleil",
            "Maison du Crêt de Roc",
        ),
        # The 2019 annex (seed 001): no slash, the porteur in capitals at the end.
        (
            "Egalité Femmes hommes dans les politiques publiques SOS VIOLENCES CONJUGALES 42",
            "Egalité Femmes hommes dans les politiques publiques",
            "SOS VIOLENCES CONJUGALES 42",
        ),
        ("Accompagner la parentalité numérique IREPS", "Accompagner la parentalité numérique", "IREPS"),
    ],
)
def test_it_splits_title_and_porteur_written_in_one_cell(cellule, intitule, porteur):
    assert separer(cellule, lambda texte: "")[:2] == (intitule, porteur)


def test_it_recognises_a_known_porteur_at_the_end_of_a_2019_cell():
    cellule = "Poulailler de l'amicale Amicale Laïque de Beaubrun"
    connu = "Amicale Laïque de Beaubrun"
    assert separer(cellule, lambda texte: connu if texte.endswith(connu) else "") == (
        "Poulailler de l'amicale",
        "Amicale Laïque de Beaubrun",
        False,
    )


def annexe_comme_2024():
    """Rows laid out like the 2024 annex (seed 000): title row, header, spacer rows, a Dauphin number
    with a gap, numbers stored as text, merged cells over the « Relais emploi » rows, a repeated
    header, and the TOTAL row with the document's own figures."""
    wb = Workbook()
    ws = wb.active
    ws.append(["DEFI 3 : NOS QUARTIERS REVELENT"])
    ws.merge_cells("A1:F1")
    entete = [
        "N° Action DAUPHIN",
        "Intitulé de l'action et porteur",
        "Territoire concerné",
        "Objectifs de l'action",
        "Coût de l'action",
        "Contribution SEM (PV)",
    ]
    ws.append(entete)
    ws.append(
        [
            "263647",
            "Relais emploi La Ricamarie / AGASEF",
            "Transversal SEM",
            "Favoriser l'accès à l'emploi des habitants en difficulté",
            "73 000 €",
            "23 500 €",
        ]
    )
    ws.append(
        ["253342", "Relais emploi Saint- Chamond / CCAS ST CHAMOND", None, None, "26 960 €", "11 000 €"]
    )
    ws.merge_cells("C3:C4")
    ws.merge_cells("D3:D4")
    ws.append([])
    ws.append(entete)
    ws.append(
        [
            "0026600 7",
            "Coordination Conseil Local en Santé Mentale/ VILLE DE SAINT- ETIENNE",
            "QPV",
            None,
            "10 000",
            "5 000",
        ]
    )
    ws.append([None, "TOTAL DEFI « NOS QUARTIERS REVELENT »", None, None, "109 960 €", "39 500 €"])
    sortie = io.BytesIO()
    wb.save(sortie)
    return sortie.getvalue()


@pytest.mark.django_db
def test_it_reads_a_file_laid_out_like_the_2024_annex():
    contrat = Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)
    apercu = preparer(annexe_comme_2024(), "annexe.xlsx", contrat, 2030)

    lignes = apercu.lignes
    assert [ligne.numero for ligne in lignes] == [3, 4, 7]
    assert [ligne.axe.numero for ligne in lignes] == [3, 3, 3]
    assert (lignes[1].territoire, lignes[1].objectifs[:21]) == ("Transversal SEM", "Favoriser l'accès à l")
    assert (lignes[2].numero_dauphin, lignes[2].numero_dauphin_source) == ("00266007", "0026600 7")
    assert lignes[2].libelle_source == "Coordination Conseil Local en Santé Mentale/ VILLE DE SAINT- ETIENNE"
    assert lignes[2].porteur_nom == "VILLE DE SAINT- ETIENNE"
    # The AGASEF and CCAS porteurs exist in the seeds (under their names of the 2024 annex).
    assert lignes[0].porteur.pk and lignes[1].porteur.pk
    (comparaison,) = apercu.comparaisons()
    assert comparaison["nombre"] == 3
    assert (comparaison["total"].cout, comparaison["total"].contribution) == (
        Decimal("109960"),
        Decimal("39500"),
    )
    assert (comparaison["ecart_cout"], comparaison["ecart_contribution"]) == (Decimal(0), Decimal(0))


@pytest.mark.django_db
def test_it_states_the_gap_between_a_totals_row_and_its_lines():
    contrat = Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)
    fichier = classeur(
        [
            ["1", "Une", "CIDFF", None, "Défi 2", 1000, 100],
            ["2", "Deux", "CIDFF", None, "Défi 2", 2000, 200],
            ["TOTAL DEFI 2", None, None, None, None, 2500, 300],
        ]
    )
    (comparaison,) = preparer(fichier, "f.xlsx", contrat, 2030).comparaisons()
    assert comparaison["ecart_cout"] == Decimal("-500") and comparaison["ecart_contribution"] == 0


def test_it_reads_a_csv_with_semicolons_and_windows_accents():
    contenu = "Intitulé;Porteur;Coût de l'action;Contribution\nAteliers;CIDFF;7 500,50 €;1 000\n".encode(
        "cp1252"
    )
    (feuille,) = lire(contenu, "demandes.csv")
    assert feuille.lignes[1] == (2, ("Ateliers", "CIDFF", "7 500,50 €", "1 000"))


def xlsx(remplir):
    wb = Workbook()
    remplir(wb.active)
    sortie = io.BytesIO()
    wb.save(sortie)
    return sortie.getvalue()


def fichiers_hostiles():
    zip_vide = io.BytesIO()
    with zipfile.ZipFile(zip_vide, "w") as archive:
        archive.writestr("bonjour.txt", "pas un classeur")
    return {
        "vide": (b"", "vide.xlsx", "Le fichier est vide"),
        "pas un tableur": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.xlsx", "n'est pas un classeur"),
        "chiffré": (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
            "protege.xlsx",
            "protégé par un mot de passe",
        ),
        "zip sans classeur": (zip_vide.getvalue(), "archive.xlsx", "n'est pas un classeur Excel lisible"),
        "trop gros": (b"x" * (TAILLE_MAX + 1), "gros.csv", "la limite est de 20 Mo"),
        "10 000 colonnes": (
            xlsx(lambda ws: ws.append(["Intitulé", "Porteur"] + ["x"] * 9998)),
            "large.xlsx",
            f"au plus {COLONNES_MAX} colonnes",
        ),
        "sans en-têtes": (xlsx(lambda ws: ws.append(["a", "b", 3])), "rien.xlsx", "Aucune ligne d'en-têtes"),
        "binaire en csv": (b"\x00\x01\x02binaire", "donnees.csv", "ni un classeur Excel"),
        "page web": (b"<script>alert(1)</script>;Intitul\xc3\xa9", "piege.html", "seuls ces deux formats"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("cas", list(fichiers_hostiles()))
def test_it_refuses_a_hostile_file_with_a_clear_message(cas):
    contenu, nom, message = fichiers_hostiles()[cas]
    contrat = Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)
    with pytest.raises(ErreurImport, match=message):
        preparer(contenu, nom, contrat, 2030)


@pytest.mark.django_db
@pytest.mark.parametrize("cas", list(fichiers_hostiles()))
def test_it_answers_a_hostile_upload_with_the_message_and_keeps_nothing(
    cas, client, agent, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    contenu, nom, message = fichiers_hostiles()[cas]
    contrat = Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)
    client.force_login(agent)
    reponse = client.post(
        reverse("programmation:importation_deposer"),
        {"contrat": contrat.pk, "annee": 2030, "fichier": SimpleUploadedFile(nom, contenu)},
    )
    assert reponse.status_code == 400
    # An empty upload is refused by Django's own file field, before our reader sees it.
    attendu = "Le fichier soumis est vide" if cas == "vide" else message
    assert attendu in html.unescape(reponse.content.decode())
    assert not Importation.objects.exists() and not list(tmp_path.iterdir())


@pytest.mark.django_db
def test_it_reports_formulas_and_dates_in_amount_cells_as_row_errors():
    contrat = Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)

    def remplir(ws):
        ws.append(["Intitulé", "Porteur", "Coût de l'action", "Contribution"])
        ws.append(["Une", "CIDFF", "=B3*2", 100])
        ws.append(["Deux", "CIDFF", datetime.datetime(2024, 3, 1), 100])

    une, deux = preparer(xlsx(remplir), "f.xlsx", contrat, 2030).lignes
    assert une.erreurs == [
        "colonne C « Coût de l'action » : formule « =B3*2 » : le fichier doit contenir des valeurs "
        "(dans le tableur : copier, puis collage spécial « valeurs »)"
    ]
    assert "une date à la place d'un montant" in deux.erreurs[0]
    assert not Action.objects.filter(annee=2030).exists()


CELLULES = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            "TOTAL",
            "Intitulé",
            "Porteur",
            "Coût",
            "Contribution",
            "Défi 2",
            "N° dossier",
            "52 052 €",
            "=SUM(A1:A2)",
            "/",
        ]
    ),
    st.datetimes(min_value=datetime.datetime(1990, 1, 1), max_value=datetime.datetime(2090, 1, 1)),
    st.booleans(),
)


class FausseFeuille:
    def __init__(self, nom, lignes):
        self.nom, self.lignes = nom, lignes


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(CELLULES, max_size=12), max_size=25),
    st.lists(
        st.sampled_from(
            [
                "",
                "intitule",
                "porteur",
                "cout",
                "contribution",
                "axe",
                "siret",
                "numero_dauphin",
                "intitule_porteur",
                "cofinanceurs",
            ]
        ),
        max_size=12,
    ),
)
def test_it_never_raises_anything_but_its_own_error_on_random_cells(lignes, correspondance):
    feuille = FausseFeuille(
        "Feuille", [(i, tuple(ligne)) for i, ligne in enumerate(lignes, start=1) if ligne]
    )
    with contextlib.suppress(ErreurImport):
        lire_lignes([feuille], correspondance or None, lambda texte: None, lambda texte: "")


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["f.xlsx", "f.csv", "f.txt"]))
def test_it_never_raises_anything_but_its_own_error_on_random_bytes(contenu, nom):
    with contextlib.suppress(ErreurImport):
        lire(contenu, nom)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.text(max_size=12), st.integers(-(10**6), 10**6)), max_size=8),
        max_size=12,
    )
)
def test_it_never_raises_anything_but_its_own_error_on_random_xlsx(lignes):
    def remplir(ws):
        # The control characters that XML cannot hold are dropped: openpyxl refuses to write them.
        for ligne in lignes:
            ws.append([INTERDITS_XML.sub("", v) if isinstance(v, str) else v for v in ligne])

    contenu = xlsx(remplir)
    with contextlib.suppress(ErreurImport):
        feuilles = lire(contenu, "f.xlsx")
        lire_lignes(feuilles, None, lambda texte: None, lambda texte: "")


def annexe_comme_2019(cout_cdad="99 872", territoire_cdad="Action transversale métropole"):
    """Rows as the 2019 annex writes them (seed 001): « Priorité n°1 » titles, title and porteur in
    one cell without a slash, bare figures, the header repeated, « TOTAL PRIORITE » rows."""
    entete = [
        "intitulé de l'action et porteur",
        "Territoire concerné",
        "Objectifs de l'action",
        "Coût de l'action",
        "Contribution SEM (PV)",
    ]
    wb = Workbook()
    ws = wb.active
    for ligne in [
        [
            "Priorité n°1: Renforcer le développement social du territoire "
            "et accompagner l'autonomie de ses habitants"
        ],
        entete,
        [
            "Accès aux droits et lutte contre les discriminations CDAD",
            territoire_cdad,
            None,
            cout_cdad,
            "20 000",
        ],
        [
            "Médiation dans les quartiers de la politique de la ville Mutualité de la Loire",
            "Action transversale métropole",
            None,
            "162 000",
            "10 000",
        ],
        ["TOTAL PRIORITE 1", None, None, "261 872", "30 000"],
        [],
        [
            "Priorité n°2: Améliorer le cadre de vie des habitants "
            "des territoires prioritaires de l'agglomération"
        ],
        entete,
        [
            "Poulailler de l'amicale Amicale Laïque de Beaubrun",
            "Saint-Etienne : Tarentaize",
            None,
            "2 800",
            "2 000",
        ],
        ["TOTAL PRIORITE N°2 INVESTISSEMENT", None, None, "2 800", "2 000"],
    ]:
        ws.append(ligne)
    sortie = io.BytesIO()
    wb.save(sortie)
    return sortie.getvalue()


@pytest.mark.django_db
def test_it_recognises_the_2019_rows_of_the_seed_and_changes_nothing():
    contrat = Contrat.objects.get(nature="contrat_de_ville", annee_debut=2015)
    apercu = preparer(annexe_comme_2019(), "annexe-2019.xlsx", contrat, 2019)

    assert [ligne.operation for ligne in apercu.lignes] == ["inchangée"] * 3
    # The porteurs as the fixtures name them, found from how the 2019 annex wrote them.
    assert [ligne.porteur.nom for ligne in apercu.lignes] == [
        "CDAD de la Loire",
        "AESIO Santé (Mutualité Française Loire, Haute-Loire, Puy-de-Dôme)",
        "Amicale laïque de Beaubrun",
    ]
    assert [ligne.axe.numero for ligne in apercu.lignes] == [1, 1, 2]
    assert not apercu.en_erreur
    assert [(c["nombre"], c["ecart_cout"], c["ecart_contribution"]) for c in apercu.comparaisons()] == [
        (2, 0, 0),
        (1, 0, 0),
    ]


@pytest.mark.django_db
def test_it_changes_what_a_vote_does_not_lock_in_the_voted_2019_tranche(agent):
    contrat = Contrat.objects.get(nature="contrat_de_ville", annee_debut=2015)
    fichier = annexe_comme_2019(territoire_cdad="Saint-Etienne : Tarentaize, Montreynaud")
    apercu = preparer(fichier, "annexe-2019.xlsx", contrat, 2019)
    assert not apercu.en_erreur
    assert [ligne.operation for ligne in apercu.lignes] == ["modification", "inchangée", "inchangée"]
    charger(fichier, "annexe-2019.xlsx", contrat, 2019, None, agent)
    cdad = Action.objects.get(contrat=contrat, annee=2019, porteur__nom="CDAD de la Loire")
    assert cdad.territoire == "Saint-Etienne : Tarentaize, Montreynaud"
    assert cdad.cout == Decimal("99872")


@pytest.mark.django_db
def test_it_refuses_to_change_an_amount_of_the_voted_2019_tranche():
    contrat = Contrat.objects.get(nature="contrat_de_ville", annee_debut=2015)
    apercu = preparer(annexe_comme_2019(cout_cdad="100 000"), "annexe-2019.xlsx", contrat, 2019)
    (refusee,) = apercu.en_erreur
    assert refusee.numero == 3
    assert "ses montants sont verrouillés" in refusee.erreurs[0]
