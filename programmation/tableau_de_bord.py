"""Figures of the dashboard for one contract and year, all computed by the database."""

from django.db.models import Count, Q

from contrat_ville.graphiques import barres
from contrat_ville.models import Enveloppe

from .enums import StatutAction, StatutTranche
from .models import MONTANT_RETENU, Action, Cofinancement, somme

ECARTEES = [StatutAction.REFUSEE, StatutAction.ABANDONNEE]


def _programmees(contrat, annee):
    return Action.objects.filter(contrat=contrat, annee=annee).subventions().exclude(statut__in=ECARTEES)


def par_axe(contrat, annee):
    """Per axe: envelope (when one is set), programmed, voted."""
    votee = Q(tranche__statut=StatutTranche.VOTEE)
    lignes = (
        _programmees(contrat, annee)
        .values("axe", "axe__numero", "axe__devise", "axe__intitule")
        .annotate(programme=somme("contribution"), vote=somme("contribution", votee), nombre=Count("id"))
        .order_by("axe__ordre", "axe__numero")
    )
    enveloppes = dict(
        Enveloppe.objects.filter(contrat=contrat, annee=annee, axe__isnull=False, financeur__isnull=True)
        .values("axe")
        .annotate(total=somme("montant"))
        .values_list("axe", "total")
    )
    niveau = contrat.libelle_niveau
    return [
        {
            "libelle": f"{niveau} {ligne['axe__numero']} : {ligne['axe__devise'] or ligne['axe__intitule']}"
            if ligne["axe"]
            else "Sans axe",
            "enveloppe": enveloppes.get(ligne["axe"]),
            "programme": ligne["programme"],
            "vote": ligne["vote"],
            "nombre": ligne["nombre"],
        }
        for ligne in lignes
    ]


def par_financeur(contrat, annee):
    """The authority's contribution, then each cofinanceur's amounts, with the year's envelopes."""
    actions = _programmees(contrat, annee)
    votee = Q(action__tranche__statut=StatutTranche.VOTEE)
    montant = MONTANT_RETENU
    cofinancements = (
        Cofinancement.objects.filter(action__in=actions)
        .values("financeur", "financeur__nom")
        .annotate(programme=somme(montant), vote=somme(montant, votee))
        .order_by("-programme")
    )
    enveloppes = dict(
        Enveloppe.objects.filter(contrat=contrat, annee=annee, axe__isnull=True, section="")
        .values("financeur")
        .annotate(total=somme("montant"))
        .values_list("financeur", "total")
    )
    collectivite = actions.aggregate(
        programme=somme("contribution"), vote=somme("contribution", Q(tranche__statut=StatutTranche.VOTEE))
    )
    return [
        {"libelle": contrat.collectivite.nom, "enveloppe": enveloppes.get(None), **collectivite},
        *(
            {
                "libelle": c["financeur__nom"],
                "enveloppe": enveloppes.get(c["financeur"]),
                "programme": c["programme"],
                "vote": c["vote"],
            }
            for c in cofinancements
        ),
    ]


def par_territoire(contrat, annee, champ):
    """Contribution per commune or quartier of the actions' quartiers; the others as « transversal »."""
    actions = _programmees(contrat, annee)
    localisees = (
        actions.filter(quartiers__isnull=False)
        .values(f"quartiers__{champ}")
        .annotate(montant=somme("contribution"), nombre=Count("id", distinct=True))
        .order_by("-montant")
    )
    sans = actions.filter(quartiers__isnull=True).aggregate(montant=somme("contribution"), nombre=Count("id"))
    lignes = [
        {"libelle": ligne[f"quartiers__{champ}"], "montant": ligne["montant"], "nombre": ligne["nombre"]}
        for ligne in localisees
    ]
    if sans["nombre"]:
        lignes.append({"libelle": "Transversal ou non localisé", **sans})
    return lignes


def evolution(contrat):
    """Contribution per year for every contract of the same nature of the same authority."""
    return list(
        Action.objects.subventions()
        .filter(contrat__collectivite=contrat.collectivite_id, contrat__nature=contrat.nature)
        .exclude(statut__in=ECARTEES)
        .values("annee")
        .annotate(montant=somme("contribution"), nombre=Count("id"))
        .order_by("annee")
    )


def par_statut(contrat, annee):
    libelles = dict(StatutAction.choices)
    return [
        {"libelle": libelles[ligne["statut"]], "nombre": ligne["nombre"]}
        for ligne in Action.objects.filter(contrat=contrat, annee=annee)
        .values("statut")
        .annotate(nombre=Count("id"))
        .order_by("statut")
    ]


SERIES = [("enveloppe", "Enveloppe"), ("programme", "Programmé"), ("vote", "Voté")]


def tableau(contrat, annee):
    """Every figure and chart of the dashboard of a contract's year."""
    axes, financeurs = par_axe(contrat, annee), par_financeur(contrat, annee)
    communes, quartiers = par_territoire(contrat, annee, "commune"), par_territoire(contrat, annee, "nom")
    evolutions = evolution(contrat)
    contribution = [("montant", "Contribution")]
    return {
        "axes": axes,
        "financeurs": financeurs,
        "communes": communes,
        "quartiers": quartiers,
        "evolution": evolutions,
        "statuts": par_statut(contrat, annee),
        "graphique_axes": barres(axes, SERIES, f"Montants par {contrat.libelle_niveau.lower()}"),
        "graphique_financeurs": barres(financeurs, SERIES, "Montants par financeur"),
        "graphique_communes": barres(communes, contribution, "Contribution par commune"),
        "graphique_evolution": barres(
            [{"libelle": str(e["annee"]), **e} for e in evolutions], contribution, "Évolution"
        ),
    }
