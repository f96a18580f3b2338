"""Load, fault and abuse runs against the production setup, on this machine only (loopback).

    .venv/bin/python bench/charge.py [--duree 300] [--elus 50] [--agents 5] [--web 1] [--workers 3]
                                     [--travailleurs 1] [--abus 10000] [--pannes]

Creates a throw-away PostgreSQL database (server of $PG, default postgres://postgres@127.0.0.1:5432),
loads the demo data, starts `--web` gunicorn servers of `--workers` processes each and `--travailleurs`
document workers, then for `--duree` seconds: `--elus` officials browse the programmation, dashboard,
tranches, actions and porteurs; `--agents` agents edit their own draft actions (+1 € each time) and move
them in and out of their draft tranche (each person reads a page for 2 to 6 s before the next); one
user keeps asking for the 2024 annex PDF (made by the workers). It prints requests per second, median
and 95th percentile per page, errors, and checks that nothing was lost or duplicated (counts and
totals before and after, apart from the agents' +1 €).
`--abus N` then sends N requests with random query strings to the list pages (none may answer 500);
`--pannes` kills a worker in the middle of a document, then cuts the database away under load.
Every loop is bounded in count and time; every process it starts is stopped at the end. It never
stops nor reconfigures the PostgreSQL server: the application reaches it through a relay the bench
starts (the database « goes away » when the relay is cut), and every port it listens on is a free one
the system gives.
"""

import argparse
import contextlib
import http.client
import os
import random
import re
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import psycopg

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
from tests.hostiles import PARAMETRES_DES_LISTES, VALEURS_HOSTILES  # noqa: E402

MOT_DE_PASSE = "charge-mot-de-passe-2026"


class Formulaire(HTMLParser):
    """The fields of every <form method=post> of a page, with their current values."""

    def __init__(self):
        super().__init__()
        self.formulaires, self.champs, self.select, self.textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.champs = {}
            self.formulaires.append(self.champs)
        if self.champs is None:
            return
        nom = a.get("name")
        if tag == "input" and nom and a.get("type") not in ("submit", "button", "checkbox"):
            self.champs[nom] = a.get("value") or ""
        elif tag == "input" and nom and a.get("type") == "checkbox" and "checked" in a:
            self.champs[nom] = a.get("value") or "on"
        elif tag == "select" and nom:
            self.select = nom
            self.champs.setdefault(nom, "")
        elif tag == "option" and self.select and "selected" in a:
            self.champs[self.select] = a.get("value") or ""
        elif tag == "textarea" and nom:
            self.textarea = nom
            self.champs[nom] = ""

    def handle_data(self, data):
        if self.textarea:
            self.champs[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.champs = None


def champs(html, contenant):
    """The fields of the page's form that has the field `contenant`."""
    lecteur = Formulaire()
    lecteur.feed(html)
    return next(f for f in lecteur.formulaires if contenant in f)


class Client:
    """One user's keep-alive connection, cookies and timings."""

    def __init__(self, ports, mesures):
        self.ports, self.port = ports, random.choice(ports)
        self.cookies, self.mesures = {}, mesures
        self.connexion = None

    def _changer_de_serveur(self):
        # With several servers, each request may land on another one: the session must follow.
        port = random.choice(self.ports)
        if port != self.port:
            self.port, self.connexion = port, None

    def requete(self, methode, chemin, donnees=None, page=None):
        self._changer_de_serveur()
        corps = urllib.parse.urlencode(donnees) if donnees is not None else None
        entetes = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": "127.0.0.1"}
        if corps is not None:
            entetes["Content-Type"] = "application/x-www-form-urlencoded"
            entetes["Referer"] = f"http://127.0.0.1:{self.port}{chemin}"
        debut = time.perf_counter()
        try:
            if self.connexion is None:
                self.connexion = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.connexion.request(methode, chemin, body=corps, headers=entetes)
            reponse = self.connexion.getresponse()
            contenu = reponse.read()
            statut = reponse.status
            for entete, valeur in reponse.getheaders():
                if entete.lower() == "set-cookie":
                    nom, _, reste = valeur.partition("=")
                    self.cookies[nom] = reste.split(";", 1)[0]
            emplacement = reponse.getheader("Location")
        except (OSError, http.client.HTTPException):
            self.connexion, statut, contenu, emplacement = None, 0, b"", None
        if page:
            self.mesures.noter(page, time.perf_counter() - debut, statut)
        return statut, contenu.decode("utf-8", "replace"), emplacement

    def poster(self, chemin, donnees, page=None):
        donnees = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **donnees}
        return self.requete("POST", chemin, donnees, page)

    def connecter(self, identifiant):
        self.requete("GET", "/connexion/")
        statut, _, _ = self.poster("/connexion/", {"username": identifiant, "password": MOT_DE_PASSE})
        if statut != 302:
            raise RuntimeError(f"connexion de {identifiant} refusée ({statut})")


