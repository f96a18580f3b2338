"""Attacks on the document service: flooding the queue, killing the worker, cutting the database."""

import contextlib
import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from contrat_ville.documents import reprendre_orphelines
from contrat_ville.management.commands.travailleur import Battement, Boucle, battre, tourner
from contrat_ville.models import DocumentGenere, TravailleurDocuments
from programmation.models import Tranche

from ..bases import charger_la_metropole, manage
from ..empreinte import empreinte

pytestmark = pytest.mark.django_db


def _tranche_2024():
    """SEM 2024 T1: 49 actions."""
    return Tranche.objects.get(annee=2024, numero=1, contrat__nature="contrat_de_ville")


def _annexe(tranche, extension="pdf"):
    return reverse(f"programmation:tranche_annexe_{extension}", args=[tranche.pk])


def _fichiers(dossier):
    # The caches (cache-pdf/, cache-documents/) keep a copy of every document: the documents are counted.
    caches = {"cache-pdf", "cache-documents"}
    return [f for f in dossier.rglob("*") if f.is_file() and not caches & set(f.parts)]


def _boucle(identifiant="travailleur-test"):
    return Boucle(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=identifiant,
        excluded_queue_names=[],
    )


@pytest.fixture
def arriere_plan(settings, tmp_path):
    settings.DOCUMENTS_SEUIL_ARRIERE_PLAN = 10
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# The flood: one élu, thirty requests for the same big annex.


def test_it_joins_thirty_requests_for_the_same_big_annex_into_one_document_and_one_task(
    client, elu, agent, arriere_plan
):
    tranche = _tranche_2024()
    assert tranche.actions.count() == 49
    client.force_login(elu)
    reponses = [client.get(_annexe(tranche)) for _ in range(30)]
    document = DocumentGenere.objects.get()
    page = reverse("document", args=[document.pk])
    assert {(r.status_code, r["Location"]) for r in reponses} == {(302, page)}
    assert DBTaskResult.objects.count() == 1
    assert str(DBTaskResult.objects.get().id) == str(document.tache)
    # Another user of the same authority asking for it joins it too, while it is being made.
    DocumentGenere.objects.filter(pk=document.pk).update(statut="en_cours", progression=40)
    autre = Client()
    autre.force_login(agent)
    assert autre.get(_annexe(tranche))["Location"] == page
    assert DocumentGenere.objects.count() == 1 and DBTaskResult.objects.count() == 1
    # The xlsx annex is another document.
    assert client.get(_annexe(tranche, "xlsx"))["Location"] != page
    assert DocumentGenere.objects.count() == 2 and DBTaskResult.objects.count() == 2


def test_it_makes_a_new_document_once_the_previous_one_is_finished(client, elu, arriere_plan):
    tranche = _tranche_2024()
    client.force_login(elu)
    client.get(_annexe(tranche))
    DocumentGenere.objects.update(statut="pret", progression=100)  # the data may have changed since
    client.get(_annexe(tranche))
    assert DocumentGenere.objects.count() == 2 and DBTaskResult.objects.count() == 2
    assert DocumentGenere.objects.en_production().count() == 1


def test_it_refuses_a_second_document_of_the_same_kind_and_data_in_the_database_itself(sem):
    cle = {"collectivite": sem, "nature": "annexe-pdf", "objet_id": 1, "nom_fichier": "annexe.pdf"}
    DocumentGenere.objects.create(**cle)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentGenere.objects.create(**cle, statut="en_cours")
    DocumentGenere.objects.create(**cle, statut="echec")  # finished ones do not count
    assert DocumentGenere.objects.count() == 2


