"""The pages the bench measures, each beside its floor (the same rows, the same queryset, rendered by a
minimal template or writer), and the table of measures (see bench/programmation.py)."""

import io
import re
import statistics
import time
from contextlib import contextmanager

from peuplement import ANNEE_COMPLETE

LIGNES_EXPORT = 5000


def mesurer(fonction, fois):
    """(median ms, 95th percentile ms (nearest rank), SQL of one call), after one warm-up call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fonction()
    with CaptureQueriesContext(connection) as requetes:
        fonction()
    # Read now: the context reconnects reset_queries on exit, so the next request clears the log.
    sql = [q["sql"] for q in requetes.captured_queries]
    mesurer.lentes = sorted(requetes.captured_queries, key=lambda q: -float(q["time"]))[:3]
    durees = []
    for _ in range(fois):
        debut = time.perf_counter()
        fonction()
        durees.append((time.perf_counter() - debut) * 1000)
    durees.sort()
    p95 = durees[max(0, -(-95 * len(durees) // 100) - 1)]
    return statistics.median(durees), p95, sql


@contextmanager
def contexte_de_la_page(*cles):
    """The values the page's own template received (its first rendered template: the view's context)."""
    from django.template.base import Template

    vu = {}
    original = Template._render

    def espion(self, context):
        if not vu:
            vu.update({cle: context.get(cle) for cle in cles}, rendu=True)
        return original(self, context)

    Template._render = espion
    try:
        yield vu
    finally:
        Template._render = original


@contextmanager
def ecrivain_de_l_export():
    """The queryset the export view hands to its xlsx writer."""
    from programmation.views import consultation

    vu = {}
    original = consultation.en_xlsx

    def espion(queryset, *args, **kwargs):
        vu["queryset"] = queryset
        return original(queryset, *args, **kwargs)

    consultation.en_xlsx = espion
    try:
        yield vu
    finally:
        consultation.en_xlsx = original


def queryset_de(objet, page):
    """The QuerySet behind rows a page iterated: a QuerySet, a paginator's Page of one, or the rows of
    a django-tables2 page (BoundRows over the sliced QuerySet)."""
    from django.db.models import QuerySet

    for candidat in (objet, getattr(objet, "object_list", None), getattr(objet, "data", None)):
        if isinstance(candidat, QuerySet):
            return candidat
    raise RuntimeError(
        f"{page} : les lignes rendues ne viennent pas d'un QuerySet ({type(objet)}) ; adapter le plancher."
    )


GABARIT_LISTE = (
    "{% load formats_fr %}<table>{% for a in lignes %}<tr><td>{{ a.numero_dauphin|default:'—' }}</td>"
    "<td>{{ a.annee }}</td><td>{{ a.intitule }}</td><td>{{ a.porteur.nom }}</td>"
    "<td>{% if a.axe %}{{ a.axe.contrat.libelle_niveau }} {{ a.axe.numero }}{% endif %}</td>"
    "<td>{{ a.territoire|default:'—' }}</td><td>{{ a.cout|euros|default:'—' }}</td>"
    "<td>{{ a.contribution|euros }}</td><td>{{ a.total_cofinancements|euros }}</td>"
    "<td>{{ a.get_statut_display }}</td></tr>{% endfor %}</table>"
)


GABARIT_PORTEUR = (
    "{% load formats_fr %}<table>{% for a in lignes %}<tr><td>{{ a.annee }}</td><td>{{ a.intitule }}</td>"
    "<td>{{ a.tranche.contrat.intitule|default:'' }}</td><td>{{ a.cout|euros_connus }}</td>"
    "<td>{{ a.contribution|euros }}</td><td>{{ a.get_statut_display }}</td></tr>{% endfor %}</table>"
)


GABARIT_TABLEAU = (
    "{% load formats_fr %}<table>{% for l in lignes %}<tr><td>{{ l.libelle }}</td>"
    "<td>{{ l.enveloppe|euros }}</td><td>{{ l.programme|euros }}</td><td>{{ l.vote|euros }}</td>"
    "<td>{{ l.nombre }}</td></tr>{% endfor %}</table>"
)


def rendu_minimal(gabarit, lignes):
    """A plain Django template (no table library, no layout) over rows fetched anew at each call."""
    from django.template import engines

    modele = engines["django"].from_string(gabarit)
    return lambda: modele.render({"lignes": lignes()})


def export_minimal(queryset):
    """The same rows, the same columns and SQL as the page's writer, by openpyxl in write-only mode."""
    from openpyxl import Workbook

    from programmation.exports import COLONNES

    champs = [c for c, _ in COLONNES]

    def ecrire():
        classeur = Workbook(write_only=True)
        feuille = classeur.create_sheet("Programmation")
        feuille.append([titre for _, titre in COLONNES])
        for ligne in queryset.values(*champs).iterator(chunk_size=2000):
            feuille.append([ligne[c] for c in champs])
        classeur.save(io.BytesIO())

    return ecrire


