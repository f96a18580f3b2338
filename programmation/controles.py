"""Budget checks ("contrôles") of a tranche: every inconsistency, named with its figures, before the vote.

They span actions, tranches, envelopes, stated totals and dispositifs, hence a module of their own.
Each check returns `Constat`s; none of them writes anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Count, Q

from contrat_ville import formats
from contrat_ville.enums import NatureFinanceur, NatureQuartier
from contrat_ville.formats import euros, pourcentage
from contrat_ville.models import Enveloppe

from . import obligations
from .enums import NaturePorteur, StatutAction, StatutTranche
from .models import MONTANT_RETENU, Action, Cofinancement, Convention, somme

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.db.models.functions import Coalesce

    from contrat_ville.models import Contrat

    from .models import TotalDeclare, Tranche

STATUTS_ATTENDUS: dict[str, set[str]] = {
    StatutTranche.BROUILLON: {StatutAction.EN_INSTRUCTION, StatutAction.PROPOSEE},
    StatutTranche.SOUMISE: {StatutAction.PROPOSEE},
    StatutTranche.VOTEE: {StatutAction.VOTEE, StatutAction.CONVENTIONNEE, StatutAction.SOLDEE},
}


class Gravite(models.TextChoices):
    BLOQUANT = "bloquant", "Bloquant"
    AVERTISSEMENT = "avertissement", "Avertissement"


@dataclass(frozen=True)
class Constat:
    gravite: str
    code: str
    message: str
    objets: tuple[models.Model, ...] = field(default=(), compare=False)

    @property
    def bloquant(self) -> bool:
        return self.gravite == Gravite.BLOQUANT


def controler_tranche(tranche: Tranche) -> list[Constat]:
    """All findings for one tranche, blocking ones first."""
    actions = list(
        tranche.actions.select_related("porteur", "axe__contrat", "dispositif")
        .prefetch_related("quartiers", "cofinancements__financeur")
        .order_by("axe__ordre", "ordre", "pk")
    )
    constats = [
        *totaux_declares(tranche),
        *enveloppes(tranche.contrat, tranche.annee, jusqu_a=tranche),
        *couts(actions),
        *taux(tranche, actions),
        *statuts(tranche, actions),
        *axes(actions),
        *identifiants(actions),
        *conventions(tranche, actions),
        *eligibilite(actions),
    ]
    return sorted(constats, key=lambda c: not c.bloquant)


def controler_annee(contrat: Contrat, annee: int) -> list[Constat]:
    """The whole year of a contract: each tranche's findings, and the envelopes against all tranches."""
    constats = list(enveloppes(contrat, annee))
    for tranche in contrat.tranches.filter(annee=annee).order_by("numero"):
        constats += [c for c in controler_tranche(tranche) if c.code != "enveloppe_depassee"]
    return sorted(constats, key=lambda c: not c.bloquant)


def dont_non_renseignes(inconnus: int) -> str:
    """« (dont 2 coûts non renseignés) »: a sum of known costs is not the cost of the whole set."""
    if not inconnus:
        return ""
    pluriel = "s" if inconnus > 1 else ""
    return f" (dont {inconnus} coût{pluriel} non renseigné{pluriel})"


def _perimetre(declare: TotalDeclare) -> Q:
    perimetre = Q(maitrise_ouvrage_collectivite=declare.maitrise_ouvrage_collectivite)
    if declare.axe_id:
        perimetre &= Q(axe_id=declare.axe_id)
    if declare.section:
        perimetre &= Q(section=declare.section)
    return perimetre


def totaux_declares(tranche: Tranche) -> Iterator[Constat]:
    """Each total a document states, against the sum of the lines it covers (one query for all)."""
    declares = list(tranche.totaux_declares.select_related("axe__contrat"))
    agregats: dict[str, Count | Coalesce] = {}
    for d in declares:
        perimetre = _perimetre(d)
        agregats[f"nombre_actions_{d.pk}"] = Count("id", filter=perimetre)
        agregats[f"cout_{d.pk}"] = somme("cout", perimetre)
        agregats[f"couts_inconnus_{d.pk}"] = Count("id", filter=perimetre & Q(cout__isnull=True))
        agregats[f"montant_{d.pk}"] = somme("contribution", perimetre)
    calcules = tranche.actions.aggregate(**agregats) if declares else {}
    for declare in declares:
        for champ, libelle, formater in (
            ("nombre_actions", "nombre d'actions", str),
            ("cout", "coût", euros),
            ("montant", "montant accordé", euros),
        ):
            enonce, reel = getattr(declare, champ), calcules[f"{champ}_{declare.pk}"]
            if enonce is None or enonce == reel:
                continue
            portee = f" ({declare.axe})" if declare.axe_id else ""
            inconnus = calcules[f"couts_inconnus_{declare.pk}"] if champ == "cout" else 0
            yield Constat(
                Gravite.BLOQUANT,
                "total_declare_ecart",
                f"{declare.get_nature_display()} « {declare.libelle} »{portee} : {libelle} énoncé "
                f"{formater(enonce)}, somme des lignes {formater(reel)}{dont_non_renseignes(inconnus)}, "
                f"écart {formater(reel - enonce)}.",
                (declare,),
            )


