"""Benchmark of the spreadsheet import on a generated file (20 000 rows by default).

    .venv/bin/python bench/importation.py [--lignes 20000]

Measures the preview (read, recognise, validate, compare with the database) and the load (which
previews again inside its transaction, then writes with bulk operations), against the floor: raw
openpyxl read-only iteration of the same file. Time, peak Python memory (tracemalloc, in a separate
pass so that it does not slow the timings), process peak (ru_maxrss) and SQL queries. A throw-away
SQLite database, or DATABASE_URL if set. If python-calamine can be imported (for example
`pip install --target /tmp/calamine python-calamine` and PYTHONPATH=/tmp/calamine), it is measured too.
"""

import argparse
import io
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
OBJECTIFS = "Favoriser l'insertion socio-professionnelle des habitants des quartiers prioritaires. " * 3


def preparer_django(base):
    sys.path.insert(0, str(RACINE))
    os.environ["DJANGO_SETTINGS_MODULE"] = "contrat_ville.settings"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{base}")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "banc-d-essai-seulement")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def siret(n):
    from contrat_ville.validators import luhn_valide

    base = f"{n:013d}"
    return next(base + c for c in "0123456789" if luhn_valide(base + c))


def fichier(nombre):
    """A file like an agent's: costs written as text, non-breaking spaces, numbers, 1 porteur in 10 new."""
    from openpyxl import Workbook

    hasard = random.Random(2024)
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet("Demandes")
    feuille.append(
        [
            "N° dossier DAUPHIN",
            "Intitulé de l'action",
            "Porteur",
            "SIRET",
            "Axe",
            "Territoire concerné",
            "Objectifs de l'action",
            "Coût total de l'action",
            "Montant proposé",
        ]
    )
    for i in range(nombre):
        cout = hasard.randint(2_000, 200_000)
        contribution = hasard.randint(500, cout // 2)
        porteur = i % (nombre // 10 or 1)
        feuille.append(
            [
                f"{300000 + i}",
                f"Action d'essai n°{i}",
                f"Association d'essai n°{porteur}",
                siret(porteur) if porteur % 3 == 0 else None,
                f"Défi {2 + i % 3}",
                "QPV et territoires vulnérables",
                OBJECTIFS,
                f"{cout:,} €".replace(",", "\u00a0") if i % 2 else cout,
                f"{contribution:,}".replace(",", " ") if i % 2 else contribution,
            ]
        )
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def lecture_brute(contenu):
    from openpyxl import load_workbook

    classeur = load_workbook(io.BytesIO(contenu), read_only=True)
    n = sum(1 for feuille in classeur.worksheets for _ in feuille.iter_rows(values_only=True))
    classeur.close()
    return n


def lecture_calamine(contenu):
    from python_calamine import CalamineWorkbook

    classeur = CalamineWorkbook.from_filelike(io.BytesIO(contenu))
    return sum(len(classeur.get_sheet_by_name(nom).to_python()) for nom in classeur.sheet_names)


def mesurer(fonction, memoire=False):
    """(seconds, peak MB from tracemalloc or None, result)."""
    if memoire:
        tracemalloc.start()
    debut = time.perf_counter()
    resultat = fonction()
    duree = time.perf_counter() - debut
    pic = None
    if memoire:
        pic = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return duree, pic, resultat


def main():
    arguments = argparse.ArgumentParser()
    arguments.add_argument("--lignes", type=int, default=20_000)
    options = arguments.parse_args()
    with tempfile.TemporaryDirectory() as dossier:
        preparer_django(Path(dossier) / "banc.sqlite3")
        from django.db import transaction

        # Everything is rolled back at the end: DATABASE_URL's database is left as it was.
        with transaction.atomic():
            mesures(options.lignes)
            transaction.set_rollback(True)


def contrat_d_essai():
    from contrat_ville.models import Axe, Collectivite, Contrat, User

    collectivite = Collectivite.objects.create(nom="Agglomération d'essai", nature="epci", siren="244200770")
    contrat = Contrat.objects.create(
        collectivite=collectivite,
        nature="contrat_de_ville",
        intitule="Contrat d'essai",
        annee_debut=2024,
        annee_fin=2030,
        libelle_niveau="Défi",
    )
    for n in range(1, 5):
        Axe.objects.create(contrat=contrat, numero=n, intitule=f"Défi {n}", ordre=n)
    return contrat, User.objects.create(username="banc", collectivite=collectivite)


def mesures(nombre):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from programmation.importation.apercu import preparer
    from programmation.importation.chargement import charger
    from programmation.models import Action

    contrat, auteur = contrat_d_essai()
    debut = time.perf_counter()
    contenu = fichier(nombre)
    print(
        f"Fichier : {nombre} lignes, {len(contenu) / 1e6:.1f} Mo (généré en "
        f"{time.perf_counter() - debut:.1f} s) ; base : {connection.vendor}"
    )

    def apercu():
        return preparer(contenu, "banc.xlsx", contrat, 2024)

    def chargement():
        return charger(contenu, "banc.xlsx", contrat, 2024, None, auteur)

    brut_t, _, lues = mesurer(lambda: lecture_brute(contenu))
    _, brut_m, _ = mesurer(lambda: lecture_brute(contenu), memoire=True)
    with CaptureQueriesContext(connection) as requetes_apercu:
        apercu_t, _, resultat = mesurer(apercu)
    assert resultat.resume["a_creer"] == nombre, resultat.resume
    _, apercu_m, _ = mesurer(apercu, memoire=True)
    with transaction.atomic():
        _, charge_m, _ = mesurer(chargement, memoire=True)
        transaction.set_rollback(True)
    with CaptureQueriesContext(connection) as requetes_charge:
        charge_t, _, resultat = mesurer(chargement)
    assert Action.objects.filter(contrat=contrat).count() == nombre
    reimport_t, _, resultat = mesurer(apercu)
    assert resultat.resume["inchangees"] == nombre, resultat.resume

    print(f"\n{'étape':<44}{'durée':>9}{'pic Python':>13}{'requêtes':>10}")
    print(f"{'lecture brute openpyxl (read-only)':<44}{brut_t:>8.2f}s{brut_m:>10.0f} Mo  ({lues} lignes)")
    try:
        _, cal_m, _ = mesurer(lambda: lecture_calamine(contenu), memoire=True)
        cal_t, _, _ = mesurer(lambda: lecture_calamine(contenu))
        print(f"{'lecture brute python-calamine':<44}{cal_t:>8.2f}s{cal_m:>10.0f} Mo")
    except ImportError:
        print(f"{'lecture brute python-calamine':<44}{'non installé':>9}")
    for libelle, duree, pic, requetes in [
        ("aperçu (lecture + contrôles + comparaison)", apercu_t, apercu_m, len(requetes_apercu)),
        ("chargement (aperçu refait + écritures)", charge_t, charge_m, len(requetes_charge)),
    ]:
        print(f"{libelle:<44}{duree:>8.2f}s{pic:>10.0f} Mo{requetes:>10}")
    print(f"{'ré-import du même fichier (aperçu)':<44}{reimport_t:>8.2f}s")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocessus, pic de mémoire résidente : {rss:.0f} Mo (but : < 500 Mo)")
    print(f"aperçu / lecture brute : {apercu_t / brut_t:.2f}×")
    print(f"chargement seul, comme la commande (une lecture) / lecture brute : {charge_t / brut_t:.2f}×")
    print(
        f"aperçu puis chargement, comme la page / lecture brute : "
        f"{(apercu_t + charge_t) / brut_t:.2f}× (but : 1,5×)"
    )


if __name__ == "__main__":
    main()
