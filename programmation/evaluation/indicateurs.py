"""The officials' indicators: public reached by quartier, sex and age; money per financeur; years.

Every figure is summed by the database, in a fixed number of queries.
"""

from django.db.models import F, IntegerField, Sum

from contrat_ville.formats import nombre
from contrat_ville.graphiques import barres

from ..models import MONTANT_RETENU, Bilan, BilanQuartier, Cofinancement, somme
from .models import TRANCHES_AGE


def _entier(champ):
    """A head count summed, None (shown « non renseigné ») when no bilan gives it: never 0 by default."""
    return Sum(champ, output_field=IntegerField())


def indicateurs(actions, annee):
    """The figures of `annee` among `actions` (an authority's), and the years' evolution."""
    toutes, actions = actions, actions.filter(annee=annee)
    bilans = Bilan.objects.filter(action__in=actions)
    champs = ["public_total", "public_femmes", "public_hommes", "public_qpv"] + [c for c, _ in TRANCHES_AGE]
    public = bilans.aggregate(**{champ: _entier(champ) for champ in champs})
    quartiers = list(
        BilanQuartier.objects.filter(bilan__in=bilans)
        .values("quartier__nom", "quartier__commune")
        .annotate(nombre=_entier("nombre"))
        .order_by("-nombre", "quartier__nom")
    )
    ages = [{"libelle": libelle, "nombre": public[champ]} for champ, libelle in TRANCHES_AGE]
    financeurs = [
        {"libelle": "Contribution de la collectivité", **actions.aggregate(montant=somme("contribution"))}
    ]
    financeurs += list(
        Cofinancement.objects.filter(action__in=actions)
        .values(libelle=F("financeur__nom"))
        .annotate(montant=somme(MONTANT_RETENU))
        .order_by("-montant", "libelle")
    )
    return {
        "public": public,
        "quartiers": quartiers,
        "ages": ages,
        "financeurs": financeurs,
        "evolution": evolution(toutes),
        "graphique_ages": barres(
            ages, [("nombre", "Personnes")], f"Public touché par âge en {annee}", nombre
        ),
        "graphique_financeurs": barres(financeurs, [("montant", "Montant")], f"Financement {annee}"),
    }


def evolution(actions):
    """Public and money year by year (rows: one per year with actions)."""
    par_annee = {
        ligne["annee"]: {**ligne, "cofinancements": 0}
        for ligne in actions.values("annee").annotate(contribution=somme("contribution")).order_by("annee")
    }
    for ligne in (
        Cofinancement.objects.filter(action__in=actions)
        .values("action__annee")
        .annotate(total=somme(MONTANT_RETENU))
    ):
        par_annee[ligne["action__annee"]]["cofinancements"] = ligne["total"]
    for ligne in (
        Bilan.objects.filter(action__in=actions)
        .values("action__annee")
        .annotate(
            public_total=_entier("public_total"),
            public_femmes=_entier("public_femmes"),
            public_qpv=_entier("public_qpv"),
        )
    ):
        par_annee[ligne["action__annee"]].update(ligne)
    return list(par_annee.values())