def test_it_limits_the_documents_one_user_has_in_production(client, elu, agent, settings, tmp_path):
    settings.DOCUMENTS_SEUIL_ARRIERE_PLAN = 0
    settings.DOCUMENTS_PAR_UTILISATEUR = 3
    settings.MEDIA_ROOT = tmp_path
    tranches = list(Tranche.objects.filter(contrat__collectivite=elu.collectivite, actions__isnull=False))
    tranches = sorted(set(tranches), key=lambda t: t.pk)[:2]
    client.force_login(elu)
    demandes = [_annexe(t, extension) for t in tranches for extension in ("pdf", "xlsx")]
    for adresse in demandes[:3]:
        assert client.get(adresse).status_code == 302
    assert DocumentGenere.objects.count() == 3

    avant, taches = empreinte(), DBTaskResult.objects.count()
    refus = client.get(demandes[3])
    assert refus.status_code == 429 and refus["Retry-After"] == "30"
    page = refus.content.decode()
    assert "Vous avez déjà 3 documents en cours de production (au plus 3 à la fois)" in page
    assert reverse("document", args=[DocumentGenere.objects.first().pk]) in page
    assert empreinte() == avant and DBTaskResult.objects.count() == taches

    # Joining a document already asked for adds no work: allowed at the limit.
    assert client.get(demandes[0]).status_code == 302
    # Another user has their own allowance.
    autre = Client()
    autre.force_login(agent)
    assert autre.get(demandes[3]).status_code == 302
    # Once one of the élu's documents is ready, the élu may ask for another.
    DocumentGenere.objects.filter(demande_par=elu).order_by("pk").first().terminer(b"%PDF")
    assert client.get(_annexe(tranches[0], "pdf")).status_code == 302
    assert DocumentGenere.objects.filter(demande_par=elu).en_production().count() == 3


# Health: the document service is degraded as soon as no worker has beaten for a minute.


def test_it_reports_degraded_when_no_worker_sends_a_heartbeat(client, settings):
    settings.DOCUMENTS_SILENCE_MAXIMAL = 60
    etat = client.get(reverse("sante"))
    assert etat.status_code == 200
    assert etat.json()["etat"] == "degrade"
    assert etat.json()["travailleurs"] == {"etat": "degrade", "actifs": 0, "dernier_signe_s": None}

    battre("travailleur-1")
    assert client.get(reverse("sante")).json()["etat"] == "ok"

    TravailleurDocuments.objects.update(vu_le=timezone.now() - timedelta(seconds=61))
    etat = client.get(reverse("sante")).json()
    assert etat["etat"] == "degrade" and etat["travailleurs"]["etat"] == "degrade"
    assert etat["travailleurs"]["actifs"] == 0 and etat["travailleurs"]["dernier_signe_s"] >= 61
    assert etat["base"]["etat"] == "ok"


def _tache_tenue_par_un_mort(client, utilisateur, *morts):
    """A document asked for, its task taken by workers that all fell silent five minutes ago."""
    client.force_login(utilisateur)
    client.get(_annexe(_tranche_2024()))
    document = DocumentGenere.objects.get()
    il_y_a_5_min = timezone.now() - timedelta(minutes=5)
    for mort in morts:
        TravailleurDocuments.objects.create(identifiant=mort, demarre_le=il_y_a_5_min, vu_le=il_y_a_5_min)
    DBTaskResult.objects.filter(pk=document.tache).update(
        status=TaskResultStatus.RUNNING, started_at=il_y_a_5_min, worker_ids=list(morts)
    )
    DocumentGenere.objects.filter(pk=document.pk).update(
        statut="en_cours", progression=40, etape="Actions", tentatives=len(morts)
    )
    document.refresh_from_db()
    return document


def test_it_fails_a_document_whose_workers_died_twice_with_a_french_message(client, elu, arriere_plan):
    document = _tache_tenue_par_un_mort(client, elu, "mort-1", "mort-2")
    assert client.get(reverse("sante")).json()["etat"] == "degrade"
    document.refresh_from_db()
    tache = DBTaskResult.objects.get(pk=document.tache)
    assert tache.status == TaskResultStatus.FAILED and "2 fois" in tache.traceback
    assert document.statut == "echec" and document.termine_le is not None
    page = client.get(reverse("document", args=[document.pk])).content.decode()
    assert "La production du document a échoué" in page
    assert "s&#x27;est arrêté à chaque tentative pour ce document" in page
    assert _fichiers(arriere_plan) == []