class Mesures:
    def __init__(self):
        self.verrou = threading.Lock()
        self.durees, self.statuts = defaultdict(list), defaultdict(lambda: defaultdict(int))

    def noter(self, page, duree, statut):
        with self.verrou:
            self.durees[page].append(duree * 1000)
            self.statuts[page][statut] += 1

    def afficher(self, secondes):
        total = sum(len(d) for d in self.durees.values())
        erreurs = sum(n for s in self.statuts.values() for code, n in s.items() if code == 0 or code >= 500)
        print(
            f"\n{total} requêtes en {secondes:.0f} s : {total / secondes:.1f} requêtes/s, {erreurs} erreurs"
        )
        print(f"{'page':<34}{'nombre':>8}{'médiane (ms)':>14}{'95e centile':>13}{'maximum':>10}  statuts")
        for page in sorted(self.durees):
            d = sorted(self.durees[page])
            p95 = d[int(0.95 * (len(d) - 1))]
            codes = ", ".join(f"{c}×{n}" for c, n in sorted(self.statuts[page].items()))
            print(f"{page:<34}{len(d):>8}{statistics.median(d):>14.1f}{p95:>13.1f}{d[-1]:>10.0f}  {codes}")
        return erreurs


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


def parcourir_en_elu(client, fin, ids, pause=(2, 6)):
    annees, axes = ["2024", "2019"], ids["axes"]
    pages = [
        ("programmation", lambda: "/programmation/"),
        (
            "programmation filtrée",
            lambda: f"/programmation/?annee={random.choice(annees)}&axe={random.choice(axes)}",
        ),
        ("programmation recherche", lambda: "/programmation/?q=emploi&sort=-contribution"),
        ("programmation page 2", lambda: "/programmation/?page=2"),
        ("tableau de bord", lambda: "/programmation/tableau-de-bord/"),
        ("tranches", lambda: "/programmation/tranches/"),
        ("action", lambda: f"/programmation/actions/{random.choice(ids['actions'])}/"),
        ("porteur", lambda: f"/programmation/porteurs/{random.choice(ids['porteurs'])}/"),
    ]
    while time.monotonic() < fin:
        page, chemin = random.choice(pages)
        client.requete("GET", chemin(), page=page)
        time.sleep(random.uniform(*pause))  # a person reads the page before the next one


def instruire_en_agent(client, fin, actions, tranche, modifiees):
    while time.monotonic() < fin:
        action = random.choice(actions)
        _, page, _ = client.requete(
            "GET", f"/programmation/actions/{action}/modifier/", page="formulaire d'action"
        )
        donnees = champs(page, "contribution")
        donnees["contribution"] = str(int(float(donnees["contribution"].replace(",", ".") or 0)) + 1)
        statut, _, _ = client.poster(
            f"/programmation/actions/{action}/modifier/", donnees, page="enregistrer l'action"
        )
        if statut == 302:
            modifiees.append(action)
        client.poster(
            f"/programmation/tranches/{tranche}/ajouter/", {"action": action}, page="composer la tranche"
        )
        client.requete("GET", f"/programmation/tranches/{tranche}/", page="tranche (totaux, contrôles)")
        client.poster(
            f"/programmation/tranches/{tranche}/retirer/", {"action": action}, page="composer la tranche"
        )
        time.sleep(random.uniform(2, 6))


