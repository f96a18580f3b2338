"""Benchmark of the documents through the real view, against raw WeasyPrint on the very same HTML.

    .venv/bin/python bench/documents.py [--repetitions 3] [--actions 1000]

Each measurement runs in a fresh process (time and peak memory of that process alone), on a
throw-away SQLite database holding the demo data and a synthetic tranche of N actions whose texts
are the seed's own, with an empty MEDIA_ROOT of its own (the first render is not served from the
documents kept by an earlier one). For the 49-action extract and the N-action annex: first render
through the view (a large one through the worker, run in the same process), repeat download of the
unchanged document and revalidation (304), each against raw WeasyPrint; figures, ratios and goals.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
OBJECTIFS = {"extrait": (2.0, None), "annexe": (12.0, 600)}  # seconds, MB


def preparer_django(base):
    sys.path.insert(0, str(RACINE))
    os.environ["DJANGO_SETTINGS_MODULE"] = "contrat_ville.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{base}"
    # Kept PDFs go to a directory of this process alone, never to the project's media.
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="bench-documents-")
    import django

    django.setup()


def creer_base(base, nombre_actions):
    preparer_django(base)
    from django.core.management import call_command

    from contrat_ville.models import Contrat
    from programmation.models import Action, Tranche

    call_command("migrate", verbosity=0)
    call_command("loaddata", "sem_referentiel", "sem_programmation", "sem_deliberations", verbosity=0)
    modeles = list(Action.objects.filter(annee=2024, contrat__nature="contrat_de_ville"))
    contrat = Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)
    tranche = Tranche.objects.create(contrat=contrat, annee=2025, numero=1, intitule="Tranche synthétique")
    Action.objects.bulk_create(
        Action(
            contrat=contrat,
            annee=2025,
            tranche=tranche,
            ordre=i,
            numero_dauphin=str(300000 + i),
            intitule=f"{m.intitule} ({i})",
            porteur_id=m.porteur_id,
            axe_id=m.axe_id,
            territoire=m.territoire,
            objectifs=m.objectifs,
            cout=m.cout,
            contribution=m.contribution,
            statut="proposee",
        )
        for i, m in enumerate((modeles[i % len(modeles)] for i in range(nombre_actions)), start=1)
    )
    return tranche.pk


def mesurer(base, quoi, fichier_html, repetitions=20):
    """One measurement, in this (fresh) process: prints its figures as JSON.

    `brut`: raw WeasyPrint on the document's HTML. Otherwise the document through the real view (Django's
    test client, logged in as an agent): the first request with an empty cache (a large document: the
    request, the worker run here until the queue is empty, the download), then `repetitions` repeat
    downloads and as many revalidations (If-None-Match: 304), medians."""
    preparer_django(base)
    import weasyprint

    weasyprint.HTML(string="<p>échauffement</p>").write_pdf()  # fonts: loaded once in a running server
    if quoi == "brut":
        debut = time.perf_counter()
        weasyprint.HTML(filename=fichier_html, base_url=str(RACINE)).write_pdf()
        secondes = time.perf_counter() - debut
        print(
            json.dumps(
                {"secondes": secondes, "mo": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
            )
        )
        return
    client = _client()
    # Warm-up, not measured: imports, the connection, the compiled templates, as in a running server.
    _obtenir(client, _adresse("extrait", "2024.00417"))
    adresse = _adresse(quoi, "2024.00230")
    debut = time.perf_counter()
    reponse = _obtenir(client, adresse)
    secondes = time.perf_counter() - debut
    mo = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    repetes, revalides = [], []
    for _ in range(repetitions):
        debut = time.perf_counter()
        repete = client.get(adresse)
        repetes.append(time.perf_counter() - debut)
        assert repete.status_code == 200 and repete.content == reponse.content, repete.status_code
        debut = time.perf_counter()
        revalide = client.get(adresse, headers={"If-None-Match": reponse["ETag"]})
        revalides.append(time.perf_counter() - debut)
        assert revalide.status_code == 304, revalide.status_code
    print(
        json.dumps(
            {
                "secondes": secondes,
                "mo": mo,
                "repetition": statistics.median(repetes),
                "revalidation": statistics.median(revalides),
                "taille": len(reponse.content),
            }
        )
    )


def _client():
    from django.contrib.auth.models import Group
    from django.test import Client
    from django.test.utils import setup_test_environment

    from contrat_ville.models import Collectivite, User
    from contrat_ville.roles import AGENTS, synchroniser_roles

    setup_test_environment()  # the test client's host, "testserver", is allowed
    synchroniser_roles()
    collectivite = Collectivite.objects.get(siren="244200770")  # Saint-Étienne Métropole
    agent, _ = User.objects.get_or_create(username="bench-agent", defaults={"collectivite": collectivite})
    agent.groups.add(Group.objects.get(name=AGENTS))
    client = Client()
    client.force_login(agent)
    return client


def _adresse(quoi, numero):
    from django.urls import reverse

    from deliberations.models import Deliberation
    from programmation.models import Tranche

    if quoi == "extrait":
        return reverse("deliberations:extrait_pdf", args=[Deliberation.objects.get(numero=numero).pk])
    tranche = Tranche.objects.get(annee=2025, intitule="Tranche synthétique")
    return reverse("programmation:tranche_annexe_pdf", args=[tranche.pk])


def _obtenir(client, adresse):
    """The document, through the worker when the view queues it (302 to its progress page)."""
    from django.core.management import call_command

    reponse = client.get(adresse)
    if reponse.status_code == 302:
        call_command("travailleur", "--batch", "--no-startup-delay", verbosity=0)
        reponse = client.get(adresse)
    assert reponse.status_code == 200 and reponse.content.startswith(b"%PDF"), reponse.status_code
    return reponse


def ecrire_html(base, dossier):
    preparer_django(base)
    from deliberations.documents import extrait_html
    from deliberations.models import Deliberation
    from programmation.documents import annexe_html
    from programmation.models import Tranche

    chemins = {"extrait": dossier / "extrait.html", "annexe": dossier / "annexe.html"}
    chemins["extrait"].write_text(extrait_html(Deliberation.objects.get(numero="2024.00230")))
    chemins["annexe"].write_text(annexe_html(Tranche.objects.get(annee=2025, intitule="Tranche synthétique")))
    return {k: str(v) for k, v in chemins.items()}


def lancer(*arguments):
    resultat = subprocess.run(
        [sys.executable, __file__, *arguments], capture_output=True, text=True, cwd=RACINE
    )
    if resultat.returncode:
        sys.exit(f"Échec de la mesure {arguments[2]} :\n{resultat.stderr}")
    return json.loads(resultat.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--actions", type=int, default=1000)
    parser.add_argument("--interne", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.interne:
        base, quoi, fichier = args.interne
        if quoi == "creer":
            print(json.dumps({"tranche": creer_base(base, int(fichier))}))
        elif quoi == "html":
            print(json.dumps(ecrire_html(base, Path(fichier))))
        else:
            mesurer(base, quoi, fichier)
        return

    with tempfile.TemporaryDirectory() as dossier:
        base = str(Path(dossier) / "bench.sqlite3")
        lancer("--interne", base, "creer", str(args.actions))
        fichiers = lancer("--interne", base, "html", dossier)
        print(
            f"Documents à travers la vue, {args.repetitions} mesures (processus neuf à chaque fois),"
            " médianes ; répété et 304 : médiane de 20 requêtes"
        )
        print(
            f"{'document':<34}{'1er rendu (s)':>14}{'brut (s)':>10}{'ratio':>7}{'mémoire (Mo)':>14}"
            f"{'répété (ms)':>13}{'brut/répété':>13}{'304 (ms)':>10}{'brut/304':>10}  objectif"
        )
        for quoi, libelle in (
            ("extrait", "extrait 2024.00230 (49 actions)"),
            ("annexe", f"annexe de {args.actions} actions"),
        ):
            nous = [lancer("--interne", base, quoi, "-") for _ in range(args.repetitions)]
            brut = [lancer("--interne", base, "brut", fichiers[quoi]) for _ in range(args.repetitions)]
            t_nous = statistics.median(m["secondes"] for m in nous)
            t_brut = statistics.median(m["secondes"] for m in brut)
            memoire = max(m["mo"] for m in nous)
            t_repete = statistics.median(m["repetition"] for m in nous)
            t_304 = statistics.median(m["revalidation"] for m in nous)
            secondes_max, mo_max = OBJECTIFS[quoi]
            objectif = f"1er rendu < {secondes_max:g} s" + (f" ; < {mo_max} Mo" if mo_max else "")
            objectif += " ; répété < 50 ms"
            chiffres = (
                f"{t_nous:>14.2f}{t_brut:>10.2f}{t_nous / t_brut:>7.2f}{memoire:>14.0f}"
                f"{t_repete * 1000:>13.1f}{t_brut / t_repete:>13.0f}"
                f"{t_304 * 1000:>10.1f}{t_brut / t_304:>10.0f}"
            )
            print(f"{libelle:<34}{chiffres}  {objectif}")


if __name__ == "__main__":
    main()
