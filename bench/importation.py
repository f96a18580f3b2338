"""Benchmark of the spreadsheet import on a generated file (20 000 rows by default).

    .venv/bin/python bench/importation.py [--lignes 20000]

Measures the import as the page runs it: the deposit (the file's one reading, its rows kept on
the Importation row), the preview (from the kept rows: recognise, validate, compare with the
database) and the load (the checks and comparison made again under lock from the same kept rows,
then the bulk writes); then the command's load, which reads the bytes once. Against the floors: raw
openpyxl read-only iteration of the same file, and, when installed, python-calamine's read. Time,
peak Python memory (tracemalloc, in a separate pass so that it does not slow the timings), process
peak (ru_maxrss) and SQL queries. A throw-away SQLite database and media folder, or DATABASE_URL if set
(everything is rolled back).
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
    os.environ.setdefault("MEDIA_ROOT", str(Path(base).parent / "media"))
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
    """A faster reader's floor, when python-calamine is installed (pip install python-calamine): the import
    does not use it (a crafted 5 KB file made calamine allocate the whole sheet grid and abort)."""
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
    # The machine may be shared: each duration is the best of a few runs.
    arguments.add_argument("--repetitions", type=int, default=2)
    options = arguments.parse_args()
    with tempfile.TemporaryDirectory() as dossier:
        preparer_django(Path(dossier) / "banc.sqlite3")
        from django.db import transaction

        # Everything is rolled back at the end: DATABASE_URL's database is left as it was.
        with transaction.atomic():
            mesures(options.lignes, options.repetitions)
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


def mesures(nombre, repetitions):
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
    page = Page(contenu, contrat, auteur)

    brut_t, lues = min(mesurer(lambda: lecture_brute(contenu))[::2] for _ in range(repetitions))
    _, brut_m, _ = mesurer(lambda: lecture_brute(contenu), memoire=True)
    try:
        _, cal_m, _ = mesurer(lambda: lecture_calamine(contenu), memoire=True)
        cal_t = min(mesurer(lambda: lecture_calamine(contenu))[0] for _ in range(repetitions))
    except ImportError:
        cal_t = cal_m = float("nan")
    # The page's path: deposit (the one reading, rows kept), preview, then load from the kept rows.
    with transaction.atomic():
        _, page_m, _ = mesurer(page.tout, memoire=True)
        transaction.set_rollback(True)
    essais = []
    for _ in range(repetitions - 1):
        with transaction.atomic():
            essais.append([mesurer(etape)[0] for etape in (page.deposer, page.apercu, page.charger)])
            transaction.set_rollback(True)
    depot_t, _, _ = mesurer(page.deposer)
    with CaptureQueriesContext(connection) as requetes_apercu:
        apercu_t, _, resultat = mesurer(page.apercu)
    assert resultat.resume["a_creer"] == nombre, resultat.resume
    with CaptureQueriesContext(connection) as requetes_charge:
        charge_t, _, _ = mesurer(page.charger)
    assert Action.objects.filter(contrat=contrat).count() == nombre
    essais.append([depot_t, apercu_t, charge_t])
    depot_t, apercu_t, charge_t = (min(durees) for durees in zip(*essais, strict=True))
    reimport_t, _, resultat = mesurer(lambda: preparer(contenu, "banc.xlsx", contrat, 2024))
    assert resultat.resume["inchangees"] == nombre, resultat.resume
    # The command's path: one reading from the bytes, inside the load.
    Action.objects.filter(contrat=contrat).delete()
    commande_t, _, _ = mesurer(lambda: charger(contenu, "banc.xlsx", contrat, 2024, None, auteur))

    print(f"\n{'étape':<52}{'durée':>9}{'pic Python':>13}{'requêtes':>10}")
    lignes = [
        ("lecture brute openpyxl (read-only)", brut_t, brut_m, f"  ({lues} lignes)"),
        ("lecture brute python-calamine", cal_t, cal_m, ""),
        ("page : dépôt (la lecture, lignes conservées)", depot_t, None, ""),
        ("page : aperçu (lignes conservées + contrôles)", apercu_t, None, len(requetes_apercu)),
        ("page : chargement (contrôles refaits + écritures)", charge_t, None, len(requetes_charge)),
        ("page : dépôt + aperçu + chargement", None, page_m, ""),
        ("commande : chargement depuis le fichier (une lecture)", commande_t, None, ""),
        ("ré-import du même fichier (aperçu)", reimport_t, None, ""),
    ]
    for libelle, duree, pic, fin in lignes:
        duree = f"{duree:>8.2f}s" if duree is not None else " " * 9
        pic = f"{pic:>10.0f} Mo" if pic is not None else " " * 13
        fin = f"{fin:>10}" if isinstance(fin, int) else fin
        print(f"{libelle:<52}{duree}{pic}{fin}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocessus, pic de mémoire résidente : {rss:.0f} Mo (but : < 500 Mo)")
    page_t = apercu_t + charge_t
    print(
        f"aperçu puis chargement, par la page / lecture brute openpyxl : {page_t / brut_t:.2f}× (but : 1,5×)"
    )
    print(f"dépôt, aperçu puis chargement / lecture brute openpyxl : {(depot_t + page_t) / brut_t:.2f}×")
    print(f"chargement par la commande (une lecture) / lecture brute openpyxl : {commande_t / brut_t:.2f}×")


class Page:
    """The import page's own code: the deposit form and model, the preview and load of its views."""

    def __init__(self, contenu, contrat, auteur):
        self.contenu, self.contrat, self.auteur, self.importation = contenu, contrat, auteur, None

    def deposer(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from programmation.importation.formulaires import DepotForm
        from programmation.models import Importation

        fichier = SimpleUploadedFile("banc.xlsx", self.contenu)
        form = DepotForm(
            {"contrat": self.contrat.pk, "annee": 2024},
            {"fichier": fichier},
            collectivite=self.contrat.collectivite_id,
        )
        assert form.is_valid(), form.errors
        self.importation = Importation.objects.deposer(
            form.contenu, fichier.name, self.contrat, 2024, self.auteur, feuilles=form.feuilles
        )

    def apercu(self):
        from programmation.views.importation import _apercu

        return _apercu(self.importation)

    def charger(self):
        from programmation.views.importation import _charger

        return _charger(self.importation, self.auteur)

    def tout(self):
        self.deposer()
        self.apercu()
        self.charger()


if __name__ == "__main__":
    main()