def suivi_enveloppes(
    contrat: Contrat, annee: int, jusqu_a: Tranche | None = None
) -> list[tuple[Enveloppe, Decimal, Decimal]]:
    """Each envelope of the year, what the year's tranches (up to this one) consume, and what remains."""
    tranches = contrat.tranches.filter(annee=annee)
    if jusqu_a is not None:
        tranches = tranches.filter(numero__lte=jusqu_a.numero)
    actions = Action.objects.filter(tranche__in=tranches).subventions()
    suivi = []
    for enveloppe in Enveloppe.objects.filter(contrat=contrat, annee=annee).select_related(
        "axe__contrat", "financeur"
    ):
        consomme = consommation(enveloppe, actions)
        suivi.append((enveloppe, consomme, enveloppe.montant - consomme))
    return suivi


def enveloppes(contrat: Contrat, annee: int, jusqu_a: Tranche | None = None) -> Iterator[Constat]:
    """Each envelope of the year against what the year's tranches (up to this one) consume."""
    for enveloppe, consomme, _ in suivi_enveloppes(contrat, annee, jusqu_a):
        if consomme > enveloppe.montant:
            yield Constat(
                Gravite.BLOQUANT,
                "enveloppe_depassee",
                f"Enveloppe « {enveloppe} » : {euros(consomme)} programmés pour {euros(enveloppe.montant)} "
                f"alloués, dépassement de {euros(consomme - enveloppe.montant)}.",
                (enveloppe,),
            )


def consommation(enveloppe: Enveloppe, actions: QuerySet[Action]) -> Decimal:
    """What an envelope has consumed: the authority's contributions, or a financeur's cofinancements."""
    if enveloppe.axe_id:
        actions = actions.filter(axe_id=enveloppe.axe_id)
    if enveloppe.section:
        actions = actions.filter(section=enveloppe.section)
    financeur = enveloppe.financeur
    if financeur is None or financeur.nature == NatureFinanceur.COLLECTIVITE:
        return actions.aggregate(total=somme("contribution"))["total"]
    lignes = Cofinancement.objects.filter(action__in=actions, financeur=financeur)
    return lignes.aggregate(total=somme(MONTANT_RETENU))["total"]


def couts(actions: Iterable[Action]) -> Iterator[Constat]:
    for action in actions:
        if action.cout is None:
            yield Constat(
                Gravite.AVERTISSEMENT,
                "cout_inconnu",
                f"« {action} » : coût de l'action non renseigné, la part de la collectivité "
                "et des cofinanceurs ne peut pas être contrôlée.",
                (action,),
            )
            continue
        finance = action.contribution + action.cofinance
        if finance > action.cout:
            yield Constat(
                Gravite.BLOQUANT,
                "financement_superieur_au_cout",
                f"« {action} » : contribution et cofinancements ({euros(finance)}) dépassent le coût "
                f"de l'action ({euros(action.cout)}) de {euros(finance - action.cout)}.",
                (action,),
            )


def taux(tranche: Tranche, actions: Sequence[Action]) -> Iterator[Constat]:
    """A financeur's share of each action's cost, where an envelope caps it (CLS: État 50 %)."""
    plafonds = Enveloppe.objects.filter(
        contrat=tranche.contrat_id, annee=tranche.annee, financeur__isnull=False, taux_maximum__isnull=False
    ).select_related("financeur")
    for enveloppe in plafonds:
        financeur, plafond = enveloppe.financeur, enveloppe.taux_maximum
        for action in actions:
            part = action.part_de(financeur)
            if not part or not action.cout:
                continue
            part_du_cout = part * 100 / action.cout
            if part_du_cout > plafond:
                yield Constat(
                    Gravite.BLOQUANT,
                    "taux_depasse",
                    f"« {action} » : la part de {financeur} ({euros(part)}) atteint "
                    f"{pourcentage(part_du_cout)} du coût ({euros(action.cout)}), "
                    f"au-delà du plafond de {formats.taux(plafond)}.",
                    (action, enveloppe),
                )


