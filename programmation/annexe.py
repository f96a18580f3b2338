"""The annex of a tranche ("ANNEXE 1", and "ANNEXE 2" for the actions the authority carries itself).

One query for the rows, the subtotals and totals computed by the database; the PDF and the
spreadsheet are both drawn from this one structure.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from contrat_ville.models import Axe, majuscules

from .enums import NatureTotal


class CoutAffiche:
    # The total a voted act states, when it differs from the sum of its lines: the act prints what was
    # voted, and the sum goes in a note (set by construire_annexe, voted tranches only).
    cout_enonce = None
    contribution_enoncee = None

    @property
    def cout_affiche(self):
        """The cost total, or nothing when no line states a cost (0 € would mislead)."""
        return self.cout if self.couts_connus else None

    def enoncer(self, declare):
        if declare is None:
            return
        if declare.cout is not None and declare.cout != self.cout:
            self.cout_enonce = declare.cout
        if declare.montant is not None and declare.montant != self.contribution:
            self.contribution_enoncee = declare.montant


@dataclass
class TableauAxe(CoutAffiche):
    axe: Axe | None
    actions: list = field(default_factory=list)
    nombre: int = 0
    couts_connus: int = 0
    cout: Decimal = Decimal(0)
    contribution: Decimal = Decimal(0)

    @property
    def titre(self):
        return self.axe.titre_annexe if self.axe else "Actions non rattachées"

    @property
    def libelle_total(self):
        return self.axe.libelle_total if self.axe else "TOTAL SANS RATTACHEMENT"

    @property
    def libelle_recapitulatif(self):
        """The row label of the délibération's summary table: « NOS QUARTIERS EMANCIPENT », « PILIER 1/… »."""
        if self.axe is None:
            return "Actions non rattachées"
        if self.axe.devise:
            return self.axe.devise
        return f"{majuscules(self.axe.contrat.libelle_niveau)} {self.axe.numero}/ {self.axe.intitule}"

    @property
    def sections(self):
        return ", ".join(sorted({a.get_section_display().lower() for a in self.actions}))


@dataclass
class Annexe(CoutAffiche):
    tranche: object
    tableaux: list
    nombre: int
    couts_connus: int
    cout: Decimal
    contribution: Decimal
    maitrise_ouvrage: list
    financeurs_maitrise_ouvrage: list

    @property
    def collectivite(self):
        return self.tranche.contrat.collectivite

    @property
    def avec_numero_dauphin(self):
        return any(a.numero_dauphin for t in self.tableaux for a in t.actions)

    @property
    def avec_convention_pluriannuelle(self):
        return any(a.convention_pluriannuelle for t in self.tableaux for a in t.actions)

    @property
    def lignes_maitrise_ouvrage(self):
        return [
            {"action": a, "participations": [participation(a, f) for f in self.financeurs_maitrise_ouvrage]}
            for a in self.maitrise_ouvrage
        ]

    @property
    def sections(self):
        return sorted({a.get_section_display() for t in self.tableaux for a in t.actions})


def construire_annexe(tranche):
    lignes = list(
        tranche.actions.select_related("porteur", "axe__contrat")
        .prefetch_related("cofinancements__financeur")
        .order_by("axe__ordre", "axe__numero", "ordre", "pk")
    )
    subventions = tranche.actions.subventions()
    tableaux = {r["axe"]: TableauAxe(axe=None, **_sans_cles(r)) for r in subventions.par_axe()}
    for action in lignes:
        if action.maitrise_ouvrage_collectivite:
            continue
        tableau = tableaux[action.axe_id]
        tableau.axe = action.axe
        tableau.actions.append(action)
    maitrise_ouvrage = [a for a in lignes if a.maitrise_ouvrage_collectivite]
    totaux = subventions.totaux()
    annexe = Annexe(
        tranche=tranche,
        tableaux=list(tableaux.values()),
        nombre=totaux["nombre"],
        couts_connus=totaux["couts_connus"],
        cout=totaux["cout"],
        contribution=totaux["contribution"],
        maitrise_ouvrage=maitrise_ouvrage,
        financeurs_maitrise_ouvrage=list(
            dict.fromkeys(c.financeur for a in maitrise_ouvrage for c in a.cofinancements.all())
        ),
    )
    if tranche.est_verrouillee:
        _enoncer_les_totaux(annexe)
    return annexe


def _enoncer_les_totaux(annexe):
    """Each table's total (and the general one) as the voted annex states it, where it states one."""
    declares = {
        d.axe_id: d
        for d in annexe.tranche.totaux_declares.filter(
            nature=NatureTotal.ANNEXE, section="", maitrise_ouvrage_collectivite=False
        ).order_by("-ordre")
    }
    for tableau in annexe.tableaux:
        tableau.enoncer(declares.get(tableau.axe.pk) if tableau.axe else None)
    annexe.enoncer(declares.get(None))


def _sans_cles(agregat):
    return {k: agregat[k] for k in ("nombre", "couts_connus", "cout", "contribution")}


def participation(action, financeur):
    """The amount a financeur puts in an action the authority carries (granted, else requested)."""
    for c in action.cofinancements.all():
        if c.financeur_id == financeur.pk:
            return c.montant_retenu
    return None
