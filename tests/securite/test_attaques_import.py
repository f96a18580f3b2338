"""Hostile spreadsheets: a small file must never take much memory, be refused with a French message
before it is parsed (or as soon as a cap is crossed), and leave the database unchanged; cell values
and CSV encodings that were misread are reported instead.

The hostile xlsx files are written here as raw XML through zipfile, from generators: a one-row sheet
of 3 million cells, a 629 MB shared text, 2 million rows (with an honest, a lying and no dimension).
Each is also read in a child process whose peak memory (ru_maxrss) must stay under 300 MB.
"""

import functools
import html
import io
import json
import struct
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contrat_ville.models import Contrat
from programmation.importation import ErreurImport
from programmation.importation.apercu import preparer
from programmation.importation.lecture import lire
from programmation.importation.lignes import lire_lignes
from programmation.models import Action, Importation
from tests.empreinte import empreinte

RACINE = Path(__file__).resolve().parents[2]
MEMOIRE_MAX_MO = 300
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
TYPES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


# --- raw xlsx, written from generators ----------------------------------------------------------


def xlsx_brut(lignes, chaines=None, dimension=None, niveau=6):
    """A minimal workbook: one sheet whose <sheetData> is the bytes yielded by `lignes`, and, if
    given, a shared-strings part made of the bytes yielded by `chaines`."""
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED, compresslevel=niveau) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{TYPES}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook {NS} {NS_R}><sheets>'
            '<sheet name="Demandes" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        relations = f'<Relationship Id="rId1" Type="{TYPES}/worksheet" Target="worksheets/sheet1.xml"/>'
        if chaines is not None:
            relations += f'<Relationship Id="rId2" Type="{TYPES}/sharedStrings" Target="sharedStrings.xml"/>'
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships">{relations}</Relationships>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w") as feuille:
            feuille.write(f'<?xml version="1.0"?><worksheet {NS}>'.encode())
            if dimension:
                feuille.write(f'<dimension ref="{dimension}"/>'.encode())
            feuille.write(b"<sheetData>")
            for morceau in lignes:
                feuille.write(morceau)
            feuille.write(b"</sheetData></worksheet>")
        if chaines is not None:
            with archive.open("xl/sharedStrings.xml", "w") as partie:
                partie.write(f'<?xml version="1.0"?><sst {NS}>'.encode())
                for morceau in chaines:
                    partie.write(morceau)
                partie.write(b"</sst>")
    return sortie.getvalue()


def par_paquets(gabarit, nombre, paquet=20_000, debut=1):
    """gabarit.format(n) for n in debut..debut+nombre-1, yielded as bytes in batches."""
    for premier in range(debut, debut + nombre, paquet):
        dernier = min(premier + paquet, debut + nombre)
        yield "".join(gabarit.format(n) for n in range(premier, dernier)).encode()


