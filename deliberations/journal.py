"""The authority's whole audit trail, one list: changes to actions (amounts, statuses, cofinancements)
and to séances (attendance, votes, withdrawals), newest first, as rows ready for a page or a CSV file."""

from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Cast, Coalesce, Concat

from programmation.models import Modification
from programmation.tableur import csv_francais, texte_sur

from .models import Trace

COLONNES = ["date", "auteur", "objet", "champ", "avant", "apres"]
TITRES = ["Date", "Par", "Objet", "Changement", "Avant", "Après"]


def _auteur():
    return Coalesce(F("auteur__username"), Value("—"), output_field=CharField())


def journal(user):
    """Both trails of the user's authority in one UNION ALL query, newest first."""
    actions = (
        Modification.objects.filter(action__contrat__collectivite=user.collectivite_id)
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
        )
        .values_list("date", "qui", "objet", "champ", "avant", "apres")
        .order_by()
    )
    seances = (
        Trace.objects.visibles_par(user)
        .annotate(
            qui=_auteur(),
            objet=Concat(
                Value("Séance du "),
                Cast("seance__date", CharField()),
                Case(
                    When(deliberation__isnull=True, then=Value("")),
                    default=Concat(Value(", délibération n°"), "deliberation__numero"),
                ),
                output_field=CharField(),
            ),
        )
        .values_list("date", "qui", "objet", "champ", "avant", "apres")
        .order_by()
    )
    return actions.union(seances, all=True).order_by("-date")


def en_csv(lignes):
    return csv_francais(
        TITRES,
        ([date.isoformat(timespec="seconds"), *(texte_sur(v) for v in reste)] for date, *reste in lignes),
    )