def parametres_de_l_export():
    """Filters that leave about LIGNES_EXPORT actions: a complete year, cut by a minimal contribution."""
    from programmation.models import Action

    actions = Action.objects.filter(contrat__collectivite=1).order_by()
    filtres = {}
    if actions.filter(annee=ANNEE_COMPLETE).count() >= LIGNES_EXPORT:
        filtres["annee"] = str(ANNEE_COMPLETE)
        actions = actions.filter(annee=ANNEE_COMPLETE)
    if actions.count() > LIGNES_EXPORT:
        seuil = actions.order_by("-contribution").values_list("contribution", flat=True)[LIGNES_EXPORT - 1]
        filtres["contribution_min"] = str(seuil)
    return filtres


PLANCHER_LISTE = (
    "les lignes de la page (50 au plus ; son queryset : filtres, tri, tranche, annotations), mêmes colonnes"
)


PLANCHER_TABLEAU = "sa figure principale (par_axe, la même requête groupée)"


PLANCHER_PORTEUR = "le queryset des actions que la page a rendu, mêmes colonnes"


PLANCHER_EXPORT = (
    "les mêmes lignes (queryset et .values() de la page), openpyxl write-only, sans styles ni totaux"
)


def pages_et_planchers(client):
    """[(page call, preparer, what the floor is)] for the élu the client is logged in as; preparer() reads
    the rows the page renders at that moment and returns (name, floor call)."""
    from django.db.models import Count
    from django.urls import reverse

    from contrat_ville.models import Contrat
    from programmation import tableau_de_bord as tdb
    from programmation.models import Porteur

    liste = reverse("programmation:programmation")
    contrat = Contrat.objects.get(pk=1)
    axe = contrat.axes.order_by("numero").first().pk
    porteur = Porteur.objects.filter(collectivite_id=1).annotate(n=Count("actions")).order_by("-n").first()

    def appel(url, parametres=None):
        def get():
            reponse = client.get(url, parametres)
            if reponse.status_code != 200:
                raise RuntimeError(f"{url} {parametres} : {reponse.status_code}")

        return get

    def capture_de_liste(nom, page):
        # Read just before the page is measured: a page naming a year (the filtered list, the dashboard)
        # becomes the élu's remembered choice, which the unfiltered list then shows.
        def preparer():
            with contexte_de_la_page("table") as vu:
                page()
            lignes = queryset_de(vu["table"].page.object_list, nom)
            plancher = rendu_minimal(GABARIT_LISTE, lambda: list(lignes.all()))
            return f"{nom} [{vu['table'].paginator.count} actions]", plancher

        return preparer

    resultat = []
    for nom, parametres in [
        ("programmation, sans filtre", {}),
        (
            "programmation, filtrée (année + axe + texte)",
            {"annee": ANNEE_COMPLETE, "axe": axe, "q": "insertion"},
        ),
        ("recherche « reussite » (sans accent)", {"q": "reussite"}),
    ]:
        page = appel(liste, parametres)
        resultat.append((page, capture_de_liste(nom, page), PLANCHER_LISTE))

    # The dashboard lists no rows: its floor is its main figure, the year's programmed actions summed per
    # axe by the page's own function, in a plain template.
    tableau = appel(
        reverse("programmation:tableau_de_bord"), {"contrat": contrat.pk, "annee": ANNEE_COMPLETE}
    )
    plancher = rendu_minimal(GABARIT_TABLEAU, lambda: tdb.par_axe(contrat, ANNEE_COMPLETE))
    resultat.append((tableau, lambda: ("tableau de bord", plancher), PLANCHER_TABLEAU))

    page = appel(reverse("programmation:porteur", args=[porteur.pk]))

    def capture_du_porteur(page=page):
        with contexte_de_la_page("actions") as vu:
            page()
        actions = queryset_de(vu["actions"], "porteur")
        return f"porteur [{porteur.n} actions]", rendu_minimal(GABARIT_PORTEUR, lambda: list(actions.all()))

    resultat.append((page, capture_du_porteur, PLANCHER_PORTEUR))

    export = appel(liste, {**parametres_de_l_export(), "export": "xlsx"})

    def capture_de_l_export():
        with ecrivain_de_l_export() as vu:
            export()
        lignes = vu["queryset"]
        return f"export xlsx [{lignes.count()} lignes]", export_minimal(lignes)

    resultat.append((export, capture_de_l_export, PLANCHER_EXPORT))
    return resultat


