"""The load bench's own setup (see bench/charge.py): a throw-away database on the given server, reached by
the application through a TCP relay the bench can cut (the server itself is never stopped nor
reconfigured), gunicorn servers and document workers on free ports, all stopped at the end."""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import psycopg
from client_http import MOT_DE_PASSE

RACINE = Path(__file__).resolve().parent.parent

PREPARATION = """
from contrat_ville.models import Collectivite, Contrat, User
from contrat_ville.roles import synchroniser_roles
from programmation.models import Action, Porteur, Tranche
agents, elus = synchroniser_roles()
sem = Collectivite.objects.get(siren="244200770")
contrat = Contrat.objects.get(collectivite=sem, annee_debut=2024, nature="contrat_de_ville")
porteur = Porteur.objects.filter(collectivite=sem).first()
for n in range({elus}):
    u = User.objects.create_user(f"elu{{n}}", password="{mdp}", collectivite=sem)
    u.groups.add(elus)
for n in range({agents}):
    u = User.objects.create_user(f"agent{{n}}", password="{mdp}", collectivite=sem)
    u.groups.add(agents)
    Tranche.objects.create(contrat=contrat, annee=2025, numero=10 + n, intitule=f"Tranche de l'agent {{n}}")
    for i in range(10):
        Action.objects.create(contrat=contrat, annee=2025, intitule=f"Action {{i}} de l'agent {{n}}",
                              porteur=porteur, axe=contrat.axes.first(), cout=10000, contribution=1000,
                              statut="proposee")
"""


def port_libre():
    with socket.socket() as prise:
        prise.bind(("127.0.0.1", 0))
        return prise.getsockname()[1]


class Relais:
    """A TCP relay from a free local port to PostgreSQL. Cutting it closes every connection through it
    and refuses new ones: for the application, the database is gone; the server itself is untouched
    (the bench's own checks reach it directly)."""

    def __init__(self, hote, port):
        self.cible, self.coupe, self.paires = (hote, port), threading.Event(), []
        self.verrou = threading.Lock()
        self.ecoute = socket.create_server(("127.0.0.1", 0))
        self.port = self.ecoute.getsockname()[1]
        threading.Thread(target=self._accepter, daemon=True).start()

    def _accepter(self):
        while True:
            try:
                client, _ = self.ecoute.accept()
            except OSError:  # closed by fermer()
                return
            if self.coupe.is_set():
                client.close()
                continue
            try:
                serveur = socket.create_connection(self.cible, timeout=5)
            except OSError:
                client.close()
                continue
            serveur.settimeout(None)
            with self.verrou:
                self.paires.append((client, serveur))
            for a, b in ((client, serveur), (serveur, client)):
                threading.Thread(target=self._pomper, args=(a, b), daemon=True).start()

    @staticmethod
    def _pomper(depuis, vers):
        try:
            while donnees := depuis.recv(65536):
                vers.sendall(donnees)
        except OSError:
            pass
        finally:
            for prise in (depuis, vers):
                with contextlib.suppress(OSError):
                    prise.shutdown(socket.SHUT_RDWR)
                prise.close()

    def couper(self):
        self.coupe.set()
        with self.verrou:
            paires, self.paires = self.paires, []
        for paire in paires:
            for prise in paire:
                with contextlib.suppress(OSError):
                    prise.shutdown(socket.SHUT_RDWR)
                prise.close()

    def retablir(self):
        self.coupe.clear()

    def fermer(self):
        self.ecoute.close()
        self.couper()