def repete(morceau, fois, paquet=10_000):
    bloc = morceau * paquet
    for _ in range(fois // paquet):
        yield bloc
    yield morceau * (fois % paquet)


ENTETE = b'<row r="1"><c r="A1" t="inlineStr"><is><t>Intitul\xc3\xa9</t></is></c><c r="B1" t="inlineStr"><is><t>Porteur</t></is></c></row>'  # noqa: E501


def une_ligne_de_3_millions_de_cellules():
    """Without a dimension nor cell references, values that differ: an ordinary compression ratio."""
    return xlsx_brut([b'<row r="1">', *par_paquets("<c><v>{0}</v></c>", 3_000_000), b"</row>"], niveau=1)


def une_ligne_de_3_millions_de_cellules_identiques():
    return xlsx_brut([b'<row r="1">', *repete(b"<c><v>1</v></c>", 3_000_000), b"</row>"])


def une_ligne_de_3_millions_de_cellules_vides():
    return xlsx_brut([b'<row r="1">', *par_paquets('<c s="{0}"/>', 3_000_000), b"</row>"], niveau=1)


def un_texte_partage_de_629_mo():
    return xlsx_brut(
        [b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'],
        chaines=[b"<si><t>", *repete(b"a" * 1024, 629 * 1024, paquet=1024), b"</t></si>"],
        niveau=9,
    )


def annoncer(contenu, partie, taille):
    """The zip with `partie` declaring `taille` bytes once decompressed in its directory entry."""
    octets = bytearray(contenu)
    position = octets.find(b"PK\x01\x02")
    while position >= 0:
        longueur_nom = struct.unpack_from("<H", octets, position + 28)[0]
        if octets[position + 46 : position + 46 + longueur_nom] == partie.encode():
            struct.pack_into("<I", octets, position + 24, taille)
        position = octets.find(b"PK\x01\x02", position + 1)
    return bytes(octets)


def un_texte_partage_de_629_mo_annonce_de_1_mo():
    """The directory lies: only reading can tell, and reading stops at the stated size."""
    return annoncer(un_texte_partage_de_629_mo(), "xl/sharedStrings.xml", 1024 * 1024)


def des_textes_partages_de_60_mo():
    """Little redundancy: a compression ratio of an ordinary file, only the size is refused."""
    return xlsx_brut(
        [ENTETE],
        chaines=par_paquets("<si><t>{0:x}-{0:o}-{0}-{0:b}</t></si>", 1_100_000),
        niveau=1,
    )


def une_cellule_de_20_000_caracteres():
    return xlsx_brut(
        [ENTETE, b'<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c></row>'],
        chaines=[b"<si><t>Ateliers</t></si><si><t>", b"x" * 20_000, b"</t></si>"],
    )


def deux_millions_de_lignes(dimension):
    return xlsx_brut(
        [ENTETE, *par_paquets('<row r="{0}"><c r="A{0}"><v>1</v></c></row>', 2_000_000, debut=2)],
        dimension=dimension,
    )


def vingt_mille_lignes_ordinaires():
    """An ordinary request file: accepted."""
    entete = "".join(
        f'<c r="{colonne}1" t="inlineStr"><is><t>{texte}</t></is></c>'
        for colonne, texte in zip(
            "ABCDEF",
            ["N° dossier", "Intitulé", "Porteur", "Défi", "Coût de l'action", "Montant proposé"],
            strict=True,
        )
    )
    ligne = (
        '<row r="{0}"><c r="A{0}"><v>{0}</v></c><c r="B{0}" t="inlineStr"><is><t>Action n°{0}</t></is></c>'
        '<c r="C{0}" t="inlineStr"><is><t>Association {0}</t></is></c>'
        '<c r="D{0}" t="inlineStr"><is><t>Défi 2</t></is></c><c r="E{0}"><v>10000</v></c>'
        '<c r="F{0}" t="inlineStr"><is><t>2 500,50 €</t></is></c></row>'
    )
    return xlsx_brut(
        [f'<row r="1">{entete}</row>'.encode(), *par_paquets(ligne, 20_000, debut=2)], dimension="A1:F20001"
    )


HOSTILES = {
    # name: (maker, file name, French message expected in the refusal)
    "une ligne de 3 millions de cellules": (
        une_ligne_de_3_millions_de_cellules,
        "large.xlsx",
        "La ligne 1 remplit la colonne n°201 : un fichier d'import compte au plus 200 colonnes",
    ),
    "une ligne de 3 millions de cellules identiques": (
        une_ligne_de_3_millions_de_cellules_identiques,
        "large.xlsx",
        "du classeur est compressé 514 fois (43 Mo une fois décompressé)",
    ),
    "une ligne de 3 millions de cellules vides": (
        une_ligne_de_3_millions_de_cellules_vides,
        "large.xlsx",
        "compte plus de 16 384 cellules, le maximum d'Excel",
    ),
    "un texte partagé de 629 Mo": (un_texte_partage_de_629_mo, "texte.xlsx", "629 Mo une fois décompressé"),
    "un texte partagé de 629 Mo annoncé de 1 Mo": (
        un_texte_partage_de_629_mo_annonce_de_1_mo,
        "texte.xlsx",
        "Le classeur est endommagé et n'a pas pu être lu (BadZipFile)",
    ),
    "des textes partagés de 60 Mo": (
        des_textes_partages_de_60_mo,
        "textes.xlsx",
        "Les textes de ce classeur occuperaient",
    ),
    "une cellule de 20 000 caractères": (
        une_cellule_de_20_000_caracteres,
        "long.xlsx",
        "La cellule B2 de la feuille « Demandes » contient 20 000 caractères : une cellule en compte au "
        "plus 10 000",
    ),
    "2 millions de lignes annoncées": (
        functools.partial(deux_millions_de_lignes, "A1:B2000001"),
        "lignes.xlsx",
        "s'étend sur 2 000 001 lignes",
    ),
    "2 millions de lignes sans dimension": (
        functools.partial(deux_millions_de_lignes, None),
        "lignes.xlsx",
        "Le fichier dépasse 100 000 lignes",
    ),
    "2 millions de lignes sous une dimension menteuse": (
        functools.partial(deux_millions_de_lignes, "A1:B2"),
        "lignes.xlsx",
        "Le fichier dépasse 100 000 lignes",
    ),
    "un CSV de 2 millions de lignes": (
        lambda: b"Intitul\xc3\xa9;Porteur\n" + b"a;b\n" * 2_000_000,
        "lignes.csv",
        "Le fichier dépasse 100 000 lignes",
    ),
    "un CSV d'une ligne de 3 millions de colonnes": (
        lambda: b"Intitul\xc3\xa9;Porteur\n" + b"x;" * 3_000_000 + b"\n",
        "large.csv",
        "La ligne 2 du fichier dépasse 1 000 000 caractères",
    ),
    "un CSV de 1 000 colonnes": (
        lambda: b"Intitul\xc3\xa9;Porteur\n" + b"x;" * 1_000 + b"\n",
        "large.csv",
        "La ligne 2 compte 1 000 colonnes : un fichier d'import en compte au plus 200",
    ),
    "un CSV à la cellule de 20 000 caractères": (
        lambda: "Intitulé;Porteur\nAteliers;".encode() + b"y" * 20_000 + b"\n",
        "long.csv",
        "La cellule B2 contient 20 000 caractères",
    ),
    "un CSV à la cellule de 500 000 caractères": (
        lambda: 'Intitulé;Porteur\nAteliers;"'.encode() + b"y\n" * 250_000 + b'"\n',
        "long.csv",
        # Streamed from a file, the reader stops at the line (« La ligne 2 a une cellule de plus de
        # 10 000 caractères ») before it can count the whole cell (« La cellule B2 contient … »).
        "cellule de plus de 10 000 caractères|en compte au plus 10 000",
    ),
}


def dit(message, texte):
    """The expected message, or one of its forms separated by « | », is in the text."""
    return any(forme in texte for forme in message.split("|"))


@functools.cache
def fichier_hostile(cas):
    fabrique, nom, message = HOSTILES[cas]
    return fabrique(), nom, message


@functools.cache
def vingt_mille_lignes():
    return vingt_mille_lignes_ordinaires()


# --- refused with a French message, in the reader, the preview and the upload page ---------------


@pytest.mark.parametrize("cas", list(HOSTILES))
def test_it_refuses_each_hostile_file_with_its_french_message(cas):
    contenu, nom, message = fichier_hostile(cas)
    assert len(contenu) <= 20 * 1024 * 1024  # small enough to be sent
    with pytest.raises(ErreurImport) as erreur:
        lire(contenu, nom)
    assert dit(message, str(erreur.value))


@pytest.mark.django_db
@pytest.mark.parametrize("cas", list(HOSTILES))
def test_it_answers_each_hostile_upload_with_its_message_and_changes_nothing(
    cas, client, agent, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    contenu, nom, message = fichier_hostile(cas)
    contrat = Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)
    client.force_login(agent)
    avant = empreinte()
    reponse = client.post(
        reverse("programmation:importation_deposer"),
        {"contrat": contrat.pk, "annee": 2030, "fichier": SimpleUploadedFile(nom, contenu)},
    )
    assert reponse.status_code == 400
    assert dit(message, html.unescape(reponse.content.decode()))
    assert empreinte() == avant
    assert not Importation.objects.exists() and not list(tmp_path.iterdir())


def test_it_reads_the_ordinary_20_000_row_file():
    (feuille,) = lire(vingt_mille_lignes(), "ordinaire.xlsx")
    assert len(feuille.lignes) == 20_001
    assert feuille.lignes[-1] == (
        20_001,
        (20_001, "Action n°20001", "Association 20001", "Défi 2", 10000, "2 500,50 €"),
    )
    lecture = lire_lignes([feuille], None, lambda texte: None, lambda texte: "")
    assert len(lecture.lignes) == 20_000
    assert {(ligne.cout, ligne.contribution) for ligne in lecture.lignes} == {
        (Decimal("10000"), Decimal("2500.50"))
    }


# --- the memory budget, measured in a child process ----------------------------------------------

ENFANT = """
import json, resource, sys
from pathlib import Path
from programmation.importation.erreurs import ErreurImport
from programmation.importation.lecture import lire
from programmation.importation.lignes import lire_lignes

contenu = Path(sys.argv[1]).read_bytes()
resultat = {}
try:
    feuilles = lire(contenu, sys.argv[2])
    resultat["lignes"] = len(lire_lignes(feuilles, None, lambda t: None, lambda t: "").lignes)
except ErreurImport as erreur:
    resultat["refus"] = str(erreur)
# VmHWM: the peak of this process's own memory. ru_maxrss would also count the parent's resident
# size at fork time (Linux keeps it across exec), that is pytest's, files included.
statut = Path("/proc/self/status").read_text()
resultat["pic_mo"] = int(statut.split("VmHWM:")[1].split()[0]) / 1024
resultat["ru_maxrss_mo"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(resultat))
"""


def lire_dans_un_processus(contenu, nom, dossier):
    chemin = dossier / nom
    chemin.write_bytes(contenu)
    sortie = subprocess.run(
        [sys.executable, "-c", ENFANT, str(chemin), nom],
        cwd=RACINE,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(sortie.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("cas", list(HOSTILES))
def test_it_refuses_each_hostile_file_within_the_memory_budget(cas, tmp_path):
    contenu, nom, message = fichier_hostile(cas)
    resultat = lire_dans_un_processus(contenu, nom, tmp_path)
    print(f"{cas} : {len(contenu) / 1024:.0f} Ko, pic {resultat['pic_mo']:.0f} Mo")
    assert dit(message, resultat["refus"])
    assert resultat["pic_mo"] < MEMOIRE_MAX_MO


def test_it_reads_the_ordinary_20_000_row_file_within_the_memory_budget(tmp_path):
    resultat = lire_dans_un_processus(vingt_mille_lignes(), "ordinaire.xlsx", tmp_path)
    print(f"20 000 lignes : pic {resultat['pic_mo']:.0f} Mo")
    assert resultat.get("refus") is None
    assert resultat["lignes"] == 20_000
    assert resultat["pic_mo"] < MEMOIRE_MAX_MO


# --- amounts: an ambiguous grouping, NaN and infinity are row errors, never guessed or emptied ---


def csv_demandes(*couts):
    lignes = ["Intitulé;Porteur;Coût de l'action;Contribution"]
    lignes += [f"Action {i};CIDFF;{cout};100" for i, cout in enumerate(couts, start=1)]
    return "\n".join(lignes).encode()


@pytest.mark.django_db
def test_it_reports_an_ambiguous_grouping_nan_and_infinity_in_amounts():
    contrat = Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)
    apercu = preparer(csv_demandes("12,34,56", "nan", "inf", "12 345,67"), "f.csv", contrat, 2030)
    ambigu, indefini, infini, correct = apercu.lignes
    assert ambigu.cout is None
    assert ambigu.erreurs == [
        "colonne C « Coût de l'action » : « 12,34,56 » : montant ambigu (les milliers se groupent par "
        "trois chiffres, par exemple « 12 345,67 ») — corrigez la cellule"
    ]
    assert "valeur indéfinie (NaN), pas un montant" in indefini.erreurs[0]
    assert "valeur infinie, pas un montant" in infini.erreurs[0]
    assert (correct.cout, correct.erreurs) == (Decimal("12345.67"), [])


@pytest.mark.django_db
def test_it_reports_nan_and_infinite_number_cells_of_a_workbook():
    contrat = Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)
    entete = (
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>Intitul\xc3\xa9</t></is></c><c r="B1" t="inlineStr">'
        b'<is><t>Porteur</t></is></c><c r="C1" t="inlineStr"><is><t>Co\xc3\xbbt de l\'action</t></is></c>'
        b"</row>"
    )
    lignes = [
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>Action {n}</t></is></c><c r="B{n}" t="inlineStr">'
        f'<is><t>CIDFF</t></is></c><c r="C{n}"><v>{valeur}</v></c></row>'.encode()
        for n, valeur in ((2, "NaN"), (3, "INF"), (4, "1e999"), (5, "1500.5"))
    ]
    nan, inf, depassement, correct = preparer(xlsx_brut([entete, *lignes]), "f.xlsx", contrat, 2030).lignes
    assert "valeur indéfinie (NaN)" in nan.erreurs[0] and nan.cout is None
    assert "valeur infinie" in inf.erreurs[0] and "valeur infinie" in depassement.erreurs[0]
    assert (correct.cout, correct.erreurs) == (Decimal("1500.50"), [])


@pytest.mark.parametrize(
    ("ecrit", "attendu"),
    [
        ("12 345,67", "12345.67"),
        ("12345,67", "12345.67"),
        ("12 345,67 €", "12345.67"),
        ("12\u00a0345,67\u00a0€", "12345.67"),
        ("12\u202f345,67\u202f€", "12345.67"),
        ("12345.67", "12345.67"),
        ("12 345", "12345"),
        ("1 234 567,8", "1234567.80"),
        ("1.234.567", "1234567"),
        ("1,234.56", "1234.56"),
        ("12 345,678", "12345.68"),
    ],
)
def test_it_keeps_accepting_the_usual_french_ways_of_writing_an_amount(ecrit, attendu):
    from programmation.importation.valeurs import montant

    assert montant(ecrit) == Decimal(attendu)


@pytest.mark.parametrize(
    ("ecrit", "message"),
    [
        ("12,34,56", "montant ambigu"),
        ("12.34.56", "montant ambigu"),
        ("1 2345", "montant ambigu"),
        ("12345 678", "montant ambigu"),
        ("1,2.3", "montant ambigu"),
        ("NaN", "valeur indéfinie (NaN)"),
        ("-inf", "valeur infinie"),
        ("Infinity €", "valeur infinie"),
        (float("nan"), "valeur indéfinie (NaN)"),
        (float("inf"), "valeur infinie"),
        (Decimal("NaN"), "valeur indéfinie (NaN)"),
    ],
)
def test_it_refuses_an_ambiguous_or_undefined_amount(ecrit, message):
    from programmation.importation.valeurs import ValeurInvalide, montant

    with pytest.raises(ValeurInvalide, match=message.replace("(", r"\(").replace(")", r"\)")):
        montant(ecrit)


@pytest.mark.django_db
def test_it_shows_the_amount_errors_on_the_preview_page_and_loads_nothing(client, agent, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    contrat = Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)
    client.force_login(agent)
    reponse = client.post(
        reverse("programmation:importation_deposer"),
        {
            "contrat": contrat.pk,
            "annee": 2030,
            "fichier": SimpleUploadedFile("f.csv", csv_demandes("12,34,56", "nan", "inf")),
        },
    )
    importation = Importation.objects.get()
    assert reponse.url == reverse("programmation:importation", args=[importation.pk])
    page = html.unescape(client.get(reponse.url).content.decode())
    assert "« 12,34,56 » : montant ambigu" in page
    assert "valeur indéfinie (NaN)" in page and "valeur infinie" in page
    avant = empreinte()
    client.post(reverse("programmation:importation_charger", args=[importation.pk]))
    assert empreinte() == avant
    assert not Action.objects.filter(annee=2030).exists()


# --- CSV encodings ------------------------------------------------------------------------------

TEXTE_CSV = "Intitulé\tPorteur\tCoût de l'action\nAteliers d'écriture\tCIDFF\t1 500 €\nJardin\tÉcole\t2 000\n"
ATTENDU = [
    (1, ("Intitulé", "Porteur", "Coût de l'action")),
    (2, ("Ateliers d'écriture", "CIDFF", "1 500 €")),
    (3, ("Jardin", "École", "2 000")),
]


@pytest.mark.parametrize(
    "contenu",
    [
        "\ufeff".encode() + TEXTE_CSV.encode(),
        TEXTE_CSV.encode("utf-16"),  # with its BOM, as Excel's « Texte Unicode »
        b"\xff\xfe" + TEXTE_CSV.encode("utf-16-le"),
        b"\xfe\xff" + TEXTE_CSV.encode("utf-16-be"),
        TEXTE_CSV.encode("utf-16-le"),  # no BOM: told by its zero bytes
        TEXTE_CSV.encode("utf-16-be"),
        TEXTE_CSV.encode("utf-32"),
        TEXTE_CSV.replace("\n", "\r\n").encode("utf-16"),
        TEXTE_CSV.encode(),
        TEXTE_CSV.encode("cp1252"),
    ],
    ids=[
        "utf-8 BOM",
        "utf-16",
        "utf-16-le BOM",
        "utf-16-be BOM",
        "utf-16-le",
        "utf-16-be",
        "utf-32",
        "utf-16 CRLF",
        "utf-8",
        "cp1252",
    ],
)
def test_it_reads_a_csv_in_each_usual_encoding(contenu):
    (feuille,) = lire(contenu, "demandes.csv")
    assert feuille.lignes == ATTENDU


def test_it_names_the_lines_of_a_utf8_file_with_a_few_invalid_bytes():
    lignes = [f"Action n°{n};Porteur élu;{n} 000 €" for n in range(1, 40)]
    lignes[2] = "Ateliers;Association Cl\xe9s;1 000 €"  # a Windows-1252 « é » pasted into UTF-8
    contenu = "\n".join(["Intitulé;Porteur;Coût"] + lignes).encode("utf-8", errors="surrogateescape")
    contenu = contenu.replace("Cl\xe9s".encode(), b"Cl\xe9s")
    assert contenu.count(b"\xe9") == 1
    with pytest.raises(ErreurImport) as erreur:
        lire(contenu, "demandes.csv")
    assert str(erreur.value) == (
        "Le fichier est enregistré en UTF-8, mais la ligne 4 contient des caractères illisibles "
        "(ligne 4 : « Ateliers;Association Cl\ufffds;1 000 € ») : corrigez cette ligne, ou enregistrez de "
        "nouveau le fichier au format « CSV UTF-8 », puis recommencez."
    )


def test_it_names_several_invalid_lines_and_refuses_the_upload(client, agent, settings, tmp_path, db):
    settings.MEDIA_ROOT = tmp_path
    lignes = ["Intitulé;Porteur"] + [f"Action {n};Élan" for n in range(1, 10)]
    contenu = "\n".join(lignes).encode()
    for numero in (3, 5, 7):
        contenu = contenu.replace(f"Action {numero - 1};".encode(), f"Action {numero - 1} \x97;".encode())
    contenu = contenu.replace("\x97".encode(), b"\x97")
    with pytest.raises(ErreurImport, match="les lignes 3, 5 et 7 contiennent des caractères illisibles"):
        lire(contenu, "demandes.csv")
    contrat = Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)
    client.force_login(agent)
    avant = empreinte()
    reponse = client.post(
        reverse("programmation:importation_deposer"),
        {"contrat": contrat.pk, "annee": 2030, "fichier": SimpleUploadedFile("demandes.csv", contenu)},
    )
    assert reponse.status_code == 400
    assert "les lignes 3, 5 et 7 contiennent des caractères illisibles" in html.unescape(
        reponse.content.decode()
    )
    assert empreinte() == avant and not list(tmp_path.iterdir())


def test_it_reads_a_windows_file_whose_rare_byte_pair_looks_like_utf8():
    # « Â » then a no-break space is C2 A0 in Windows-1252: valid UTF-8 by chance, on one line only.
    texte = "Intitulé;Porteur\nCafé;Élan\nThéâtre;Cité\nÂ\u00a0voir;Ensemble\n"
    (feuille,) = lire(texte.encode("cp1252"), "demandes.csv")
    assert feuille.lignes[3] == (4, ("Â\u00a0voir", "Ensemble"))
    assert feuille.lignes[1] == (2, ("Café", "Élan"))


def test_it_refuses_a_utf8_file_whose_bom_says_so_even_if_mostly_invalid():
    contenu = "\ufeffIntitulé;Porteur\n".encode() + "Café;Élan\nThéâtre;Cité\n".encode("cp1252")
    with pytest.raises(ErreurImport, match="les lignes 2 et 3 contiennent des caractères illisibles"):
        lire(contenu, "demandes.csv")


def test_it_still_refuses_binary_content_sent_as_csv():
    with pytest.raises(ErreurImport, match="ni un classeur Excel"):
        lire(b"\x00\x01\x02\x03binaire\x00\xff" * 50, "donnees.csv")
