"""Benchmark of the Bureau documents: our PDF against raw WeasyPrint on the very same HTML.

    .venv/bin/python bench/documents.py [--repetitions 3] [--actions 1000]

Each measurement runs in a fresh process (time and peak memory of that process alone), on a
throw-away SQLite database holding the demo data and a synthetic tranche of N actions whose texts
are the seed's own, with an empty MEDIA_ROOT of its own (the first render is not served from the
documents kept by an earlier one). Prints the figures, the ratio ours / raw, the repeat request of
the unchanged document (kept PDF: HTML rendered, no layout) and the goals.
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


def mesurer(base, quoi, fichier_html):
    """One measurement, in this (fresh) process: prints {"secondes", "mo"} as JSON."""
    preparer_django(base)
    import weasyprint

    # Warm-up, not measured: fonts, imports, the database connection and the compiled templates,
    # as in a running server (another, small document goes through the whole path once).
    from deliberations.documents import extrait_pdf
    from deliberations.models import Deliberation

    weasyprint.HTML(string="<p>échauffement</p>").write_pdf()
    extrait_pdf(Deliberation.objects.get(numero="2024.00417"))

    def produire():
        if quoi == "brut":
            weasyprint.HTML(filename=fichier_html, base_url=str(RACINE)).write_pdf()
        elif quoi == "extrait":
            extrait_pdf(Deliberation.objects.get(numero="2024.00230"))
        else:
            from programmation.documents import annexe_pdf
            from programmation.models import Tranche

            annexe_pdf(Tranche.objects.get(annee=2025, intitule="Tranche synthétique"))

    debut = time.perf_counter()
    produire()
    secondes = time.perf_counter() - debut
    mo = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    repetition = None
    if quoi != "brut":
        debut = time.perf_counter()
        produire()  # the same document again, unchanged
        repetition = time.perf_counter() - debut
    print(json.dumps({"secondes": secondes, "mo": mo, "repetition": repetition}))


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
        print(f"Documents, {args.repetitions} répétitions, médiane (processus neuf à chaque mesure)")
        print(
            f"{'document':<34}{'nous (s)':>10}{'brut (s)':>10}{'ratio':>8}{'mémoire (Mo)':>14}"
            f"{'répété (s)':>12}  objectif"
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
            secondes_max, mo_max = OBJECTIFS[quoi]
            objectif = f"ratio ≤ 1,1 ; < {secondes_max:g} s" + (f" ; < {mo_max} Mo" if mo_max else "")
            chiffres = (
                f"{t_nous:>10.2f}{t_brut:>10.2f}{t_nous / t_brut:>8.2f}{memoire:>14.0f}{t_repete:>12.3f}"
            )
            print(f"{libelle:<34}{chiffres}  {objectif}")


if __name__ == "__main__":
    main()