def demander_des_documents(client, fin, tranche, durees):
    while time.monotonic() < fin:
        debut = time.monotonic()
        statut, _, suite = client.requete(
            "GET", f"/programmation/tranches/{tranche}/annexe.pdf", page="annexe (demande)"
        )
        if statut != 302 or not suite:
            continue
        chemin = urllib.parse.urlparse(suite).path
        while time.monotonic() < fin + 120:
            _, page, _ = client.requete("GET", chemin, page="annexe (avancement)")
            if "Télécharger" in page or "Échec" in page:
                durees.append((time.monotonic() - debut, "Échec" not in page))
                break
            time.sleep(1)


def charger(banc, args):
    ids = {
        "actions": [r[0] for r in banc.sql("SELECT id FROM programmation_action WHERE annee = 2024")],
        "porteurs": [r[0] for r in banc.sql("SELECT id FROM programmation_porteur")],
        "axes": [r[0] for r in banc.sql("SELECT id FROM contrat_ville_axe")],
    }
    (tranche_2024,) = banc.sql(
        "SELECT id FROM programmation_tranche WHERE annee = 2024 AND numero = 1 "
        "AND contrat_id = (SELECT contrat_id FROM programmation_action WHERE annee = 2024 LIMIT 1)"
    )
    avant = banc.etat()
    mesures, modifiees, documents = Mesures(), [], []
    fin = time.monotonic() + args.duree
    fils = []
    for n in range(args.elus):
        client = Client(banc.ports, mesures)
        client.connecter(f"elu{n}")
        fils.append(threading.Thread(target=parcourir_en_elu, args=(client, fin, ids)))
    for n in range(args.agents):
        client = Client(banc.ports, mesures)
        client.connecter(f"agent{n}")
        (tranche,) = banc.sql(
            "SELECT id FROM programmation_tranche WHERE numero = %s AND annee = 2025", 10 + n
        )
        actions = [
            r[0]
            for r in banc.sql(
                "SELECT id FROM programmation_action WHERE intitule LIKE %s", f"% de l'agent {n}"
            )
        ]
        fils.append(
            threading.Thread(target=instruire_en_agent, args=(client, fin, actions, tranche[0], modifiees))
        )
    client = Client(banc.ports, mesures)
    client.connecter("agent0")
    fils.append(
        threading.Thread(target=demander_des_documents, args=(client, fin, tranche_2024[0], documents))
    )
    debut = time.monotonic()
    for f in fils:
        f.start()
    for f in fils:
        f.join(timeout=args.duree + 300)
    erreurs = mesures.afficher(time.monotonic() - debut)
    apres = banc.etat()
    print(
        f"\nDocuments : {len(documents)} annexes produites par le service de tâches, "
        f"{sum(1 for _, ok in documents if not ok)} en échec ; durée médiane "
        f"{statistics.median([d for d, _ in documents]) if documents else 0:.1f} s"
    )
    attendu = {
        **avant,
        "contributions": avant["contributions"] + len(modifiees),
        "historique": avant["historique"] + len(modifiees),
    }
    print(f"Modifications voulues par les agents : {len(modifiees)} (+1 € chacune)")
    for cle in avant:
        marque = "identique" if apres[cle] == attendu[cle] else "ÉCART"
        valeurs = f"avant {avant[cle]!s:>12}  après {apres[cle]!s:>12}  attendu {attendu[cle]!s:>12}"
        print(f"  {cle:<15} {valeurs}  {marque}")
    return erreurs == 0 and apres == attendu


def abuser(banc, nombre):
    """Random query strings on the list pages: no answer may be a 500."""
    mesures = Mesures()
    client = Client(banc.ports, mesures)
    client.connecter("elu0")
    pages = [
        "/programmation/",
        "/programmation/tableau-de-bord/",
        "/programmation/tranches/",
        "/deliberations/",
    ]
    debut = time.monotonic()
    for _ in range(nombre):
        parametres = {
            random.choice(PARAMETRES_DES_LISTES): random.choice(
                [*VALEURS_HOSTILES, "".join(random.choices(string.printable, k=12))]
            )
            for _ in range(random.randint(1, 5))
        }
        page = random.choice(pages)
        client.requete("GET", f"{page}?{urllib.parse.urlencode(parametres)}", page=f"abus {page}")
    return mesures.afficher(time.monotonic() - debut) == 0