def test_it_leaves_alone_the_task_of_a_worker_that_is_alive(client, elu, arriere_plan):
    document = _tache_tenue_par_un_mort(client, elu, "vivant")
    battre("vivant")
    assert reprendre_orphelines() == (0, 0)
    assert DBTaskResult.objects.get(pk=document.tache).status == TaskResultStatus.RUNNING
    # One that has not beaten yet (just started, or an old db_worker) has the same minute.
    DBTaskResult.objects.filter(pk=document.tache).update(worker_ids=["inconnu"], started_at=timezone.now())
    assert reprendre_orphelines() == (0, 0)


@pytest.fixture
def base_partagee(transactional_db):
    """Committed data, as the worker needs: it closes the connection it shares with the test. The seeds
    loaded for the session are still there for the first such test, flushed after it."""
    if not Tranche.objects.exists():
        charger_la_metropole("sem_referentiel", "sem_programmation")


@pytest.mark.django_db(transaction=True)
def test_it_resumes_the_task_of_a_killed_worker_and_makes_the_document_once(
    base_partagee, client, elu, arriere_plan
):
    document = _tache_tenue_par_un_mort(client, elu, "tue-par-sigkill")
    page = client.get(reverse("document", args=[document.pk])).content.decode()
    assert "Production en cours" in page  # what the user sees while nobody makes it

    call_command("travailleur", "--batch", "--no-startup-delay", "--worker-id=repreneur", verbosity=0)

    tache = DBTaskResult.objects.get(pk=document.tache)
    assert tache.status == TaskResultStatus.SUCCESSFUL and tache.worker_ids == [
        "tue-par-sigkill",
        "repreneur",
    ]
    assert DocumentGenere.objects.count() == 1
    repris = DocumentGenere.objects.get()
    assert (repris.statut, repris.progression, repris.tentatives) == ("pret", 100, 2)
    (fichier,) = _fichiers(arriere_plan)
    assert "NOS QUARTIERS REVELENT" in " ".join(p.extract_text() for p in PdfReader(fichier).pages)
    # The killed worker, had it come back to life, finishes its attempt: nothing is written.
    assert document.tentatives == 1 and document.terminer(b"%PDF-1.7 perime") is False
    document.avancer(90, "Ancienne tentative")
    assert _fichiers(arriere_plan) == [fichier]
    repris.refresh_from_db()
    assert (repris.statut, repris.etape, repris.fichier.read()[:4]) == ("pret", "Terminé", b"%PDF")
    # The worker left: its heartbeat row went with it.
    assert not TravailleurDocuments.objects.filter(identifiant="repreneur").exists()
    telechargement = client.get(reverse("document_telecharger", args=[repris.pk]))
    assert len(PdfReader(io.BytesIO(b"".join(telechargement.streaming_content))).pages) >= 2


class Coupure:
    """The database layer raising OperationalError, as psycopg does when the server goes away: from the
    `apres`-th UPDATE of a document (mid-task) and for the `duree` following queries."""

    def __init__(self, apres=2, duree=6):
        self.apres, self.duree = apres, duree
        self.mises_a_jour, self.refusees = 0, 0

    def __call__(self, execute, sql, params, many, context):
        if sql.startswith("UPDATE") and "contrat_ville_documentgenere" in sql:
            self.mises_a_jour += 1
        if self.mises_a_jour >= self.apres and self.refusees < self.duree:
            self.refusees += 1
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_it_survives_a_database_outage_in_the_middle_of_a_document(base_partagee, client, elu, arriere_plan):
    client.force_login(elu)
    client.get(_annexe(_tranche_2024()))
    document = DocumentGenere.objects.get()
    boucle, attentes, coupure = _boucle("survivant"), [], Coupure()

    with connection.execute_wrapper(coupure):
        tourner(boucle, dormir=attentes.append)

    assert coupure.refusees == 6  # the outage happened, while the document was being made
    assert attentes == [1, 2, 4, 8, 16, 30]  # it waited, longer each time up to 30 s, instead of dying
    document.refresh_from_db()
    assert (document.statut, document.tentatives) == ("pret", 2)
    tache = DBTaskResult.objects.get()
    assert tache.status == TaskResultStatus.SUCCESSFUL and tache.worker_ids == ["survivant", "survivant"]
    assert len(_fichiers(arriere_plan)) == 1


