"""Figures of the dashboard for one contract and year, all computed by the database."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q

from contrat_ville.enums import NatureFinanceur, Section
from contrat_ville.graphiques import barres
from contrat_ville.models import Enveloppe

from .enums import StatutAction, StatutTranche
from .models import MONTANT_RETENU, Action, Cofinancement, somme

ECARTEES = [StatutAction.REFUSEE, StatutAction.ABANDONNEE]
ZERO = Decimal(0)


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
    """The year's money per financeur, each with its own envelope.

    First the programme, all financeurs together (contribution and cofinancements), with the envelope
    that names no financeur; then the authority's contribution, with the envelope of the authority as
    a financeur (nature « collectivité »); then each cofinanceur. A financeur with an envelope and no
    cofinancement yet is listed too. An envelope narrowed to a section is shown on a line of its own,
    against that section's amounts. `enveloppe` is None where no envelope exists."""
    actions = _programmees(contrat, annee)
    montant = MONTANT_RETENU
    cofinancements = list(
        Cofinancement.objects.filter(action__in=actions)
        .values("financeur", "financeur__nom", "financeur__nature", "action__section")
        .annotate(
            programme=somme(montant), vote=somme(montant, Q(action__tranche__statut=StatutTranche.VOTEE))
        )
        .order_by()
    )
    contributions = list(
        actions.values("section")
        .annotate(
            programme=somme("contribution"),
            vote=somme("contribution", Q(tranche__statut=StatutTranche.VOTEE)),
        )
        .order_by()
    )
    enveloppes = list(
        Enveloppe.objects.filter(contrat=contrat, annee=annee, axe__isnull=True)
        .values("financeur", "financeur__nom", "financeur__nature", "section")
        .annotate(total=somme("montant"))
        .order_by()
    )

    # Keys: None for the programme, COLLECTIVITE for the authority, a financeur's id for the others.
    def cle(financeur, nature):
        if financeur is None:
            return None
        return COLLECTIVITE if nature == NatureFinanceur.COLLECTIVITE else financeur

    montants = defaultdict(lambda: defaultdict(lambda: {"programme": ZERO, "vote": ZERO}))
    noms = {None: "Programme, tous financeurs", COLLECTIVITE: contrat.collectivite.nom}
    for ligne in contributions:
        for qui in (None, COLLECTIVITE):
            _ajouter(montants[qui][ligne["section"]], ligne)
    for ligne in cofinancements:
        qui = ligne[
            "financeur"
        ]  # a cofinancement by the authority's own financeur stays on a line of its own
        noms[qui] = ligne["financeur__nom"]
        _ajouter(montants[qui][ligne["action__section"]], ligne)
        _ajouter(montants[None][ligne["action__section"]], ligne)
    par_qui = defaultdict(dict)
    for e in enveloppes:
        qui = cle(e["financeur"], e["financeur__nature"])
        noms.setdefault(qui, e["financeur__nom"])
        par_qui[qui][e["section"]] = e["total"]

    def ligne_de(qui):
        sections = montants[qui]
        total = {m: sum((s[m] for s in sections.values()), ZERO) for m in ("programme", "vote")}
        propres = par_qui.get(qui, {})
        lignes = [{"libelle": noms[qui], "enveloppe": propres.get(""), **total}]
        for section, montant_enveloppe in sorted((s, m) for s, m in propres.items() if s):
            lignes.append(
                {
                    "libelle": f"{noms[qui]} — {Section(section).label.lower()}",
                    "enveloppe": montant_enveloppe,
                    **sections.get(section, {"programme": ZERO, "vote": ZERO}),
                }
            )
        return lignes

    autres = [qui for qui in noms if qui not in (None, COLLECTIVITE)]
    autres.sort(key=lambda qui: (-sum(s["programme"] for s in montants[qui].values()), noms[qui]))
    # The programme's line when an envelope names no financeur: the default view stays the financeurs'.
    premiers = (None, COLLECTIVITE) if None in par_qui else (COLLECTIVITE,)
    return [ligne for qui in (*premiers, *autres) for ligne in ligne_de(qui)]


COLLECTIVITE = "collectivite"


def _ajouter(cumul, ligne):
    cumul["programme"] += ligne["programme"]
    cumul["vote"] += ligne["vote"]


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


def dessinees(lignes):
    """The series a chart draws: the legend names no envelope when no line has one."""
    return [
        (cle, nom)
        for cle, nom in SERIES
        if cle != "enveloppe" or any(ligne["enveloppe"] is not None for ligne in lignes)
    ]


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
        "graphique_axes": barres(axes, dessinees(axes), f"Montants par {contrat.libelle_niveau.lower()}"),
        "graphique_financeurs": barres(financeurs, dessinees(financeurs), "Montants par financeur"),
        "graphique_communes": barres(communes, contribution, "Contribution par commune"),
        "graphique_evolution": barres(
            [{"libelle": str(e["annee"]), **e} for e in evolutions], contribution, "Évolution"
        ),
    }
