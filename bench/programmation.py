"""Benchmark of the pages officials browse, on a synthetic authority of 5 000 actions over 5 years.

    .venv/bin/python bench/programmation.py [--actions 5000] [--requetes 40]

Measures, through Django's test client in one warm process (a throw-away SQLite database, or
DATABASE_URL if set): the programmation page unfiltered, filtered and sorted, its xlsx export, and
the dashboard; median and 95th percentile, SQL queries. The floor is the same 50 rows rendered by a
plain Django template from one select_related query.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent


def preparer(base):
    sys.path.insert(0, str(RACINE))
    os.environ["DJANGO_SETTINGS_MODULE"] = "contrat_ville.settings"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{base}")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    # Production settings: DEBUG off, hence cached templates (with DEBUG on, every include is reparsed).
    os.environ["DEBUG"] = "false"
    os.environ["SECURE_SSL_REDIRECT"] = "false"  # the test client speaks plain HTTP
    os.environ["STATIC_ROOT"] = str(Path(base).parent / "static")
    os.environ.setdefault("SECRET_KEY", "banc-d-essai-seulement")
    import django

    django.setup()
    from django.core import signals
    from django.core.management import call_command
    from django.db import close_old_connections, reset_queries

    # One persistent connection, as a server with CONN_MAX_AGE would keep (and queries can be counted).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    signals.request_started.disconnect(reset_queries)

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # hashed names, as in production


def peupler(nombre):
    from contrat_ville.models import Axe, Collectivite, Contrat, Financeur, Quartier
    from contrat_ville.roles import synchroniser_roles
    from programmation.models import Action, Cofinancement, Porteur, Tranche

    collectivite = Collectivite.objects.create(nom="Agglomération d'essai", nature="epci", siren="244200770")
    contrat = Contrat.objects.create(
        collectivite=collectivite,
        nature="contrat_de_ville",
        intitule="Contrat d'essai",
        annee_debut=2021,
        annee_fin=2030,
        libelle_niveau="Défi",
    )
    axes = [Axe.objects.create(contrat=contrat, numero=n, intitule=f"Défi {n}", ordre=n) for n in range(1, 5)]
    quartiers = [
        Quartier.objects.create(
            collectivite=collectivite, nom=f"Quartier {n}", commune=f"Commune {n % 6}", nature="qpv"
        )
        for n in range(20)
    ]
    financeurs = [
        Financeur.objects.create(collectivite=collectivite, nom=nom, nature="autre")
        for nom in ("État", "CAF", "ARS")
    ]
    porteurs = Porteur.objects.bulk_create(
        Porteur(
            collectivite=collectivite,
            nom=f"Association n°{n}",
            nature="association",
            commune=f"Commune {n % 6}",
        )
        for n in range(400)
    )
    tranches = {
        (annee, n): Tranche.objects.create(contrat=contrat, annee=annee, numero=n, statut="votee")
        for annee in range(2021, 2026)
        for n in (1, 2)
    }
    objectifs = "Favoriser l'accès à l'emploi des habitants des quartiers prioritaires. " * 4
    actions = Action.objects.bulk_create(
        Action(
            contrat=contrat,
            annee=2021 + i % 5,
            tranche=tranches[(2021 + i % 5, 1 + i % 2)],
            numero_dauphin=str(200000 + i),
            intitule=f"Action d'insertion n°{i}",
            porteur=porteurs[i % len(porteurs)],
            axe=axes[i % 4],
            territoire="QPV",
            objectifs=objectifs,
            cout=Decimal(20000 + i),
            contribution=Decimal(1000 + i % 9000),
            statut="votee",
        )
        for i in range(nombre)
    )
    Cofinancement.objects.bulk_create(
        Cofinancement(action=a, financeur=financeurs[i % 3], montant_accorde=Decimal(500))
        for i, a in enumerate(actions)
    )
    Action.quartiers.through.objects.bulk_create(
        Action.quartiers.through(action_id=a.pk, quartier_id=quartiers[i % 20].pk)
        for i, a in enumerate(actions)
    )
    # Fresh statistics, as autovacuum keeps them on a live database (PostgreSQL; SQLite's own ANALYZE).
    from django.db import connection

    with connection.cursor() as curseur:
        curseur.execute("ANALYZE")
    agents, elus = synchroniser_roles()
    from contrat_ville.models import User

    user = User.objects.create_user("elu", password="x", collectivite=collectivite)
    user.groups.add(elus)
    return user, contrat


def mesurer(fonction, fois):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fonction()  # warm-up
    durees = []
    with CaptureQueriesContext(connection) as requetes:
        fonction()
    nombre = len(requetes.captured_queries)
    for _ in range(fois):
        debut = time.perf_counter()
        fonction()
        durees.append((time.perf_counter() - debut) * 1000)
    durees.sort()
    return statistics.median(durees), durees[int(0.95 * (len(durees) - 1))], nombre


def plancher():
    """The same 50 rows, one select_related query, a plain template: what a page cannot beat."""
    from django.template import Context, Template

    from programmation.models import Action

    gabarit = Template(
        "<table>{% for a in actions %}<tr><td>{{ a.numero_dauphin }}</td><td>{{ a.intitule }}</td>"
        "<td>{{ a.porteur.nom }}</td><td>{{ a.axe.numero }}</td><td>{{ a.territoire }}</td>"
        "<td>{{ a.cout }}</td><td>{{ a.contribution }}</td><td>{{ a.statut }}</td></tr>{% endfor %}</table>"
    )

    def rendre():
        actions = Action.objects.select_related("porteur", "axe").order_by("annee", "pk")[:50]
        return gabarit.render(Context({"actions": list(actions)}))

    return rendre


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--actions", type=int, default=5000)
    parser.add_argument("--requetes", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as dossier:
        preparer(Path(dossier) / "bench.sqlite3")
        from django.test import Client
        from django.urls import reverse

        debut = time.perf_counter()
        user, contrat = peupler(args.actions)
        print(f"{args.actions} actions créées en {time.perf_counter() - debut:.1f} s")
        client = Client()
        client.force_login(user)
        liste = reverse("programmation:programmation")
        axe = contrat.axes.first().pk
        pages = [
            ("plancher : 50 lignes, une requête, gabarit simple", plancher()),
            ("programmation, sans filtre", lambda: client.get(liste)),
            (
                "programmation, filtrée (défi, commune, texte)",
                lambda: client.get(liste, {"axe": axe, "commune": "Commune 2", "q": "insertion"}),
            ),
            ("programmation, triée par porteur", lambda: client.get(liste, {"sort": "porteur"})),
            (
                "tableau de bord",
                lambda: client.get(
                    reverse("programmation:tableau_de_bord"), {"contrat": contrat.pk, "annee": 2025}
                ),
            ),
            (f"export xlsx ({args.actions} lignes)", lambda: client.get(liste, {"export": "xlsx"})),
        ]
        if os.environ.get("PROFIL"):
            import cProfile
            import pstats

            client.get(liste)  # warm: the profile shows a request as a running server serves it
            cProfile.runctx("client.get(liste)", globals(), locals(), "/tmp/profil")
            pstats.Stats("/tmp/profil").sort_stats(os.environ.get("PROFIL_TRI", "tottime")).print_stats(
                int(os.environ.get("PROFIL_LIGNES", "25"))
            )
        print(f"{'page':<52}{'médiane (ms)':>14}{'95e centile':>13}{'requêtes':>10}{'/ plancher':>12}")
        base = None
        for nom, fonction in pages:
            fois = 3 if "export" in nom else args.requetes
            mediane, p95, requetes = mesurer(fonction, fois)
            base = base or mediane
            print(f"{nom:<52}{mediane:>14.1f}{p95:>13.1f}{requetes:>10}{mediane / base:>12.1f}")
        print(
            "Objectifs : programmation ≤ 2,5 × le plancher et < 60 ms, ≤ 6 requêtes ; "
            "tableau de bord < 150 ms ; export de 5 000 lignes < 3 s."
        )


if __name__ == "__main__":
    main()