@pytest.mark.django_db(transaction=True)
def test_it_keeps_beating_while_a_long_document_is_made(transactional_db, settings):
    settings.DOCUMENTS_SILENCE_MAXIMAL = 60
    battement = Battement("battant", intervalle=0.05)
    battement.start()
    try:
        for _ in range(100):
            if battement.battements >= 3:
                break
            threading.Event().wait(0.05)
    finally:
        battement.arreter()
    assert battement.battements >= 3 and not battement.is_alive()
    assert TravailleurDocuments.objects.get(identifiant="battant").vu_le > timezone.now() - timedelta(
        seconds=5
    )


def test_it_takes_back_at_start_a_task_left_under_its_own_name(client, elu, arriere_plan):
    # Restarted by systemd with the same --worker-id: its heartbeat is fresh, yet nothing runs under it.
    document = _tache_tenue_par_un_mort(client, elu, "meme-nom")
    battre("meme-nom")
    assert reprendre_orphelines() == (0, 0)
    assert reprendre_orphelines(travailleur="meme-nom") == (1, 0)
    tache = DBTaskResult.objects.get(pk=document.tache)
    document.refresh_from_db()
    assert tache.status == TaskResultStatus.READY and tache.started_at is None
    assert (document.statut, document.progression) == ("en_attente", 0)
    assert "Reprise" in client.get(reverse("document", args=[document.pk])).content.decode()


# A real outage: a throwaway PostgreSQL cluster stopped for 16 seconds under a running worker.

BINAIRES = sorted(Path("/usr/lib/postgresql").glob("*/bin"))


def _en_postgres(*commande, **options):
    prefixe = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefixe, *map(str, commande)], check=True, capture_output=True, **options)


def _port_libre():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def grappe_jetable():
    """A PostgreSQL cluster of our own (never the machine's server): yields (port, start, stop)."""
    dossier = Path(tempfile.mkdtemp(prefix="grappe-"))
    if os.geteuid() == 0:
        shutil.chown(dossier, "postgres")
    donnees, port, binaires = dossier / "donnees", _port_libre(), BINAIRES[-1]
    _en_postgres(binaires / "initdb", "-D", donnees, "-A", "trust", "-U", "postgres")
    options = f"-p {port} -k {dossier} -c listen_addresses=127.0.0.1"

    def demarrer():
        _en_postgres(
            binaires / "pg_ctl", "-D", donnees, "-o", options, "-w", "-l", dossier / "journal", "start"
        )

    def arreter():
        _en_postgres(binaires / "pg_ctl", "-D", donnees, "-m", "fast", "-w", "stop")

    demarrer()
    try:
        yield port, demarrer, arreter
    finally:
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                binaires / "pg_ctl",
                "-D",
                donnees,
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
        )
        shutil.rmtree(dossier, ignore_errors=True)


def _attendre(condition, delai=60):
    fin = time.monotonic() + delai
    while time.monotonic() < fin:
        try:
            if condition():
                return True
        except psycopg.OperationalError:
            pass
        time.sleep(0.5)
    return False


POOLS = {"sans-pool": "0", "avec-pool": "1"}


def _travailleur(nom, port, tmp_path):
    """A document worker of its own database, with or without the connection pool, writing its log."""
    (tmp_path / nom).mkdir()
    environnement = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/{nom.replace('-', '_')}",
        "DB_POOL": POOLS[nom],
        "DOCUMENTS_BATTEMENT": "1",
        "MEDIA_ROOT": str(tmp_path / nom),
    }
    with open(tmp_path / f"{nom}.log", "w") as journal:  # the worker keeps its own copy
        processus = subprocess.Popen(
            [sys.executable, "manage.py", "travailleur", "--interval=0.5"],
            cwd=settings.BASE_DIR,
            env=environnement,
            stdout=journal,
            stderr=subprocess.STDOUT,
        )
    return processus, environnement


