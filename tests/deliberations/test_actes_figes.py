"""Voted acts are kept as voted: rendered once at the vote, served from the kept file, never changed.

Also the documents of the historic acts loaded from the seeds (no PROJET, stated totals with the sum of
the lines in a note) and the annex's first page (no blank portrait page before it).
"""

import copy
import datetime
import hashlib
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from pypdf import PdfReader

from contrat_ville import pdf
from contrat_ville.documents import produire
from contrat_ville.models import DocumentGenere, User
from contrat_ville.roles import AGENTS, synchroniser_roles
from deliberations.documents import extrait_pdf
from deliberations.models import ActeFige, Deliberation
from programmation.documents import annexe_pdf, cle_annexe
from programmation.models import Convention, Tranche
from programmation.tableur import annexe_xlsx

from ..factories import ActionFactory, seance_avec_membres

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def lire_pdf(contenu):
    """Each page's text on one line (spaces of every kind folded), and whether it is landscape."""
    lecteur = PdfReader(io.BytesIO(contenu))
    return [
        (re.sub(r"[\s\u202f\u00a0]+", " ", page.extract_text()), page.mediabox.width > page.mediabox.height)
        for page in lecteur.pages
    ]


def texte(contenu):
    return " ".join(t for t, _ in lire_pdf(contenu))


def sha256(contenu):
    return hashlib.sha256(contenu).hexdigest()


def telecharger(client, url, **entetes):
    reponse = client.get(url, headers=entetes)
    assert reponse.status_code == 200, reponse.status_code
    return b"".join(reponse.streaming_content) if reponse.streaming else reponse.content


# --- the annex's first page


def test_it_starts_the_seed_annex_with_its_title_on_a_landscape_page():
    tranche = Tranche.objects.get(annee=2019, numero=1, contrat__nature="contrat_de_ville")
    pages = lire_pdf(annexe_pdf(tranche))
    premiere, paysage = pages[0]
    assert premiere.startswith("PROGRAMMATION 2019 DU CONTRAT DE VILLE - PREMIÈRE TRANCHE")
    assert "ANNEXE 1" in premiere
    assert paysage
    assert len(pages) == 5  # was 6: a blank portrait page came first
    assert all(paysage for _, paysage in pages)


def test_it_starts_a_one_action_annex_with_its_content():
    action = ActionFactory(statut="proposee", intitule="Atelier d'écriture")
    pages = lire_pdf(annexe_pdf(action.tranche))
    assert len(pages) == 1
    assert "Atelier d'écriture" in pages[0][0]


# --- a vote keeps its documents


@pytest.fixture
def adoptee():
    return adopter()


def adopter(avant_le_vote=lambda action: None):
    """A délibération adopting a one-action tranche of a new authority, voted unanimously."""
    seance, elus = seance_avec_membres(membres=10, presents=6)
    seance.enregistrer_presences({e.pk: ("present", None) for e in elus[:6]})
    action = ActionFactory(
        tranche__contrat__collectivite=seance.instance.collectivite,
        statut="proposee",
        intitule="Jardin partagé",
        porteur__nom="Les Amis du Jardin",
        axe__intitule="Cadre de vie",
        cout=Decimal("12000"),
        contribution=Decimal("3000"),
    )
    Tranche.objects.filter(pk=action.tranche_id).update(statut="soumise")
    avant_le_vote(action)
    deliberation = Deliberation.objects.inscrire(
        seance, "Programmation du jardin", tranche=Tranche.objects.get(pk=action.tranche_id)
    )
    deliberation.voter("unanimite")
    return deliberation, action


def compte(collectivite):
    synchroniser_roles()
    user = User.objects.create_user(f"agent-{collectivite.pk}", password="x", collectivite=collectivite)
    user.groups.add(Group.objects.get(name=AGENTS))
    return user


