"""What the load bench's users browse with: an HTTP client keeping its session and reading forms as a
browser would, and the measures per page (see bench/charge.py)."""

import http.client
import random
import statistics
import threading
import time
import urllib.parse
from collections import defaultdict
from html.parser import HTMLParser

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