class Banc:
    def __init__(self, args):
        self.args = args
        self.serveur = os.environ.get("PG", "postgres://postgres@127.0.0.1:5432")
        adresse = urllib.parse.urlsplit(self.serveur)
        self.relais = Relais(adresse.hostname or "127.0.0.1", adresse.port or 5432)
        identite = adresse.netloc.rsplit("@", 1)[0] + "@" if "@" in adresse.netloc else ""
        self.base = f"charge_{os.getpid()}"
        self.dossier = Path(tempfile.mkdtemp(prefix="charge-"))
        self.processus, self.travailleurs = [], []
        self.ports = [port_libre() for _ in range(args.web)]
        self.env = {
            **os.environ,
            # The application goes through the relay; the bench's own checks (sql()) do not.
            "DATABASE_URL": f"{adresse.scheme}://{identite}127.0.0.1:{self.relais.port}/{self.base}",
            "DEBUG": "false",
            "SECRET_KEY": "banc-de-charge-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "COOKIES_SECURISES": "false",
            "STATIC_ROOT": str(self.dossier / "static"),
            "MEDIA_ROOT": str(self.dossier / "media"),
            "DB_POOL": "true",
            "DOCUMENTS_SEUIL_ARRIERE_PLAN": "10",
            # A document unfinished after a minute lost its worker (the annex takes about ten seconds).
            "DOCUMENTS_DELAI_MAXIMAL": "60",
            "AXES_FAILURE_LIMIT": "1000",
            "LOG_LEVEL": "WARNING",
        }

    def sql(self, requete, *parametres):
        with psycopg.connect(f"{self.serveur}/{self.base}") as connexion:
            return connexion.execute(requete, parametres).fetchall()

    def manage(self, *arguments):
        subprocess.run([sys.executable, "manage.py", *arguments], cwd=RACINE, env=self.env, check=True)

    def preparer(self):
        with psycopg.connect(f"{self.serveur}/postgres", autocommit=True) as connexion:
            connexion.execute(f'CREATE DATABASE "{self.base}"')
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        self.manage("loaddata", "sem_referentiel", "sem_programmation", "sem_deliberations", "-v0")
        self.manage(
            "shell", "-c", PREPARATION.format(elus=self.args.elus, agents=self.args.agents, mdp=MOT_DE_PASSE)
        )

    def demarrer(self):
        for port in self.ports:
            commande = [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "deploy/gunicorn.conf.py",
                "contrat_ville.wsgi",
            ]
            env = {
                **self.env,
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "WEB_CONCURRENCY": str(self.args.workers),
            }
            self.processus.append(subprocess.Popen(commande, cwd=RACINE, env=env, stdout=subprocess.DEVNULL))
        for _ in range(self.args.travailleurs):
            self.demarrer_travailleur()
        for port in self.ports:
            for _ in range(100):
                try:
                    http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/sante/")
                    break
                except OSError:
                    time.sleep(0.2)

    def demarrer_travailleur(self):
        commande = [sys.executable, "manage.py", "travailleur", "--no-reload"]
        travailleur = subprocess.Popen(commande, cwd=RACINE, env=self.env, stdout=subprocess.DEVNULL)
        self.travailleurs.append(travailleur)
        return travailleur

    def arreter(self):
        for p in self.processus + self.travailleurs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.processus + self.travailleurs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        self.relais.fermer()
        with psycopg.connect(f"{self.serveur}/postgres", autocommit=True) as connexion:
            connexion.execute(f'DROP DATABASE IF EXISTS "{self.base}" WITH (FORCE)')

    def etat(self):
        """What must not change by itself: counts and totals."""
        mesures = {
            "actions": "SELECT count(*) FROM programmation_action",
            "contributions": "SELECT sum(contribution) FROM programmation_action",
            "cofinancements": "SELECT count(*) FROM programmation_cofinancement",
            "cofinance": "SELECT coalesce(sum(montant_accorde), 0) FROM programmation_cofinancement",
            "tranches": "SELECT count(*) FROM programmation_tranche",
            "deliberations": "SELECT count(*) FROM deliberations_deliberation",
            "historique": "SELECT count(*) FROM programmation_modification WHERE champ = 'contribution'",
        }
        return {cle: self.sql(requete)[0][0] for cle, requete in mesures.items()}
