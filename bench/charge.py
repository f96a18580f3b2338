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

The setup (database, relay, servers, workers) is in bench/banc.py, the users' HTTP client and the
measures in bench/client_http.py.
"""

import argparse
import random
import re
import shutil
import statistics
import string
import sys
import threading
import time
import urllib.parse
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE))
# Beside this file: bench/ is the script's own folder, first on sys.path.
from banc import Banc  # noqa: E402
from client_http import Client, Mesures, champs  # noqa: E402

from tests.hostiles import PARAMETRES_DES_LISTES, VALEURS_HOSTILES  # noqa: E402


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