def adresses(deliberation, action):
    return {
        "extrait-pdf": reverse("deliberations:extrait_pdf", args=[deliberation.pk]),
        "annexe-pdf": reverse("programmation:tranche_annexe_pdf", args=[action.tranche_id]),
        "annexe-xlsx": reverse("programmation:tranche_annexe_xlsx", args=[action.tranche_id]),
    }


def test_it_keeps_the_extract_and_the_annex_at_the_vote(adoptee):
    deliberation, _ = adoptee
    actes = {a.nature: a for a in deliberation.actes_figes.all()}
    assert set(actes) == {"extrait-pdf", "annexe-pdf", "annexe-xlsx"}
    for acte in actes.values():
        contenu = acte.contenu()
        assert acte.version == 1
        assert acte.sha256 == sha256(contenu) and acte.taille == len(contenu)
        assert len(acte.version_donnees) == 64
    extrait = texte(actes["extrait-pdf"].contenu())
    assert "Jardin partagé / Les Amis du Jardin" in extrait
    assert "Ce dossier a été adopté à l'unanimité." in extrait
    assert "PROJET" not in extrait
    annexe = texte(actes["annexe-pdf"].contenu())
    assert "12 000 € 3 000 €" in annexe and "PROJET" not in annexe


def test_it_serves_the_voted_bytes_whatever_is_edited_afterwards(adoptee, client):
    deliberation, action = adoptee
    client.force_login(compte(deliberation.collectivite))
    urls = adresses(deliberation, action)
    avant = {nature: sha256(telecharger(client, url)) for nature, url in urls.items()}
    assert avant == {a.nature: a.sha256 for a in deliberation.actes_figes.all()}

    action.porteur.nom = "Jardiniers Réunis"
    action.porteur.save()
    action.axe.intitule = "Habitat et cadre de vie"
    action.axe.save()
    instance = deliberation.seance.instance  # a référentiel printed in the extract
    instance.nom = "Conseil communautaire"
    instance.save()
    collectivite = deliberation.collectivite  # the authority's settings printed in acts
    collectivite.sigle = "AGGLO"
    collectivite.designation = "l'Agglo des Jardins"
    collectivite.save()

    # The edits do reach a live render: the kept documents are the only thing standing.
    vivant = texte(extrait_pdf(Deliberation.objects.get(pk=deliberation.pk)))
    assert "Jardiniers Réunis" in vivant and "CONSEIL COMMUNAUTAIRE" in vivant
    assert "Le Conseil communautaire de l'Agglo des Jardins" in vivant
    apres = {nature: sha256(telecharger(client, url)) for nature, url in urls.items()}
    assert apres == avant
    assert "Les Amis du Jardin" in texte(telecharger(client, urls["annexe-pdf"]))


def test_it_keeps_the_convention_the_vote_approves_then_its_signed_copy(client):
    deliberation, action = adopter(avant_le_vote=Convention.objects.creer_pour)
    convention = action.convention
    approuvee = deliberation.actes_figes.get(nature="convention-pdf")
    assert (approuvee.convention, approuvee.version) == (convention, 1)
    client.force_login(compte(deliberation.collectivite))
    url = reverse("programmation:convention_pdf", args=[convention.pk])
    brouillon = telecharger(client, url)
    assert sha256(brouillon) == approuvee.sha256
    assert "PROJET" in texte(brouillon) and "Les Amis du Jardin" in texte(brouillon)
    action.porteur.nom = "Jardiniers Réunis"
    action.porteur.save()
    assert telecharger(client, url) == brouillon

    convention.signer(datetime.date(action.annee, 4, 2), None, aujourd_hui=datetime.date(action.annee, 6, 1))
    signee = telecharger(client, url)
    lu = texte(signee)
    assert "PROJET" not in lu and f"le 2 avril {action.annee}" in lu and "Jardiniers Réunis" in lu
    copie = deliberation.actes_figes.get(nature="convention-pdf", version=2)
    assert copie.sha256 == sha256(signee) and copie.convention == convention
    assert deliberation.actes_figes.get(nature="convention-pdf", version=1).sha256 == sha256(brouillon)
    action.porteur.nom = "Jardiniers du Quartier"
    action.porteur.save()
    assert telecharger(client, url) == signee
    assert deliberation.actes_figes.filter(nature="convention-pdf").count() == 2
    page = client.get(reverse("deliberations:deliberation", args=[deliberation.pk])).content.decode()
    assert f"Convention approuvée (PDF) (convention-{convention.annee_debut}-{convention.pk}.pdf)" in page
    assert "version approuvée le 20 mars 2025" in page and "copie signée, conservée le" in page
    assert copie.sha256 in page