def pannes(banc):
    """A worker killed in the middle of a document; PostgreSQL restarted under load."""
    ok = True
    client = Client(banc.ports, Mesures())
    client.connecter("agent0")
    (tranche,) = banc.sql("SELECT id FROM programmation_tranche WHERE annee = 2024 AND numero = 1 LIMIT 1")
    # The load run left the annex in the documents' cache (the bench's own MEDIA_ROOT): emptied, so
    # that this request makes it again in the worker.
    for cache in ("cache-documents", "cache-pdf"):
        shutil.rmtree(Path(banc.env["MEDIA_ROOT"]) / cache, ignore_errors=True)
    _, _, suite = client.requete("GET", f"/programmation/tranches/{tranche[0]}/annexe.pdf")
    document = int(re.search(r"/documents/(\d+)/", suite).group(1))
    for _ in range(600):
        (statut,) = banc.sql("SELECT statut FROM contrat_ville_documentgenere WHERE id = %s", document)
        if statut[0] == "en_cours":
            break
        time.sleep(0.05)
    for travailleur in banc.travailleurs:
        travailleur.kill()
    print(f"\nPanne 1 : service de documents tué pendant le document {document} ({statut[0]}).")
    banc.demarrer_travailleur()
    limite = time.monotonic() + 180
    while time.monotonic() < limite:
        client.requete("GET", f"/documents/{document}/")
        (etat,) = banc.sql("SELECT statut, erreur FROM contrat_ville_documentgenere WHERE id = %s", document)
        if etat[0] in ("pret", "echec"):
            break
        time.sleep(2)
    print(f"  → après redémarrage : « {etat[0]} » {etat[1] or ''}")
    ok &= etat[0] in ("pret", "echec")

    print("Panne 2 : la base coupée 15 s (relais du banc) pendant que les élus naviguent.")
    mesures = Mesures()
    elus = [Client(banc.ports, mesures) for _ in range(min(5, banc.args.elus))]
    for n, c in enumerate(elus):
        c.connecter(f"elu{n}")
    fin = time.monotonic() + 50
    ids = {"actions": [1], "porteurs": [1], "axes": [1]}
    # Quick readers, so that requests do arrive while the database is down.
    fils = [threading.Thread(target=parcourir_en_elu, args=(c, fin, ids, (0.1, 0.3))) for c in elus]
    for f in fils:
        f.start()
    time.sleep(10)
    try:
        banc.relais.couper()
        # Longer than the pool's 10 s wait: some requests get the 503 page, the others wait and succeed.
        time.sleep(15)
    finally:
        banc.relais.retablir()
    for f in fils:
        f.join()
    mesures.afficher(50)
    codes = {code for s in mesures.statuts.values() for code in s}
    dernieres = [c.requete("GET", "/programmation/", page="après")[0] for c in elus]
    print(f"  → codes pendant la panne : {sorted(codes)} ; après : {dernieres}")
    ok &= 500 not in codes and all(code == 200 for code in dernieres)
    return ok


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duree", type=int, default=300)
    parser.add_argument("--elus", type=int, default=50)
    parser.add_argument("--agents", type=int, default=5)
    parser.add_argument("--web", type=int, default=1, help="serveurs gunicorn derrière la même base")
    parser.add_argument("--workers", type=int, default=3, help="processus par serveur gunicorn")
    parser.add_argument("--travailleurs", type=int, default=1, help="services de documents")
    parser.add_argument("--abus", type=int, default=0)
    parser.add_argument("--pannes", action="store_true")
    args = parser.parse_args()
    banc = Banc(args)
    try:
        banc.preparer()
        banc.demarrer()
        reussi = charger(banc, args) if args.duree else True
        if args.abus:
            reussi &= abuser(banc, args.abus)
        if args.pannes:
            reussi &= pannes(banc)
    finally:
        banc.arreter()
    print("\nRÉSULTAT :", "rien de perdu, aucune erreur" if reussi else "ÉCHEC (voir ci-dessus)")
    sys.exit(0 if reussi else 1)


if __name__ == "__main__":
    main()
