"""When a subsidy needs a convention: the law (above 23 000 € a year to a private body), the authority's
own rules (public bodies, a local threshold, investment) and multi-year actions.

Read by the checks before the vote (controles.conventions), the conventions page, the convention's
document and the open data's selection (deliberations/opendata.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from contrat_ville.enums import Section
from contrat_ville.formats import euros
from contrat_ville.models import Collectivite

from .enums import NaturePorteur, StatutAction
from .models import Action, somme

# Loi 2000-321 art. 10 and décret 2001-495 art. 1: a convention above this annual amount per porteur.
SEUIL_CONVENTION = Collectivite.SEUIL_LEGAL_CONVENTION

# Loi 2000-321 art. 10 binds organismes de droit privé only. A bailleur is taken as public (an OPH):
# the nature does not tell an OPH from a private ESH, and a wrong « public » only loses a warning the
# authority can restore with `convention_organismes_publics`. « Autre » stays private: asking is safer.
ORGANISMES_PUBLICS = {NaturePorteur.COLLECTIVITE, NaturePorteur.BAILLEUR, NaturePorteur.ETABLISSEMENT_PUBLIC}

LOI = "loi"
INVESTISSEMENT = "investissement"
ORGANISME_PUBLIC = "organisme_public"
SEUIL_LOCAL = "seuil_local"
PLURIANNUELLE = "pluriannuelle"
REGLE_LEGALE = (
    "loi n° 2000-321 du 12 avril 2000, art. 10 et décret n° 2001-495 du 6 juin 2001 "
    f"(plus de {euros(SEUIL_CONVENTION)} par an à un organisme de droit privé)"
)
REGLE_LOCALE_SANS_REFERENCE = "politique de conventionnement de la collectivité"


@dataclass(frozen=True)
class Obligation:
    """Why an action needs a convention (motif, with its figures) and the rule that says so."""

    code: str
    motif: str
    regle: str

    @property
    def legale(self) -> bool:
        return self.code == LOI

    def __str__(self) -> str:
        return f"{self.motif} ; {self.regle}"


def regle_locale(collectivite: Collectivite, precision: str) -> str:
    """« règle de la collectivité : délibération n°… (subvention d'investissement) »."""
    reference = collectivite.convention_regle_locale.strip() or REGLE_LOCALE_SANS_REFERENCE
    return f"règle de la collectivité : {reference} ({precision})"


def raison_convention(action: Action, annuel: Decimal, collectivite: Collectivite) -> Obligation | None:
    """The Obligation that makes an action need a convention, or None; annuel: the porteur's year.

    The law first (it binds whatever the authority decides), then the authority's own rules.
    """
    if action.maitrise_ouvrage_collectivite:
        return None
    public = action.porteur.nature in ORGANISMES_PUBLICS
    accorde = f"{euros(annuel)} accordés en {action.annee} à « {action.porteur} »"
    if annuel > SEUIL_CONVENTION and not public:
        return Obligation(LOI, f"{accorde}, au-delà de {euros(SEUIL_CONVENTION)}", REGLE_LEGALE)
    soumis_aux_seuils = not public or collectivite.convention_organismes_publics
    if public and annuel > SEUIL_CONVENTION and soumis_aux_seuils:
        return Obligation(
            ORGANISME_PUBLIC,
            f"{accorde}, au-delà de {euros(SEUIL_CONVENTION)}",
            regle_locale(collectivite, "organisme public"),
        )
    seuil = collectivite.convention_seuil_local
    if seuil is not None and annuel > seuil and soumis_aux_seuils:
        return Obligation(
            SEUIL_LOCAL,
            f"{accorde}, au-delà de {euros(seuil)}",
            regle_locale(collectivite, f"seuil local de {euros(seuil)}"),
        )
    if action.section == Section.INVESTISSEMENT and collectivite.convention_investissement:
        return Obligation(
            INVESTISSEMENT,
            "subvention d'investissement",
            regle_locale(collectivite, "subvention d'investissement"),
        )
    if action.convention_pluriannuelle:
        return Obligation(
            PLURIANNUELLE,
            "convention pluriannuelle d'objectifs",
            "convention pluriannuelle d'objectifs retenue pour l'action",
        )
    return None


def annuels_par_porteur(actions: Sequence[Action], collectivite_id: int) -> dict[tuple[int, int], Decimal]:
    """{(porteur_id, annee): what the authority grants the porteur that year, all contracts}, one query."""
    return {
        (porteur, annee): total
        for porteur, annee, total in Action.objects.subventions()
        .filter(
            annee__in={a.annee for a in actions},
            porteur_id__in={a.porteur_id for a in actions},
            contrat__collectivite=collectivite_id,
        )
        .exclude(statut__in=[StatutAction.REFUSEE, StatutAction.ABANDONNEE])
        .values("porteur", "annee")
        .annotate(total=somme("contribution"))
        .values_list("porteur", "annee", "total")
    }


def conventions_requises(
    actions: Sequence[Action], collectivite: Collectivite
) -> Iterator[tuple[Action, Obligation]]:
    """(action, Obligation) for each action that needs a convention; the actions' porteurs loaded."""
    annuels = annuels_par_porteur(actions, collectivite.pk)
    for action in actions:
        annuel = annuels.get((action.porteur_id, action.annee), Decimal(0))
        obligation = raison_convention(action, annuel, collectivite)
        if obligation:
            yield action, obligation
