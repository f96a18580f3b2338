"""`manage.py travailleur`: the document worker that survives.

django-tasks-db's worker loop (same options as `db_worker`), and:

- a heartbeat: a TravailleurDocuments row touched every DOCUMENTS_BATTEMENT seconds by a thread (a long
  document does not make the worker look dead); at each beat it also takes back the tasks of workers
  silent for DOCUMENTS_SILENCE_MAXIMAL seconds (contrat_ville.documents.reprendre_orphelines);
- a lost database (OperationalError, InterfaceError: restart, failover, network) does not end it: its
  connections are closed, it waits (1, 2, 4… up to ATTENTE_MAXIMALE seconds) and tries again; once the
  database answers, the task it was making is queued again and the loop resumes;
- on a stop (SIGTERM, SIGINT), the document being made is finished first (a second signal gives the
  task back to the queue at once), then its heartbeat row is removed;
- `--relancer`: a parent process that starts the worker again whenever it dies (SIGKILL, out of memory),
  for a Procfile runner, which does not (systemd does: Restart=always).
"""

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as CommandeDbWorker
from django_tasks_db.management.commands.db_worker import Worker

from contrat_ville.documents import COUPURES, reprendre_orphelines
from contrat_ville.models import TravailleurDocuments

logger = logging.getLogger("contrat_ville.travailleur")

ATTENTE_MAXIMALE = 30  # seconds between two attempts to reach a lost database
# Not a task's failure: the task stays running and is taken back (by this worker once reconnected,
# or by another one after this one's silence).
INTERRUPTIONS = (*COUPURES, SystemExit, KeyboardInterrupt)


def identifiant_par_defaut():
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"[:64]


def battre(identifiant):
    """This worker is alive: its row's vu_le is now."""
    maintenant = timezone.now()
    if TravailleurDocuments.objects.filter(identifiant=identifiant).update(vu_le=maintenant):
        return
    try:
        TravailleurDocuments.objects.create(
            identifiant=identifiant,
            machine=socket.gethostname()[:255],
            processus=os.getpid(),
            demarre_le=maintenant,
            vu_le=maintenant,
        )
    except IntegrityError:  # the other thread created it meanwhile
        TravailleurDocuments.objects.filter(identifiant=identifiant).update(vu_le=maintenant)


def fermer_les_connexions():
    """After a database error: a broken connection is dropped, the next query opens (or borrows) a new one."""
    for connexion in connections.all(initialized_only=True):
        try:
            connexion.close()
        except Exception:  # already broken: nothing to close cleanly
            logger.debug("Connexion %s fermée en erreur", connexion.alias, exc_info=True)


class Battement(threading.Thread):
    """Every `intervalle` seconds: the heartbeat, then the dead workers' tasks are taken back."""

    def __init__(self, identifiant, intervalle):
        super().__init__(name=f"battement-{identifiant}", daemon=True)
        self.identifiant, self.intervalle = identifiant, intervalle
        self.arret = threading.Event()
        self.battements = 0

    def run(self):
        try:
            while not self.arret.wait(self.intervalle):
                try:
                    battre(self.identifiant)
                    reprendre_orphelines()
                    self.battements += 1
                except DatabaseError as erreur:
                    logger.warning("Battement impossible, base injoignable : %s", erreur)
                    fermer_les_connexions()
        finally:
            connections.close_all()

    def arreter(self):
        self.arret.set()
        if self.is_alive():
            self.join(timeout=10)


class Boucle(Worker):
    """django-tasks-db's loop, except that a lost database is not recorded as the task's failure."""

    def run_task(self, db_task_result):
        marquer_en_echec = db_task_result.set_failed

        def set_failed(erreur):
            if isinstance(erreur, INTERRUPTIONS):
                raise erreur
            marquer_en_echec(erreur)

        db_task_result.set_failed = set_failed
        super().run_task(db_task_result)


