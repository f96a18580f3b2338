"""Importing an instance's members from a CSV or xlsx file: preview, confirm, all or nothing (issue 15)."""

import datetime
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from contrat_ville.roles import REFERENTS
from deliberations import import_membres
from deliberations.models import Elu
from tests.factories import EluFactory, InstanceFactory, compte

EXEMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "exemples" / "membres_conseil.csv"
ENTETE = "Civilité;Prénom;Nom;Fonction;Début de mandat;Fin de mandat\n"


@pytest.fixture
def client_referent(client, referent):
    client.force_login(referent)
    return client


@pytest.fixture
def conseil(sem):
    return InstanceFactory(collectivite=sem, nom="Conseil municipal", nature="conseil_municipal")


def _deposer(client, instance, contenu, nom="membres.csv"):
    return client.post(
        reverse("deliberations:instance_importer", args=[instance.pk]),
        {"fichier": SimpleUploadedFile(nom, contenu)},
    )


def _jeton(page):
    trouve = re.search(r'name="jeton" value="([^"]+)"', page)
    return trouve.group(1) if trouve else None


def _confirmer(client, instance, jeton):
    return client.post(
        reverse("deliberations:instance_importer_confirmer", args=[instance.pk]),
        {"jeton": jeton},
        follow=True,
    )


def _xlsx(lignes):
    classeur = Workbook()
    feuille = classeur.active
    for ligne in lignes:
        feuille.append(ligne)
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


# --- the whole flow ----------------------------------------------------------------------------------


def test_it_previews_then_imports_a_csv_with_bom(client_referent, conseil, sem, referent):
    existant = EluFactory(collectivite=sem, civilite="M.", prenom="Karim", nom="Benali", fonction="")
    ancien = EluFactory(collectivite=sem, prenom="Ancien", nom="MEMBRE")
    conseil.membres.add(ancien)
    contenu = (
        ENTETE
        + "Mme;Sylvie;Marchetti;Première adjointe;04/07/2020;\n"
        + "M.;karim;BENALI;Adjoint aux finances;04/07/2020;\n"
        + "Madame;Élodie;Rousset;;;\n"
    ).encode("utf-8-sig")
    apercu = _deposer(client_referent, conseil, contenu)
    assert apercu.status_code == 200
    assert apercu.text.count(">nouvel élu</span>") == 2
    assert apercu.text.count(">élu existant mis à jour</span>") == 1
    assert not Elu.objects.filter(nom="Marchetti").exists()  # the preview writes nothing

    page = _confirmer(client_referent, conseil, _jeton(apercu.text))
    assert "Import terminé : 2 élu(s) créé(s), 1 élu(s) mis à jour, 3 membre(s) en exercice." in page.text
    sylvie = Elu.objects.get(collectivite=sem, nom="Marchetti")
    assert (sylvie.civilite, sylvie.prenom, sylvie.fonction, sylvie.debut_mandat, sylvie.fin_mandat) == (
        "Mme",
        "Sylvie",
        "Première adjointe",
        datetime.date(2020, 7, 4),
        None,
    )
    existant.refresh_from_db()
    assert (existant.prenom, existant.nom, existant.fonction) == ("Karim", "Benali", "Adjoint aux finances")
    assert Elu.objects.get(nom="Rousset").civilite == "Mme"
    assert sorted(conseil.membres.values_list("nom", flat=True)) == ["Benali", "Marchetti", "Rousset"]
    assert Elu.objects.filter(pk=ancien.pk).exists()  # no longer a member, still an élu
    actions = LogEntry.objects.filter(user=referent).values_list("action_flag", flat=True)
    assert sorted(actions) == [ADDITION, ADDITION, CHANGE, CHANGE]


def test_it_reads_a_windows_csv_with_commas(client_referent, conseil):
    contenu = "civilite,prenom,NOM,fonction\nMme,Hélène,Coste,Conseillère municipale\n".encode("cp1252")
    apercu = _deposer(client_referent, conseil, contenu)
    assert "Hélène" in apercu.text
    _confirmer(client_referent, conseil, _jeton(apercu.text))
    assert Elu.objects.get(nom="Coste").fonction == "Conseillère municipale"


