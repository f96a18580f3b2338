"""The documents' cache: a key read from the data, a repeat download renders nothing, one render a key."""

import copy
import io
import os
import threading
import time
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from contrat_ville import pdf
from contrat_ville.models import DocumentGenere, User
from contrat_ville.roles import AGENTS, synchroniser_roles
from deliberations import documents as documents_deliberations
from deliberations.models import Deliberation
from programmation import documents
from programmation.models import RapportAnnuel, Tranche
from programmation.tableur import annexe_xlsx
from programmation.taches import produire_annexe_pdf
from programmation.views import evaluation

from ..factories import ActionFactory, seance_avec_membres

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def rendus(monkeypatch):
    """The annex's HTML renders (a spy: the real HTML is rendered and returned)."""
    appels = []
    rendre_html = documents.rendre_html

    def compter(gabarit, contexte):
        appels.append(gabarit)
        return rendre_html(gabarit, contexte)

    monkeypatch.setattr(documents, "rendre_html", compter)
    return appels


@pytest.fixture
def action(agent):
    action = ActionFactory(statut="proposee", intitule="Atelier d'écriture", contribution=Decimal("2500"))
    agent.collectivite = action.contrat.collectivite
    agent.save()
    return action


def texte(contenu):
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(contenu)).pages).replace(
        "\u202f", " "
    )


def adresse(action, extension="pdf"):
    return reverse(f"programmation:tranche_annexe_{extension}", args=[action.tranche_id])


def test_it_serves_an_unchanged_annex_again_without_rendering_it(client, agent, action, rendus):
    client.force_login(agent)
    premiere = client.get(adresse(action))
    seconde = client.get(adresse(action))
    assert premiere.status_code == seconde.status_code == 200
    assert seconde.content == premiere.content
    assert "Atelier d'écriture" in texte(seconde.content)
    assert rendus == ["programmation/documents/annexe.html"]
    assert seconde["ETag"] == premiere["ETag"] and len(seconde["ETag"]) == 66  # '"' + SHA-256 + '"'
    assert seconde["Last-Modified"] == premiere["Last-Modified"]


def test_it_answers_304_to_either_revalidation(client, agent, action, rendus):
    client.force_login(agent)
    premiere = client.get(adresse(action))
    par_etag = client.get(adresse(action), headers={"If-None-Match": premiere["ETag"]})
    par_date = client.get(adresse(action), headers={"If-Modified-Since": premiere["Last-Modified"]})
    autre_etag = client.get(adresse(action), headers={"If-None-Match": '"autre"'})
    assert (par_etag.status_code, par_date.status_code, autre_etag.status_code) == (304, 304, 200)
    assert par_etag.content == par_date.content == b""
    assert len(rendus) == 1


def changer_le_gabarit(settings, tmp_path):
    gabarits = tmp_path / "gabarits"
    (gabarits / "programmation" / "documents").mkdir(parents=True)
    annexe = (settings.BASE_DIR / "templates" / "programmation" / "documents" / "annexe.html").read_text()
    (gabarits / "programmation" / "documents" / "annexe.html").write_text(
        annexe.replace("{% block corps %}", "{% block corps %}<p>Gabarit de 2027</p>", 1)
    )
    moteurs = copy.deepcopy(settings.TEMPLATES)
    moteurs[0]["DIRS"] = [gabarits, *moteurs[0]["DIRS"]]
    settings.TEMPLATES = moteurs


@pytest.mark.parametrize(
    ("changer", "attendu"),
    [
        (lambda a, s, t: setattr(a, "contribution", Decimal("2600")) or a.save(), "2 600 €"),
        (
            lambda a, s, t: setattr(a.porteur, "nom", "Les Jardins Nouveaux") or a.porteur.save(),
            "Les Jardins Nouveaux",
        ),
        (
            lambda a, s, t: setattr(a.axe, "intitule", "Cadre de vie renouvelé") or a.axe.save(),
            "Cadre de vie renouvelé",
        ),
        (lambda a, s, t: changer_le_gabarit(s, t), "Gabarit de 2027"),
    ],
    ids=["montant", "porteur", "axe", "gabarit"],
)
def test_it_renders_again_after_each_kind_of_change(
    client, agent, action, rendus, changer, attendu, settings, tmp_path
):
    client.force_login(agent)
    avant = client.get(adresse(action))
    assert attendu not in texte(avant.content)
    cle = documents.cle_annexe(action.tranche_id, "pdf")
    changer(action, settings, tmp_path)
    assert documents.cle_annexe(action.tranche_id, "pdf") != cle
    apres = client.get(adresse(action))
    assert attendu in texte(apres.content)
    assert apres["ETag"] != avant["ETag"]
    assert len(rendus) == 2


