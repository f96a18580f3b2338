"""The choice lists of the programmation's filters, read in one query.

Eight lists (contracts, years, axes, tranches, porteurs, communes, quartiers, financeurs) would cost eight
round trips on every page view; one UNION of uniform rows costs one. Each row is
(list, id, four texts, three numbers); `LISTES` says how a list names and orders its rows.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, Count, F, IntegerField, Value
from django.utils.text import capfirst

from contrat_ville.enums import Section
from contrat_ville.models import Axe, Contrat, Financeur, Quartier

from .enums import StatutAction
from .models import Action, Porteur, Tranche

COLONNES = ("liste", "ident", "t1", "t2", "t3", "t4", "n1", "n2", "n3")


def _ligne(queryset, liste, ident="pk", textes=(), nombres=()):
    textes = [F(t) for t in textes] + [Value("", output_field=CharField())] * (4 - len(textes))
    nombres = [F(n) for n in nombres] + [Value(0, output_field=IntegerField())] * (3 - len(nombres))
    valeurs = [Value(liste, output_field=CharField()), F(ident) if ident else Value(0), *textes, *nombres]
    # order_by(): a compound statement allows no ORDER BY in its parts; rows are sorted in Python.
    return queryset.order_by().annotate(**dict(zip(COLONNES, valeurs, strict=True))).values_list(*COLONNES)


# list: (label of a row, sort key of a row); r = (id, t1, t2, t3, t4, n1, n2, n3)
LISTES = {
    "contrat": (lambda r: f"{r[1]} ({r[5]}-{r[6]})", lambda r: (-r[5], r[1])),
    "annee": (lambda r: str(r[5]), lambda r: -r[5]),
    "axe": (lambda r: f"{r[1]} {r[5]} : {r[2] or r[3]}", lambda r: (-r[7], r[4], r[6], r[5])),
    "tranche": (lambda r: f"{r[1]} — {r[5]} T{r[6]}", lambda r: (-r[7], r[1], -r[5], r[6])),
    "porteur": (lambda r: r[1], lambda r: r[1]),
    "commune": (lambda r: r[1], lambda r: r[1]),
    "quartier": (lambda r: f"{r[1]} : {r[2]}", lambda r: (r[1], r[2])),
    "financeur": (lambda r: r[1], lambda r: r[1]),
}


def choix_des_filtres(collectivite_id):
    """{list: [(value, label), …]} for one authority; a year and a commune are their own value."""
    de_la_collectivite = {"collectivite": collectivite_id}
    du_contrat = {"contrat__collectivite": collectivite_id}
    parties = [
        _ligne(
            Contrat.objects.filter(**de_la_collectivite),
            "contrat",
            textes=["intitule"],
            nombres=["annee_debut", "annee_fin"],
        ),
        # Grouped by year on the (contrat, annee) index: the UNION then compares ten rows, not every action.
        _ligne(
            Action.objects.filter(**du_contrat).order_by().values("annee").annotate(nombre=Count("annee")),
            "annee",
            ident=None,
            nombres=["annee"],
        ),
        _ligne(
            Axe.objects.filter(**du_contrat),
            "axe",
            textes=["contrat__libelle_niveau", "devise", "intitule", "contrat__intitule"],
            nombres=["numero", "ordre", "contrat__annee_debut"],
        ),
        _ligne(
            Tranche.objects.filter(**du_contrat),
            "tranche",
            textes=["contrat__intitule"],
            nombres=["annee", "numero", "contrat__annee_debut"],
        ),
        _ligne(Porteur.objects.filter(**de_la_collectivite), "porteur", textes=["nom"]),
        _ligne(
            Porteur.objects.filter(**de_la_collectivite).exclude(commune=""),
            "commune",
            ident=None,
            textes=["commune"],
        ),
        _ligne(Quartier.objects.filter(**de_la_collectivite), "commune", ident=None, textes=["commune"]),
        _ligne(Quartier.objects.filter(**de_la_collectivite), "quartier", textes=["commune", "nom"]),
        _ligne(Financeur.objects.filter(**de_la_collectivite), "financeur", textes=["nom"]),
    ]
    # UNION, not UNION ALL: the same year or commune comes once.
    lignes = parties[0].union(*parties[1:])
    par_liste = {liste: [] for liste in LISTES}
    for liste, *ligne in lignes:
        par_liste[liste].append(ligne)
    choix = {}
    for liste, (libelle, cle) in LISTES.items():
        rangees = sorted(par_liste[liste], key=cle)
        sans_ident = liste in ("annee", "commune")
        choix[liste] = [(libelle(r) if sans_ident else r[0], libelle(r)) for r in rangees]
    return choix


# The history of an action (Modification) names a field by its code and, before the labels were
# written there (Action.instantane), a status or a section by its code: shown by their labels.
LIBELLES_DES_CODES = {"statut": dict(StatutAction.choices), "section": dict(Section.choices)}


def libelle_du_champ(champ):
    """« statut » → « Statut », « cout » → « Coût de l'action »; any other name (cofinancement …) as is."""
    try:
        return capfirst(Action._meta.get_field(champ).verbose_name)
    except FieldDoesNotExist:
        return champ


def ligne_d_historique(champ, avant, apres):
    """(champ, avant, apres) as shown: the field's label, a code of a choice by its label."""
    libelles = LIBELLES_DES_CODES.get(champ, {})
    return libelle_du_champ(champ), libelles.get(avant, avant), libelles.get(apres, apres)