def test_it_imports_an_xlsx_with_real_dates(client_referent, conseil):
    contenu = _xlsx(
        [
            ["CIVILITÉ", "Prénom", "Nom", "Fonction", "Début du mandat", "Fin du mandat"],
            ["M.", "Bernard", "Fougerolle", "Maire", datetime.datetime(2020, 7, 4), None],
            ["Mme", "Nadia", "Khelifi", "Adjointe", "04/07/2020", datetime.date(2022, 9, 12)],
        ]
    )
    apercu = _deposer(client_referent, conseil, contenu, "membres.xlsx")
    assert apercu.status_code == 200
    page = _confirmer(client_referent, conseil, _jeton(apercu.text))
    assert "Import terminé : 2 élu(s) créé(s), 0 élu(s) mis à jour, 1 membre(s) en exercice." in page.text
    assert Elu.objects.get(nom="Fougerolle").debut_mandat == datetime.date(2020, 7, 4)
    assert Elu.objects.get(nom="Khelifi").fin_mandat == datetime.date(2022, 9, 12)
    # A mandate over: the élu is recorded, but does not sit.
    assert list(conseil.membres.values_list("nom", flat=True)) == ["Fougerolle"]


def test_it_imports_the_sample_council(client_referent, conseil):
    apercu = _deposer(client_referent, conseil, EXEMPLE.read_bytes())
    assert apercu.text.count(">nouvel élu</span>") == 34
    assert apercu.text.count(">nouvel élu, mandat terminé : ne sera pas membre</span>") == 1
    page = _confirmer(client_referent, conseil, _jeton(apercu.text))
    assert "Import terminé : 35 élu(s) créé(s), 0 élu(s) mis à jour, 34 membre(s) en exercice." in page.text
    assert conseil.membres.count() == 34


# --- rows refused --------------------------------------------------------------------------------------


def test_it_lists_every_faulty_row_with_its_reason_and_offers_no_import(client_referent, conseil):
    contenu = (
        ENTETE
        + "Dr;Ana;Lopes;;;\n"
        + "Mme;;Sans-Prénom;;;\n"
        + "M.;Paul;Date;;31/02/2024;\n"
        + "M.;Paul;Iso;;2024-01-15;\n"
        + "Mme;Rose;Verger;;;\n"
        + "Mme;ROSE;VERGER;;;\n"
        + "M.;Jean;Inverse;;01/01/2026;01/01/2020\n"
        + 'M.;=HYPERLINK("http://x");Formule;;;\n'
        + "M.;Long;"
        + "X" * 5000
        + ";;;\n"
    ).encode()
    apercu = _deposer(client_referent, conseil, contenu)
    assert apercu.status_code == 200
    texte = apercu.text.replace("&#x27;", "'").replace("&quot;", '"')
    for raison in [
        "civilité « Dr » inconnue (M. ou Mme attendu)",
        "nom ou prénom manquant",
        "début du mandat « 31/02/2024 » invalide (JJ/MM/AAAA attendu)",
        "début du mandat « 2024-01-15 » invalide (JJ/MM/AAAA attendu)",
        "en double dans le fichier (déjà à la ligne 6)",
        "la fin du mandat précède son début",
        "prénom : formule ou caractère invalide refusé",
        "nom trop long (100 caractères au plus)",
    ]:
        assert raison in texte
    assert "Rien ne peut être importé : corrigez 8 lignes" in texte
    assert _jeton(apercu.text) is None
    assert not Elu.objects.filter(nom__in=["Lopes", "Verger"]).exists()


def test_it_writes_nothing_when_one_row_is_wrong(conseil, sem, referent):
    lignes = [
        (1, ["civilité", "prénom", "nom"]),
        (2, ["Mme", "Rose", "Verger"]),
        (3, ["Dr", "Ana", "Lopes"]),
    ]
    with pytest.raises(ValidationError) as erreur:
        import_membres.importer(conseil, lignes, referent)
    assert erreur.value.messages == ["Ligne 3 : civilité « Dr » inconnue (M. ou Mme attendu)."]
    assert not Elu.objects.filter(nom="Verger").exists()
    assert conseil.membres.count() == 0