@pytest.fixture
def empreinte_code_neuve():
    pdf.empreinte_code.cache_clear()
    yield
    pdf.empreinte_code.cache_clear()


def test_it_keys_the_python_that_builds_documents_too(settings, tmp_path, monkeypatch, empreinte_code_neuve):
    appli = tmp_path / "appli"
    appli.mkdir()
    (appli / "annexe.py").write_text("TOTAL = 'Total'\n")
    settings.BASE_DIR = tmp_path
    monkeypatch.setattr(
        pdf.apps, "get_app_configs", lambda: [SimpleNamespace(label="appli", path=str(appli))]
    )
    avant = pdf.cle_document("annexe-pdf", "mêmes lignes")
    (appli / "annexe.py").write_text("TOTAL = 'Total général'\n")
    assert pdf.cle_document("annexe-pdf", "mêmes lignes") == avant  # read once a process
    pdf.empreinte_code.cache_clear()  # a deployment starts new processes
    assert pdf.cle_document("annexe-pdf", "mêmes lignes") != avant


def test_it_keeps_the_key_of_unchanged_data(action):
    cle = documents.cle_annexe(action.tranche_id, "pdf")
    action.save()
    assert documents.cle_annexe(action.tranche_id, "pdf") == cle
    assert documents.cle_annexe(action.tranche_id, "xlsx") != cle


def test_it_reads_the_key_in_a_few_queries_whatever_the_size(action, django_assert_num_queries):
    with django_assert_num_queries(4):
        documents.cle_annexe(action.tranche_id, "pdf")
    for _ in range(5):
        ActionFactory(tranche=action.tranche, contrat=action.contrat, statut="proposee")
    with django_assert_num_queries(4):
        documents.cle_annexe(action.tranche_id, "pdf")


def test_it_caches_the_spreadsheet_too(client, agent, action, monkeypatch):
    appels = []
    monkeypatch.setattr(
        "programmation.views.tranches.annexe_xlsx", lambda t: appels.append(t.pk) or annexe_xlsx(t)
    )
    client.force_login(agent)
    premiere = client.get(adresse(action, "xlsx"))
    seconde = client.get(adresse(action, "xlsx"))
    assert premiere.content == seconde.content
    assert load_workbook(io.BytesIO(seconde.content)).active["C2"].value is not None
    assert appels == [action.tranche_id]


def test_it_serves_a_large_annex_already_made_without_a_new_task(client, agent, action, rendus, settings):
    settings.DOCUMENTS_SEUIL_ARRIERE_PLAN = 0
    client.force_login(agent)
    assert client.get(adresse(action)).status_code == 302
    # What the worker runs for the queued task, here in the test's transaction.
    produire_annexe_pdf.call(DocumentGenere.objects.get().pk)
    reponse = client.get(adresse(action))
    assert reponse.status_code == 200
    assert "Atelier d'écriture" in texte(reponse.content)
    assert client.get(adresse(action), headers={"If-None-Match": reponse["ETag"]}).status_code == 304
    assert DocumentGenere.objects.count() == 1
    assert len(rendus) == 1
    # A change: the key misses, the worker is asked again.
    action.porteur.nom = "Les Jardins Nouveaux"
    action.porteur.save()
    assert client.get(adresse(action)).status_code == 302
    assert DocumentGenere.objects.count() == 2


def test_it_gives_404_for_another_authoritys_annex(client, agent, action):
    client.force_login(agent)
    autre = ActionFactory(statut="proposee")
    assert client.get(adresse(autre)).status_code == 404
    assert not (pdf.chemin_en_cache("x", "pdf").parent).exists()


def test_it_caches_the_annual_report(client, agent, action, monkeypatch):
    rapport = RapportAnnuel.objects.create(
        collectivite=action.contrat.collectivite,
        contrat=action.contrat,
        annee=action.annee,
        intitule="Rapport",
    )
    appels = []
    rapport_xlsx = evaluation.rapport_xlsx
    monkeypatch.setattr(evaluation, "rapport_xlsx", lambda r: appels.append(r.pk) or rapport_xlsx(r))
    client.force_login(agent)
    url = reverse("programmation:rapport_xlsx", args=[rapport.pk])
    premiere, seconde = client.get(url), client.get(url)
    assert premiere.status_code == seconde.status_code == 200
    assert premiere.content == seconde.content and appels == [rapport.pk]
    rapport.intitule = "Rapport révisé"
    rapport.save()
    client.get(url)
    assert appels == [rapport.pk, rapport.pk]