def statuts(tranche: Tranche, actions: Iterable[Action]) -> Iterator[Constat]:
    attendus = STATUTS_ATTENDUS[tranche.statut]
    for action in actions:
        if action.statut not in attendus:
            yield Constat(
                Gravite.BLOQUANT,
                "statut_incompatible",
                f"« {action} » est « {action.get_statut_display()} » dans une tranche "
                f"« {tranche.get_statut_display()} ».",
                (action,),
            )


def axes(actions: Iterable[Action]) -> Iterator[Constat]:
    for action in actions:
        if action.axe_id is None and not action.maitrise_ouvrage_collectivite:
            yield Constat(
                Gravite.BLOQUANT,
                "sans_axe",
                f"« {action} » n'est rattachée à aucun {action.contrat.libelle_niveau.lower()}.",
                (action,),
            )


def identifiants(actions: Iterable[Action]) -> Iterator[Constat]:
    """Porteurs with neither SIRET nor RNA (never guessed: to be entered), in one finding."""
    porteurs = list(dict.fromkeys(a.porteur for a in actions if not a.porteur.identifie))
    if porteurs:
        yield Constat(
            Gravite.AVERTISSEMENT,
            "porteur_sans_identifiant",
            f"{len(porteurs)} porteur(s) sans SIRET ni numéro RNA, requis pour la convention, le versement "
            f"et la publication des données : {', '.join(p.nom for p in porteurs)}.",
            tuple(porteurs),
        )


def conventions(tranche: Tranche, actions: Sequence[Action]) -> Iterator[Constat]:
    """The law (above 23 000 € a year to a private body) and the authority's own convention rules."""
    signees = set(Convention.objects.filter(action__in=actions).values_list("action_id", flat=True))
    for action, obligation in obligations.conventions_requises(actions, tranche.contrat.collectivite):
        if action.pk in signees:
            continue
        yield Constat(
            Gravite.AVERTISSEMENT,
            "convention_requise",
            f"« {action} » : convention obligatoire ({obligation.motif} ; {obligation.regle}), "
            "aucune convention enregistrée.",
            (action,),
        )


def eligibilite(actions: Iterable[Action]) -> Iterator[Constat]:
    """The rules of the action's dispositif (e.g. Cité de l'emploi: QPV residents, associations)."""
    for action in actions:
        dispositif = action.dispositif
        if dispositif is None:
            continue
        natures = [n.strip() for n in dispositif.natures_porteur_eligibles.split(",") if n.strip()]
        if natures and action.porteur.nature not in natures:
            yield Constat(
                Gravite.BLOQUANT,
                "porteur_non_eligible",
                f"« {action} » : le dispositif « {dispositif} » n'est ouvert qu'aux porteurs de nature "
                f"{', '.join(NaturePorteur(n).label.lower() for n in natures)} ; "
                f"« {action.porteur} » est « {action.porteur.get_nature_display().lower()} ».",
                (action,),
            )
        if dispositif.residents_qpv_uniquement:
            hors_qpv = [q for q in action.quartiers.all() if q.nature != NatureQuartier.QPV]
            if hors_qpv:
                yield Constat(
                    Gravite.BLOQUANT,
                    "quartier_non_eligible",
                    f"« {action} » : le dispositif « {dispositif} » est réservé aux habitants des QPV ; "
                    f"hors QPV : {', '.join(str(q) for q in hors_qpv)}.",
                    (action,),
                )
            elif "vulnérable" in action.territoire.lower() or "veille" in action.territoire.lower():
                yield Constat(
                    Gravite.AVERTISSEMENT,
                    "territoire_a_verifier",
                    f"« {action} » : territoire « {action.territoire} » ; le dispositif « {dispositif} » "
                    "exclut les territoires vulnérables et quartiers de veille active.",
                    (action,),
                )


def constats_en_resume(constats: Sequence[Constat]) -> dict[str, int]:
    return {
        "bloquants": sum(c.bloquant for c in constats),
        "avertissements": sum(not c.bloquant for c in constats),
    }