def test_it_undoes_the_rows_already_written_when_a_later_one_fails(
    client_referent, conseil, referent, monkeypatch
):
    contenu = (ENTETE + "Mme;Rose;Verger;;;\nM.;Paul;Refuse;;;\n").encode()
    jeton = _jeton(_deposer(client_referent, conseil, contenu).text)
    full_clean = Elu.full_clean

    def refuser_paul(elu, *args, **kwargs):
        if elu.nom == "Refuse":
            raise ValidationError("Refusé pour le test.")
        return full_clean(elu, *args, **kwargs)

    monkeypatch.setattr(Elu, "full_clean", refuser_paul)
    page = _confirmer(client_referent, conseil, jeton)
    assert "Ligne 3 : Refusé pour le test." in page.text
    assert not Elu.objects.filter(nom__in=["Verger", "Refuse"]).exists()
    assert conseil.membres.count() == 0
    assert not LogEntry.objects.filter(user=referent).exists()


def test_it_checks_the_rows_again_at_confirmation(client_referent, conseil, sem):
    contenu = (ENTETE + "Mme;Rose;Verger;;;\n").encode()
    jeton = _jeton(_deposer(client_referent, conseil, contenu).text)
    EluFactory(collectivite=sem, civilite="M.", prenom="Rose", nom="VERGER")  # created meanwhile
    page = _confirmer(client_referent, conseil, jeton)
    assert "Import terminé : 0 élu(s) créé(s), 1 élu(s) mis à jour, 1 membre(s) en exercice." in page.text
    assert Elu.objects.get(nom="VERGER").civilite == "Mme"


# --- the payload between preview and confirmation ------------------------------------------------------


def test_it_refuses_a_tampered_payload(client_referent, conseil):
    contenu = (ENTETE + "Mme;Rose;Verger;;;\n").encode()
    jeton = _jeton(_deposer(client_referent, conseil, contenu).text)
    falsifie = jeton[:-3] + ("aaa" if not jeton.endswith("aaa") else "bbb")
    for essai in [falsifie, "", "x" * 5000, "e30:1:abc"]:
        page = _confirmer(client_referent, conseil, essai)
        assert "Les données préparées ne sont plus valables" in page.text
    assert not Elu.objects.filter(nom="Verger").exists()


def test_it_refuses_a_payload_made_for_another_instance_or_user(client, client_referent, conseil, sem):
    contenu = (ENTETE + "Mme;Rose;Verger;;;\n").encode()
    jeton = _jeton(_deposer(client_referent, conseil, contenu).text)
    autre = InstanceFactory(collectivite=sem, nom="Bureau municipal")
    page = _confirmer(client_referent, autre, jeton)
    assert "Les données préparées ne sont plus valables" in page.text
    collegue = compte("referent-2", sem, REFERENTS)
    client.force_login(collegue)
    assert "Les données préparées ne sont plus valables" in _confirmer(client, conseil, jeton).text
    assert not Elu.objects.filter(nom="Verger").exists()


# --- hostile files -------------------------------------------------------------------------------------


def _bombe():
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    return tampon.getvalue()


@pytest.mark.parametrize(
    "contenu, nom, message",
    [
        (b"", "vide.csv", "est vide"),
        (b"x" * (2 * 1024 * 1024 + 1), "gros.csv", "Le fichier dépasse 2 Mo."),
        ((ENTETE + "Mme;A;B;;;\n" * 1001).encode(), "long.csv", "Le fichier dépasse 1000 lignes de membres."),
        (b"\x81\x8d\x8f\x90\x9d" * 100, "binaire.csv", "aucun membre à importer"),
        (
            ENTETE.encode() + b"Mme;A\x00;B;;;\n",
            "nul.csv",
            "n&#x27;est ni un classeur Excel (.xlsx) ni un fichier CSV",
        ),
        (b"PK\x03\x04" + bytes(range(256)) * 10, "faux.xlsx", "n&#x27;est pas un classeur Excel lisible"),
        (_bombe(), "bombe.xlsx", "un classeur ordinaire ne l&#x27;est jamais autant"),
        (b"%PDF-1.4 blabla", "membres.pdf", "ni un classeur Excel (.xlsx) ni un fichier texte (.csv)"),
        (b"nom;prenom\nB;A\n", "colonnes.csv", "Colonnes introuvables : civilité."),
        (ENTETE.encode(), "titres.csv", "aucun membre à importer"),
        # csv's field limit is process-wide and frictionless (the open-data tests) raises it: the reader
        # then counts the whole cell (« La cellule A1 contient … ») instead of stopping at the limit.
        (
            b'"a;b\n' + b"x" * 200_000,
            "guillemets.csv",
            re.compile("a une cellule de plus de 10|en compte au plus 10"),
        ),
    ],
    ids=lambda valeur: valeur if isinstance(valeur, str) and len(valeur) < 30 else None,
)
def test_it_refuses_a_hostile_file_with_a_message(client_referent, conseil, contenu, nom, message):
    reponse = _deposer(client_referent, conseil, contenu, nom)
    assert reponse.status_code == 400
    assert message.search(reponse.text) if isinstance(message, re.Pattern) else message in reponse.text
    assert conseil.membres.count() == 0