# Both workers, with and without the pool, live through the same outage of one cluster (issue 20: one
# cluster and one 16-second wait, not two).
@pytest.mark.skipif(not BINAIRES or connection.vendor != "postgresql", reason="serveur PostgreSQL jetable")
def test_it_survives_a_real_16_second_outage_of_postgresql_with_and_without_the_pool(tmp_path):
    with grappe_jetable() as (port, demarrer, arreter):
        serveur = f"host=127.0.0.1 port={port} user=postgres dbname="
        with psycopg.connect(serveur + "postgres", autocommit=True) as c:
            c.execute("CREATE DATABASE sans_pool")
        manage(
            "migrate",
            "--noinput",
            environnement={**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/sans_pool"},
        )
        with psycopg.connect(serveur + "postgres", autocommit=True) as c:
            c.execute("CREATE DATABASE avec_pool TEMPLATE sans_pool")

        def requete(nom, sql):
            with psycopg.connect(serveur + nom.replace("-", "_"), autocommit=True) as c:
                return c.execute(sql).fetchone()

        travailleurs = {nom: _travailleur(nom, port, tmp_path) for nom in POOLS}
        journal = {nom: (tmp_path / f"{nom}.log").read_text for nom in POOLS}
        try:
            for nom in POOLS:
                assert _attendre(
                    lambda nom=nom: (
                        requete(nom, "SELECT count(*) FROM contrat_ville_travailleurdocuments")[0] == 1
                    )
                ), journal[nom]()
            arreter()
            time.sleep(16)
            for nom, (processus, _) in travailleurs.items():
                assert processus.poll() is None, journal[nom]()
            demarrer()
            for nom, (processus, environnement) in travailleurs.items():
                redemarre = requete(nom, "SELECT now()")[0]
                # Its heartbeat comes back, and it takes tasks again.
                assert _attendre(
                    lambda nom=nom, redemarre=redemarre: (
                        requete(nom, "SELECT max(vu_le) FROM contrat_ville_travailleurdocuments")[0]
                        > redemarre
                    )
                ), journal[nom]()
                sortie = manage(
                    "shell",
                    "-c",
                    "from programmation.taches import produire_annexe_pdf as t; print(t.enqueue(999).id)",
                    environnement=environnement,
                )
                tache = sortie.strip().splitlines()[-1]
                statut = f"SELECT status FROM django_tasks_database_dbtaskresult WHERE id = '{tache}'"
                assert _attendre(lambda nom=nom, statut=statut: requete(nom, statut)[0] == "SUCCESSFUL"), (
                    journal[nom]()
                )
                assert processus.poll() is None
        finally:
            for processus, _ in travailleurs.values():
                processus.terminate()
                processus.wait(timeout=30)
        for nom in POOLS:
            assert "Base injoignable" in journal[nom](), nom


@pytest.mark.skipif(connection.vendor != "postgresql", reason="requêtes simultanées : PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_it_joins_simultaneous_requests_into_one_document(base_partagee, elu, agent, arriere_plan):
    """Thirty requests at the same instant, from two users: still one document, one task."""
    adresse = _annexe(_tranche_2024())
    depart, reponses = threading.Barrier(30), []

    def demander(utilisateur):
        try:
            client = Client()
            client.force_login(utilisateur)
            depart.wait()
            reponses.append(client.get(adresse))
        finally:
            connection.close()

    fils = [threading.Thread(target=demander, args=(elu if i % 2 else agent,)) for i in range(30)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()
    document = DocumentGenere.objects.get()
    assert DBTaskResult.objects.count() == 1
    assert {(r.status_code, r["Location"]) for r in reponses} == {
        (302, reverse("document", args=[document.pk]))
    }


def test_it_starts_the_worker_again_when_it_dies(tmp_path):
    from contrat_ville.management.commands.travailleur import Relanceur

    compte = tmp_path / "demarrages"
    relanceur = Relanceur(
        [sys.executable, "-c", f"open({str(compte)!r}, 'a').write('x'); raise SystemExit(9)"], delai=0
    )
    relanceur.demarrer().wait(timeout=30)
    assert relanceur.verifier() is True  # dead (SIGKILL, out of memory…): started again
    relanceur.processus.wait(timeout=30)
    assert relanceur.verifier() is True and relanceur.relances == 2
    relanceur.processus.wait(timeout=30)
    assert compte.read_text() == "xxx"
