"""The annual report's data: one structure, drawn by the PDF and the spreadsheet alike.

Totals per axe and per financeur are summed by the database; the rows come in a fixed number of
queries whatever the number of actions.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, IntegerField, Prefetch, Sum

from contrat_ville.enums import NatureFinanceur
from contrat_ville.formats import nombre
from contrat_ville.graphiques import barres
from contrat_ville.models import EnjeuPrioritaire, Financeur, PointEtape

from ..enums import PartieRapport
from ..models import MONTANT_RETENU, Action, Bilan, Cofinancement, somme

PUBLIC = ("public_total", "public_femmes", "public_hommes", "public_qpv")


def _sommes_public(prefixe=""):
    # None when no bilan gives the figure: the report says « non renseigné », not 0 people.
    return {champ: Sum(f"{prefixe}{champ}", output_field=IntegerField()) for champ in PUBLIC}


@dataclass
class Ligne:
    action: Action
    bilan: Bilan | None
    financements: list  # [(nom du financeur, montant)], the authority first

    @property
    def total(self):
        return sum((montant for _, montant in self.financements), Decimal(0))


@dataclass
class Groupe:
    """An axe, or a theme within it, with its rows."""

    titre: str
    lignes: list = field(default_factory=list)
    themes: list = field(default_factory=list)
    totaux: dict = field(default_factory=dict)


@dataclass
class Rapport:
    rapport: object
    deliberation: list
    ingenierie: list
    autres: list
    enjeux: list
    axes: list
    financeurs: list  # [(nom, total)]
    total: Decimal
    public: dict
    graphique: str
    bilans_manquants: int

    @property
    def annee(self):
        return self.rapport.annee

    @property
    def collectivite(self):
        return self.rapport.collectivite


def actions_du_rapport(rapport):
    return Action.objects.filter(contrat=rapport.contrat_id, annee=rapport.annee)


def _lignes(actions, financeur_collectivite):
    actions = actions.select_related("porteur", "axe__contrat", "theme", "bilan").prefetch_related(
        Prefetch("cofinancements", Cofinancement.objects.select_related("financeur"))
    )
    for action in actions.order_by("axe__ordre", "axe__numero", "theme__ordre", "ordre", "pk"):
        financements = [(financeur_collectivite, action.contribution)] if action.contribution else []
        financements += [
            (c.financeur.nom, c.montant_retenu) for c in action.cofinancements.all() if c.montant_retenu
        ]
        yield Ligne(action, getattr(action, "bilan", None), financements)


def _totaux_par_axe(actions):
    financement = actions.values("axe").annotate(
        nombre=Count("id"), contribution=somme("contribution"), cout=somme("cout")
    )
    cofinancements = (
        Cofinancement.objects.filter(action__in=actions)
        .values("action__axe")
        .annotate(total=somme(MONTANT_RETENU))
    )
    public = Bilan.objects.filter(action__in=actions).values("action__axe").annotate(**_sommes_public())
    par_axe = {t["axe"]: {**t, "cofinancements": Decimal(0)} for t in financement}
    for t in cofinancements:
        par_axe[t["action__axe"]]["cofinancements"] = t["total"]
    for t in public:
        par_axe[t["action__axe"]].update({k: t[k] for k in PUBLIC})
    for t in par_axe.values():
        t["financement"] = t["contribution"] + t["cofinancements"]
    return par_axe


def _financeurs(actions, nom_collectivite):
    contribution = actions.aggregate(total=somme("contribution"))["total"]
    lignes = (
        Cofinancement.objects.filter(action__in=actions)
        .values("financeur__nom")
        .annotate(total=somme(MONTANT_RETENU))
        .order_by("-total", "financeur__nom")
    )
    resultat = [(nom_collectivite, contribution)] if contribution else []
    return resultat + [(t["financeur__nom"], t["total"]) for t in lignes]


def _grouper(lignes, par_axe):
    axes = []
    for ligne in lignes:
        axe, theme = ligne.action.axe, ligne.action.theme
        titre_axe = axe.intitule if axe else "Actions non rattachées"
        if not axes or axes[-1].titre != titre_axe:
            axes.append(Groupe(titre_axe, totaux=par_axe.get(axe.pk if axe else None, {})))
        groupe = axes[-1]
        titre_theme = theme.intitule if theme else ""
        if not groupe.themes or groupe.themes[-1].titre != titre_theme:
            groupe.themes.append(Groupe(titre_theme))
        groupe.themes[-1].lignes.append(ligne)
        groupe.lignes.append(ligne)
    return axes


def _graphique(axes, annee):
    donnees = [
        {
            "libelle": axe.titre,
            "total": axe.totaux.get("public_total"),
            "femmes": axe.totaux.get("public_femmes"),
            "qpv": axe.totaux.get("public_qpv"),
        }
        for axe in axes
    ]
    series = [("total", "Personnes touchées"), ("femmes", "dont femmes"), ("qpv", "dont habitants des QPV")]
    return barres(donnees, series, f"Public touché par axe en {annee}", formater=nombre)


def construire_rapport(rapport):
    actions = actions_du_rapport(rapport)
    collectivite = Financeur.objects.filter(
        collectivite=rapport.collectivite_id, nature=NatureFinanceur.COLLECTIVITE
    ).first()
    nom_collectivite = collectivite.nom if collectivite else rapport.collectivite.nom
    lignes = list(_lignes(actions, nom_collectivite))
    axes = _grouper(lignes, _totaux_par_axe(actions))
    sections = list(rapport.sections.all())
    enjeux = EnjeuPrioritaire.objects.filter(contrat=rapport.contrat_id).prefetch_related(
        "actions_prevues",
        Prefetch("actions_prevues__points_etape", PointEtape.objects.filter(annee=rapport.annee)),
    )
    financeurs = _financeurs(actions, nom_collectivite)
    return Rapport(
        rapport=rapport,
        deliberation=[s for s in sections if s.partie == PartieRapport.DELIBERATION],
        ingenierie=[s for s in sections if s.partie == PartieRapport.INGENIERIE],
        autres=[s for s in sections if s.partie == PartieRapport.AUTRE],
        enjeux=list(enjeux),
        axes=axes,
        financeurs=financeurs,
        total=sum((montant for _, montant in financeurs), Decimal(0)),
        public=Bilan.objects.filter(action__in=actions).aggregate(**_sommes_public()),
        graphique=_graphique(axes, rapport.annee),
        bilans_manquants=actions.filter(bilan__isnull=True).count(),
    )