def tourner(boucle, *, attente_maximale=ATTENTE_MAXIMALE, dormir=time.sleep):
    """Run the loop until it ends (batch, max tasks, stop signal), whatever the database does."""
    attente, interrompue = 1, False
    while True:
        try:
            battre(boucle.worker_id)
            # Nothing runs under its name now: what does (a task cut off, or left by a previous process
            # of the same --worker-id) goes back to the queue.
            reprises, echecs = reprendre_orphelines(travailleur=boucle.worker_id)
            if interrompue:
                logger.warning(
                    "Base de nouveau joignable : %d tâche(s) reprise(s), %d abandonnée(s)", reprises, echecs
                )
            attente, interrompue = 1, False
            boucle.run()
            return
        except COUPURES as erreur:
            logger.warning("Base injoignable (%s) : nouvel essai dans %d s", erreur, attente)
        except Exception:
            logger.exception(
                "Erreur du service de production des documents : nouvel essai dans %d s", attente
            )
        interrompue = True
        fermer_les_connexions()
        if not boucle.running:
            return
        dormir(attente)
        attente = min(attente * 2, attente_maximale)


class Relanceur:
    """A command started again `delai` seconds after it dies (for --relancer and `manage.py demo`)."""

    def __init__(self, commande, *, delai=5, cwd=None):
        self.commande, self.delai, self.cwd = commande, delai, cwd
        self.processus, self.mort_le, self.relances = None, None, 0

    def demarrer(self):
        # Its own session: a signal to the group (Ctrl+C, a Procfile runner) reaches it once, through us.
        self.processus = subprocess.Popen(self.commande, cwd=self.cwd, start_new_session=True)
        self.mort_le = None
        return self.processus

    def verifier(self):
        """Start it again if it has been dead for `delai` seconds; True when it was."""
        code = self.processus.poll()
        if code is None:
            return False
        if self.mort_le is None:
            self.mort_le = time.monotonic()
            logger.error(
                "Le service de production des documents s'est arrêté (code %s) : relance dans %d s",
                code,
                self.delai,
            )
        if time.monotonic() - self.mort_le < self.delai:
            return False
        self.demarrer()
        self.relances += 1
        logger.warning("Service de production des documents relancé (processus %s)", self.processus.pid)
        return True

    def surveiller(self, arret, pas=1.0):
        while not arret.wait(pas):
            self.verifier()

    def arreter(self, delai=120):
        """SIGTERM (the document being made is finished), then SIGKILL after `delai` seconds."""
        if self.processus is None or self.processus.poll() is not None:
            return
        self.processus.terminate()
        try:
            self.processus.wait(timeout=delai)
        except subprocess.TimeoutExpired:
            self.processus.kill()
            self.processus.wait()


class Command(CommandeDbWorker):
    help = (
        "Service de production des documents : la file de django-tasks-db, avec un signe de vie en base, "
        "la reprise des tâches d'un service arrêté et la survie aux coupures de la base."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=identifiant_par_defaut(), reload=False)
        parser.add_argument(
            "--relancer",
            action="store_true",
            help="Lancer le service dans un processus enfant, relancé s'il meurt (lanceur de Procfile).",
        )

    def handle(self, *, relancer=False, **options):
        self.configure_logging(options["verbosity"])
        if relancer:
            return self.relancer(options)
        boucle = Boucle(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=[q for q in options["exclude_queues"].split(",") if q],
        )
        boucle.configure_signals()
        battement = Battement(boucle.worker_id, settings.DOCUMENTS_BATTEMENT)
        battement.start()
        try:
            tourner(boucle)
        finally:
            battement.arreter()
            boucle.reset_signals()
            self.partir(boucle.worker_id)

    def partir(self, identifiant):
        """A task interrupted by a forced stop goes back to the queue now; the heartbeat row goes."""
        try:
            reprendre_orphelines(travailleur=identifiant)
            TravailleurDocuments.objects.filter(identifiant=identifiant).delete()
        except DatabaseError:
            logger.warning("Arrêt sans base : les autres services reprendront ses tâches", exc_info=True)
            fermer_les_connexions()

    def relancer(self, options):
        commande = [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "travailleur",
            f"--queue-name={options['queue_name']}",
            f"--interval={options['interval']}",
            f"--backend={options['backend_name']}",
            f"--verbosity={options['verbosity']}",
        ]
        if options["exclude_queues"]:
            commande.append(f"--exclude-queues={options['exclude_queues']}")
        if options["max_tasks"]:
            commande.append(f"--max-tasks={options['max_tasks']}")
        relanceur = Relanceur(commande, cwd=settings.BASE_DIR)
        arret = threading.Event()

        def arreter(signum, frame):
            arret.set()

        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, arreter)
        relanceur.demarrer()
        try:
            relanceur.surveiller(arret)
        finally:
            relanceur.arreter()