def test_it_serves_a_convention_made_after_the_vote_from_the_data(adoptee, client):
    deliberation, action = adoptee
    convention = Convention.objects.creer_pour(action)
    client.force_login(compte(deliberation.collectivite))
    assert "Les Amis du Jardin" in texte(
        telecharger(client, reverse("programmation:convention_pdf", args=[convention.pk]))
    )
    assert not deliberation.actes_figes.filter(nature="convention-pdf").exists()


def test_it_revalidates_a_voted_document_by_its_hash(adoptee, client):
    deliberation, action = adoptee
    client.force_login(compte(deliberation.collectivite))
    url = adresses(deliberation, action)["extrait-pdf"]
    reponse = client.get(url)
    acte = deliberation.actes_figes.get(nature="extrait-pdf")
    assert reponse["ETag"] == f'"{acte.sha256}"'
    assert reponse["Last-Modified"]
    assert reponse["Content-Disposition"] == f'attachment; filename="{deliberation.numero}-extrait.pdf"'
    assert client.get(url, headers={"If-None-Match": f'"{acte.sha256}"'}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"autre"'}).status_code == 200


def test_it_shows_the_kept_versions_and_their_hash(adoptee, client):
    deliberation, _ = adoptee
    client.force_login(compte(deliberation.collectivite))
    page = client.get(reverse("deliberations:deliberation", args=[deliberation.pk])).content.decode()
    assert "Documents votés" in page
    assert "version votée le 20 mars 2025" in page
    for acte in deliberation.actes_figes.all():
        assert acte.sha256 in page
        assert reverse("deliberations:acte_fige", args=[acte.pk]) in page


def test_it_adds_a_stamped_extract_and_keeps_the_first(adoptee, client):
    deliberation, action = adoptee
    client.force_login(compte(deliberation.collectivite))
    premier = deliberation.actes_figes.get(nature="extrait-pdf")
    action.porteur.nom = "Jardiniers Réunis"  # an edit after the vote must not enter the stamped copy
    action.porteur.save()
    reponse = client.post(
        reverse("deliberations:prefecture", args=[deliberation.pk]),
        {
            "identifiant_actes": "",
            "voie_transmission": "VIA DOTELEC - iXBus",
            "date_reception_prefecture": "2025-03-28",
            "mode_publication": "mise_en_ligne",
            "date_publication": "2025-03-28",
        },
    )
    assert reponse.status_code == 302
    extraits = list(deliberation.actes_figes.filter(nature="extrait-pdf").order_by("version"))
    assert [e.version for e in extraits] == [1, 2]
    assert extraits[0].sha256 == premier.sha256 == sha256(extraits[0].contenu())
    tamponne = telecharger(client, reverse("deliberations:extrait_pdf", args=[deliberation.pk]))
    assert sha256(tamponne) == extraits[1].sha256
    lu = texte(tamponne)
    assert "RECU EN PREFECTURE" in lu and "Le 28 mars 2025" in lu and "VIA DOTELEC - iXBus" in lu
    assert "Les Amis du Jardin" in lu and "Jardiniers Réunis" not in lu
    assert "RECU EN PREFECTURE" not in texte(
        telecharger(client, reverse("deliberations:acte_fige", args=[premier.pk]))
    )
    # Saving the same stamp again makes no third version.
    Deliberation.objects.get(pk=deliberation.pk).save()
    assert deliberation.actes_figes.filter(nature="extrait-pdf").count() == 2


def test_it_refuses_another_authoritys_kept_document(adoptee, client, agent):
    deliberation, action = adoptee
    acte = deliberation.actes_figes.first()
    client.force_login(agent)
    assert client.get(reverse("deliberations:acte_fige", args=[acte.pk])).status_code == 404
    for url in adresses(deliberation, action).values():
        assert client.get(url).status_code == 404


def test_it_never_changes_nor_deletes_a_kept_document(adoptee):
    deliberation, _ = adoptee
    acte = deliberation.actes_figes.get(nature="extrait-pdf")
    acte.sha256 = "0" * 64
    with pytest.raises(ValidationError, match="ni modifié ni supprimé"):
        acte.save()
    with pytest.raises(ValidationError, match="ni modifié ni supprimé"):
        acte.delete()
    with pytest.raises(ValidationError, match="ni modifié ni supprimé"):
        ActeFige.objects.filter(pk=acte.pk).update(sha256="0" * 64)
    with pytest.raises(ValidationError, match="ni modifié ni supprimé"):
        ActeFige.objects.filter(pk=acte.pk).delete()
    with pytest.raises(ValidationError, match="ni modifié ni supprimé"):
        deliberation.actes_figes.all().delete()
    assert ActeFige.objects.get(pk=acte.pk).sha256 != "0" * 64
    assert deliberation.actes_figes.count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database's own rule (pgtrigger)")
def test_it_refuses_raw_sql_on_a_kept_document(adoptee):
    deliberation, _ = adoptee
    acte = deliberation.actes_figes.first()
    for sql in (
        "UPDATE deliberations_actefige SET sha256 = 'x' WHERE id = %s",
        "DELETE FROM deliberations_actefige WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="ni modifié ni supprimé"),
            transaction.atomic(),
            connection.cursor() as curseur,
        ):
            curseur.execute(sql, [acte.pk])
    assert ActeFige.objects.filter(pk=acte.pk, sha256=acte.sha256).exists()


def test_it_keeps_nothing_for_a_rejected_deliberation():
    seance, elus = seance_avec_membres(membres=10, presents=6)
    seance.enregistrer_presences({e.pk: ("present", None) for e in elus[:6]})
    deliberation = Deliberation.objects.inscrire(seance, "Subvention")
    deliberation.voter("rejet", 1, 4, 1)
    assert not deliberation.actes_figes.exists()


def test_it_keeps_a_large_acts_html_and_its_first_layout_by_the_worker(settings, client, mises_en_page):
    settings.DOCUMENTS_SEUIL_ARRIERE_PLAN = 0  # every document is "large": laid out by the worker
    deliberation, action = adopter()
    assert sorted(deliberation.actes_figes.values_list("nature", flat=True)) == [
        "annexe-html",
        "annexe-xlsx",
        "extrait-html",
    ]
    assert mises_en_page == []  # nothing laid out during the vote
    client.force_login(compte(deliberation.collectivite))
    url = reverse("programmation:tranche_annexe_pdf", args=[action.tranche_id])
    assert client.get(url).status_code == 302  # queued for the worker
    document = DocumentGenere.objects.get(objet_id=action.tranche_id, nature="annexe-pdf")
    action.porteur.nom = "Jardiniers Réunis"  # edited before the worker gets to it
    action.porteur.save()

    produire(document.pk, lambda *_: pytest.fail("the live data must not be read"))

    kept = deliberation.actes_figes.get(nature="annexe-pdf")
    assert (
        kept.version == 1
        and kept.nom_fichier == f"{action.tranche.annee}-T{action.tranche.numero}-annexe.pdf"
    )
    served = telecharger(client, url)  # from now on, the kept file, at once
    assert sha256(served) == kept.sha256
    assert "Les Amis du Jardin" in texte(served) and "Jardiniers Réunis" not in texte(served)
    assert len(mises_en_page) == 1


def test_it_lays_out_a_kept_html_once_when_served_at_once(settings, client, mises_en_page):
    settings.DOCUMENTS_SEUIL_ARRIERE_PLAN = 0
    deliberation, _ = adopter()
    settings.DOCUMENTS_SEUIL_ARRIERE_PLAN = 150
    client.force_login(compte(deliberation.collectivite))
    url = reverse("deliberations:extrait_pdf", args=[deliberation.pk])
    premier = telecharger(client, url)
    assert telecharger(client, url) == premier
    assert deliberation.actes_figes.get(nature="extrait-pdf").sha256 == sha256(premier)
    client.post(
        reverse("deliberations:prefecture", args=[deliberation.pk]),
        {"voie_transmission": "VIA DOTELEC - iXBus", "date_reception_prefecture": "2025-03-28"},
    )
    assert list(deliberation.actes_figes.filter(nature="extrait-html").values_list("version", flat=True)) == [
        1,
        2,
    ]
    tamponne = telecharger(client, url)
    assert "RECU EN PREFECTURE" in texte(tamponne) and "RECU EN PREFECTURE" not in texte(premier)
    assert deliberation.actes_figes.get(nature="extrait-pdf", version=2).sha256 == sha256(tamponne)


# --- the historic acts of the seeds (values typed from the 2019.00081 act)


@pytest.fixture(scope="module")
def documents_2019(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        deliberation = Deliberation.objects.get(numero="2019.00081")
        return texte(extrait_pdf(deliberation)), texte(annexe_pdf(deliberation.tranche))


def test_it_prints_the_2019_act_as_voted_with_the_lines_sum_in_a_note(documents_2019):
    for lu in documents_2019:
        assert "PROJET" not in lu
        assert "TOTAL PILIER 3 734 229 € somme des lignes : 772 169 € 235 200 €" in lu
        # Totals the act states right are printed once, with no note.
        assert "TOTAL PILIER 1 532 626 € 65 500 €" in lu
        assert "somme des lignes" in lu and lu.count("somme des lignes") == 1


def test_it_states_the_2019_total_in_the_spreadsheet_with_the_lines_sum_below():
    tranche = Tranche.objects.get(annee=2019, numero=1, contrat__nature="contrat_de_ville")
    classeur = openpyxl.load_workbook(io.BytesIO(annexe_xlsx(tranche)))
    feuille = next(f for f in classeur.worksheets if any(c.value == "TOTAL PILIER 3" for c in f["A"]))
    total = next(c.row for c in feuille["A"] if c.value == "TOTAL PILIER 3")
    assert feuille[f"F{total}"].value == 734229
    assert feuille[f"G{total}"].value == "=SUM(G2:G" + str(total - 1) + ")"  # 235 200 €, stated right
    assert feuille[f"A{total + 1}"].value.startswith("Somme des lignes")
    assert feuille[f"F{total + 1}"].value == f"=SUM(F2:F{total - 1})"
    assert sum(feuille[f"F{n}"].value or 0 for n in range(2, total)) == 772169


# --- documents not voted: kept under the hash of their HTML, revalidated by ETag


@pytest.fixture
def mises_en_page(monkeypatch):
    """Counts the WeasyPrint layouts (what a kept document spares)."""
    appels = []
    mettre_en_page = pdf._mettre_en_page

    def compter(html, avancer):
        appels.append(html)
        return mettre_en_page(html, avancer)

    monkeypatch.setattr(pdf, "_mettre_en_page", compter)
    return appels


def test_it_lays_out_an_unchanged_draft_once(mises_en_page, settings):
    action = ActionFactory(statut="proposee")
    premier = annexe_pdf(action.tranche)
    assert annexe_pdf(Tranche.objects.get(pk=action.tranche_id)) == premier
    assert len(mises_en_page) == 1
    assert len(list((settings.MEDIA_ROOT / "cache-pdf").glob("*.pdf"))) == 1


@pytest.mark.parametrize(
    "changer",
    [
        lambda a: setattr(a, "contribution", Decimal("2600")) or a.save(),
        lambda a: setattr(a.porteur, "nom", "Nouveau nom") or a.porteur.save(),
        lambda a: setattr(a.axe, "intitule", "Nouvel intitulé") or a.axe.save(),
    ],
    ids=["montant", "porteur", "axe"],
)
def test_it_lays_out_again_after_a_change_to_the_data(mises_en_page, changer):
    action = ActionFactory(statut="proposee")
    avant = texte(annexe_pdf(action.tranche))
    changer(action)
    apres = texte(annexe_pdf(Tranche.objects.get(pk=action.tranche_id)))
    assert len(mises_en_page) == 2
    assert apres != avant


def test_it_lays_out_again_after_a_change_to_a_template(mises_en_page, settings, tmp_path):
    action = ActionFactory(statut="proposee")
    annexe_pdf(action.tranche)
    gabarits = tmp_path / "gabarits"
    (gabarits / "documents").mkdir(parents=True)
    base = (settings.BASE_DIR / "templates" / "documents" / "base.html").read_text()
    (gabarits / "documents" / "base.html").write_text(base.replace("font-size: 9.5pt", "font-size: 10pt"))
    moteurs = copy.deepcopy(settings.TEMPLATES)
    moteurs[0]["DIRS"] = [gabarits, *moteurs[0]["DIRS"]]
    settings.TEMPLATES = moteurs
    annexe_pdf(action.tranche)
    assert len(mises_en_page) == 2


def test_it_answers_304_to_a_browser_that_has_the_draft(mises_en_page, client, agent):
    tranche = Tranche.objects.get(annee=2024, numero=1, contrat__nature="contrat_de_ville")
    client.force_login(agent)
    url = reverse("programmation:tranche_annexe_pdf", args=[tranche.pk])
    reponse = client.get(url)
    etag = reponse["ETag"]
    # The key of the document's data (see tests/contrat_ville/test_cache_documents.py), not of its bytes.
    assert etag == f'"{cle_annexe(tranche.pk, "pdf")}"'
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url).content == reponse.content
    assert len(mises_en_page) == 1


def test_it_keeps_the_historic_acts_loaded_from_the_seeds(client, agent):
    sortie = io.StringIO()
    call_command("figer_actes", stdout=sortie)
    assert sortie.getvalue().splitlines() == [
        "Documents votés conservés : délibération 2019.00081.",
        "Documents votés conservés : délibération 2024.00230.",
        "Documents votés conservés : délibération 2024.00417.",
        "3 acte(s) adopté(s) conservé(s).",
    ]
    deliberation = Deliberation.objects.get(numero="2019.00081")
    assert {a.nature for a in deliberation.actes_figes.all()} == {"extrait-pdf", "annexe-pdf", "annexe-xlsx"}
    client.force_login(agent)
    urls = adresses(deliberation, deliberation.tranche.actions.first())
    avant = {nature: sha256(telecharger(client, url)) for nature, url in urls.items()}
    assert avant == {a.nature: a.sha256 for a in deliberation.actes_figes.all()}
    for nature in ("extrait-pdf", "annexe-pdf"):
        lu = texte(telecharger(client, urls[nature]))
        assert "PROJET" not in lu
        assert "TOTAL PILIER 3 734 229 € somme des lignes : 772 169 € 235 200 €" in lu

    action = deliberation.tranche.actions.select_related("porteur", "axe").filter(axe__isnull=False).first()
    action.porteur.nom = "Association renommée après le vote"
    action.porteur.save()
    action.axe.intitule = "Axe renommé après le vote"
    action.axe.save()
    collectivite = deliberation.collectivite
    collectivite.designation = "la Métropole renommée"
    collectivite.save()
    assert {nature: sha256(telecharger(client, url)) for nature, url in urls.items()} == avant

    sortie = io.StringIO()
    call_command("figer_actes", stdout=sortie)  # nothing twice
    assert sortie.getvalue() == "0 acte(s) adopté(s) conservé(s).\n"