def test_it_caches_a_draft_extract_until_its_act_or_its_annex_changes(client, monkeypatch):
    seance, elus = seance_avec_membres(membres=10, presents=6)
    seance.enregistrer_presences({e.pk: ("present", None) for e in elus[:6]})
    action = ActionFactory(tranche__contrat__collectivite=seance.instance.collectivite, statut="proposee")
    Tranche.objects.filter(pk=action.tranche_id).update(statut="soumise")
    deliberation = Deliberation.objects.inscrire(
        seance, "Programmation du jardin", tranche=Tranche.objects.get(pk=action.tranche_id)
    )
    appels = []
    extrait_pdf = documents_deliberations.extrait_pdf
    monkeypatch.setattr(
        "deliberations.views.consultation.extrait_pdf", lambda d, a: appels.append(d.pk) or extrait_pdf(d, a)
    )
    client.force_login(compte(seance.instance.collectivite))
    url = reverse("deliberations:extrait_pdf", args=[deliberation.pk])
    assert client.get(url).content == client.get(url).content
    assert appels == [deliberation.pk]
    Deliberation.objects.filter(pk=deliberation.pk).update(objet="Programmation du verger")
    assert "Programmation du verger" in texte(client.get(url).content)
    action.porteur.nom = "Les Jardins Nouveaux"
    action.porteur.save()
    assert "Les Jardins Nouveaux" in texte(client.get(url).content)
    assert appels == [deliberation.pk] * 3


def compte(collectivite):
    synchroniser_roles()
    user = User.objects.create_user(f"agent-{collectivite.pk}", password="x", collectivite=collectivite)
    user.groups.add(Group.objects.get(name=AGENTS))
    return user


# --- pruning


def test_it_prunes_entries_unused_for_thirty_days_when_one_is_written(settings):
    vieux, lu = pdf.chemin_en_cache("a" * 64, "pdf"), pdf.chemin_en_cache("b" * 64, "pdf")
    pdf.garder(vieux, b"vieux")
    pdf.garder(lu, b"lu")
    il_y_a_31_jours = time.time() - 31 * 24 * 3600
    for chemin in (vieux, lu):
        os.utime(chemin, (il_y_a_31_jours, il_y_a_31_jours))
    assert pdf.lire(lu) == b"lu"  # read today: kept
    pdf.garder(pdf.chemin_en_cache("c" * 64, "xlsx"), b"neuf")
    assert sorted(p.name[0] for p in vieux.parent.iterdir()) == ["b", "c"]
    assert lu.stat().st_mtime == pytest.approx(il_y_a_31_jours)  # Last-Modified: when it was made


def test_it_keeps_a_new_entry_when_the_clock_is_a_month_ahead_of_the_file_system(time_machine):
    # The file system stamps a new file with its own clock; pruning reads the application's.
    time_machine.move_to("2031-01-01 00:10 +01:00", tick=False)
    chemin = pdf.chemin_en_cache("d" * 64, "pdf")
    pdf.garder(chemin, b"neuf")
    assert pdf.lire(chemin) == b"neuf"
    assert chemin.stat().st_mtime == pytest.approx(time.time())


# --- one render a key


@pytest.mark.django_db(transaction=True)
def test_it_renders_once_for_two_simultaneous_requests(monkeypatch):
    # Its own authority and agent: a transactional test cannot count on the session's seed data,
    # which an earlier one may have emptied.
    action = ActionFactory(statut="proposee", intitule="Atelier d'écriture")
    synchroniser_roles()
    agent = User.objects.create_user(
        "agent-simultane", password="x", collectivite=action.contrat.collectivite
    )
    agent.groups.add(Group.objects.get(name=AGENTS))
    appels = []
    rendre_html = documents.rendre_html

    def lent(gabarit, contexte):
        appels.append(gabarit)
        time.sleep(0.5)  # both requests are in before the first one's file exists
        return rendre_html(gabarit, contexte)

    monkeypatch.setattr(documents, "rendre_html", lent)
    depart, reponses = threading.Barrier(2), []
    clients = [Client(), Client()]
    for client in clients:  # logged in one after the other: SQLite writes one session at a time
        client.force_login(agent)

    def demander(client):
        try:
            depart.wait()
            reponses.append(client.get(adresse(action)))
        finally:
            connection.close()

    fils = [threading.Thread(target=demander, args=(c,), daemon=True) for c in clients]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=60)
    assert not any(fil.is_alive() for fil in fils), "une requête attend encore (verrou jamais rendu ?)"
    assert [r.status_code for r in reponses] == [200, 200]
    assert reponses[0].content == reponses[1].content
    assert appels == ["programmation/documents/annexe.html"]
