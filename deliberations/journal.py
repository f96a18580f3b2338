"""The authority's whole audit trail, one list: changes to actions (amounts, statuses, cofinancements)
and to séances (attendance, votes, withdrawals), newest first, as rows ready for a page or a CSV file.

The query gives raw rows (`journal`); `lisibles` writes them for a reader: a séance's date in French on
a page, ISO in the CSV file, an action's field and status codes by their labels."""

from django.db.models import Case, CharField, DateField, F, Value, When
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import dateformat, timezone

from programmation.choix import ligne_d_historique
from programmation.models import Modification
from programmation.tableur import csv_francais, texte_sur

from .models import Trace

COLONNES = ["date", "auteur", "objet", "champ", "avant", "apres"]
TITRES = ["Date", "Par", "Objet", "Changement", "Avant", "Après"]
CHAMPS = ("date", "qui", "objet", "champ", "avant", "apres", "jour")


def _auteur():
    return Coalesce(F("auteur__username"), Value("—"), output_field=CharField())


def journal(user, filtrer=None):
    """Both trails of the user's authority in one UNION ALL query, newest first; `filtrer` (a
    queryset of either trail -> the same, filtered: JournalFilter.appliquer) keeps the rows asked for.

    Rows: (date, auteur, objet, champ, avant, apres, jour): `jour` is the séance's date (None for an
    action), its objet the rest of the title, written by `lisibles`."""
    filtrer = filtrer or (lambda lignes: lignes)
    seances = (
        filtrer(Trace.objects.visibles_par(user))
        .annotate(
            qui=_auteur(),
            objet=Case(
                When(deliberation__isnull=True, then=Value("")),
                default=Concat(Value(", délibération n°"), "deliberation__numero"),
                output_field=CharField(),
            ),
            jour=F("seance__date"),
        )
        .values_list(*CHAMPS)
        .order_by()
    )
    actions = (
        filtrer(Modification.objects.filter(action__contrat__collectivite=user.collectivite_id))
        .annotate(
            qui=_auteur(),
            objet=Concat(
                Value("Action « "),
                "action__intitule",
                Value(" » ("),
                Cast("action__annee", CharField()),
                Value(")"),
                output_field=CharField(),
            ),
            jour=Value(None, output_field=DateField()),
        )
        .values_list(*CHAMPS)
        .order_by()
    )
    # Rows of the same instant in a fixed order too: a page and the CSV file, read apart, agree row by row.
    return seances.union(actions, all=True).order_by("-date", "objet", "champ", "avant", "apres")


def lisibles(lignes, iso=False):
    """Raw rows of `journal` as (date, auteur, objet, champ, avant, apres): a séance « du 16 mai 2024 »
    (« du 2024-05-16 » when iso, for a file), an action's codes by their labels."""
    for date, qui, objet, champ, avant, apres, jour in lignes:
        if jour is None:
            champ, avant, apres = ligne_d_historique(champ, avant, apres)
        else:
            quand = jour.isoformat() if iso else dateformat.format(jour, "j F Y")
            objet = f"Séance du {quand}{objet}"
        yield date, qui, objet, champ, avant, apres


def en_csv(lignes):
    """The journal as CSV: dates ISO 8601 in local time (Europe/Paris) with their offset."""
    return csv_francais(
        TITRES,
        (
            [timezone.localtime(date).isoformat(timespec="seconds"), *(texte_sur(v) for v in reste)]
            for date, *reste in lisibles(lignes, iso=True)
        ),
    )