def sans_curseur(sql):
    # iterator() reads through a server-side cursor on PostgreSQL, named anew at each call.
    return re.sub(r"_django_curs_\w+", "curseur", sql)


def expliquer(requetes_lentes):
    """The slowest queries of one call, with PostgreSQL's plan: where an index or a summary would pay."""
    from django.db import connection

    for requete in requetes_lentes:
        print(f"    {float(requete['time']) * 1000:.0f} ms : {requete['sql'][:400]}")
        if connection.vendor == "postgresql" and requete["sql"].lstrip().upper().startswith("SELECT"):
            with connection.cursor() as curseur:
                curseur.execute("EXPLAIN (ANALYZE, BUFFERS) " + requete["sql"])
                for (ligne,) in curseur.fetchall()[:25]:
                    print(f"      {ligne}")


def tableau_des_mesures(pages, requetes, lentes=False):
    print("| page | médiane (ms) | p95 | requêtes | plancher (ms) | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    notes = []
    for page, preparer, description in pages:
        nom, plancher = preparer()
        fois = min(requetes, 5) if "export" in nom else requetes
        mediane, p95, sql_page = mesurer(page, fois)
        lentes_de_la_page = mesurer.lentes
        plancher_ms, _, sql_plancher = mesurer(plancher, fois)
        colonnes = [nom, f"{mediane:.1f}", f"{p95:.1f}", len(sql_page), f"{plancher_ms:.1f}"]
        print("| " + " | ".join(map(str, colonnes)) + f" | {mediane / plancher_ms:.1f} |")
        if lentes:
            expliquer(lentes_de_la_page)
        identique = (
            "le même SQL que"
            if set(map(sans_curseur, sql_plancher)) <= set(map(sans_curseur, sql_page))
            else "PAS le même SQL que"
        )
        notes.append(f"- {nom} : {description} ; {len(sql_plancher)} requête(s), {identique} la page")
    print(f"\n{requetes} mesures par page ({min(requetes, 5)} pour l'export), après un appel à blanc.")
    print("Plancher = le travail que la page ne peut éviter, rendu par un gabarit Django simple (sans table")
    print("django-tables2 ni mise en page, montants au même format) :")
    print("\n".join(notes))