def test_it_refuses_a_formula_in_an_xlsx_cell(client_referent, conseil):
    contenu = _xlsx([["civilité", "prénom", "nom"], ["Mme", "Rose", "=1+1"]])
    apercu = _deposer(client_referent, conseil, contenu, "membres.xlsx")
    assert apercu.status_code == 200
    assert "nom : formule ou caractère invalide refusé" in apercu.text
    assert _jeton(apercu.text) is None


def test_it_keeps_an_elus_dates_when_the_file_has_no_such_column(conseil, sem, referent):
    elu = EluFactory(
        collectivite=sem, civilite="M.", prenom="Paul", nom="GARDE", debut_mandat=datetime.date(2020, 7, 4)
    )
    import_membres.importer(
        conseil, [(1, ["civilité", "prénom", "nom"]), (2, ["M.", "Paul", "Garde"])], referent
    )
    elu.refresh_from_db()
    assert elu.debut_mandat == datetime.date(2020, 7, 4)


# --- who may import ----------------------------------------------------------------------------------


def test_it_refuses_an_agent(client, agent, conseil):
    client.force_login(agent)
    contenu = (ENTETE + "Mme;Rose;Verger;;;\n").encode()
    assert _deposer(client, conseil, contenu).status_code == 403
    assert (
        client.post(reverse("deliberations:instance_importer_confirmer", args=[conseil.pk])).status_code
        == 403
    )


def test_it_answers_404_for_another_authoritys_instance(client_referent, sedr):
    instance = InstanceFactory(collectivite=sedr)
    contenu = (ENTETE + "Mme;Rose;Verger;;;\n").encode()
    assert _deposer(client_referent, instance, contenu).status_code == 404
    adresse = reverse("deliberations:instance_importer_confirmer", args=[instance.pk])
    assert client_referent.post(adresse, {"jeton": "x"}).status_code == 404
    assert not Elu.objects.filter(nom="Verger").exists()


def test_it_imports_by_post_only(client_referent, conseil):
    assert (
        client_referent.get(reverse("deliberations:instance_importer", args=[conseil.pk])).status_code == 405
    )


def test_it_stops_reading_a_sheet_that_claims_a_million_rows(client_referent, conseil):
    classeur = Workbook()
    feuille = classeur.active
    feuille.append(["civilité", "prénom", "nom"])
    feuille.cell(row=1_000_000, column=16_000, value="loin")
    tampon = io.BytesIO()
    classeur.save(tampon)
    reponse = _deposer(client_referent, conseil, tampon.getvalue(), "membres.xlsx")
    assert reponse.status_code == 400
    assert "lignes (A1:WQJ1000000) : le fichier dépasse 100" in reponse.text


def test_it_imports_a_thousand_members_at_once(conseil, sem, referent):
    lignes = [(1, ["civilité", "prénom", "nom", "fonction"])]
    lignes += [(n, ["Mme", "Camille", f"Membre {n}", "Conseillère"]) for n in range(2, 1002)]
    bilan = import_membres.importer(conseil, lignes, referent)
    assert (bilan.crees, bilan.mis_a_jour, bilan.membres) == (1000, 0, 1000)
    assert conseil.membres.count() == 1000
