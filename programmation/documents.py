"""The tranche's annex as PDF and spreadsheet, and the keys programmation's documents are cached under
(see contrat_ville/pdf.py: every row a document prints, read without rendering it)."""

from contrat_ville.enums import NatureContrat
from contrat_ville.models import (
    ActionPrevue,
    Axe,
    Collectivite,
    Contrat,
    EnjeuPrioritaire,
    Financeur,
    PointEtape,
    Theme,
)
from contrat_ville.pdf import cle_document, colonnes, html_vers_pdf, rendre_html

from .annexe import construire_annexe
from .models import (
    Action,
    Bilan,
    Cofinancement,
    Convention,
    EcheanceConvention,
    ModeleConvention,
    Porteur,
    RapportAnnuel,
    SectionRapport,
    TotalDeclare,
    Tranche,
)


def nom_fichier(tranche, suffixe):
    """« 2024-T1-annexe.xlsx », prefixed for contracts other than the contrat de ville."""
    prefixe = "CLS-" if tranche.contrat.nature == NatureContrat.CONTRAT_LOCAL_SOLIDARITES else ""
    return f"{prefixe}{tranche.annee}-T{tranche.numero}-{suffixe}"


def est_projet(tranche):
    """A document is a draft until its tranche is voted, whatever its checks find: a voted act is the
    act (a stated total that its lines contradict is printed with their sum in a note, see annexe.py)."""
    return not tranche.est_verrouillee


def annexe_html(tranche):
    return rendre_html(
        "programmation/documents/annexe.html",
        {"annexe": construire_annexe(tranche), "projet": est_projet(tranche)},
    )


def annexe_pdf(tranche, avancer=None):
    return html_vers_pdf(annexe_html(tranche), avancer)


def lignes_annexe(tranche_id):
    """Every row the annex is drawn from, whole (four querysets, no rendering): the tranche with its
    contract and authority, its actions with porteur and axe, their cofinancements, its stated totals."""
    tranche = Tranche.objects.filter(pk=tranche_id).values_list(
        *colonnes(Tranche),
        *colonnes(Contrat, "contrat__"),
        *colonnes(Collectivite, "contrat__collectivite__"),
    )
    actions = (
        Action.objects.filter(tranche_id=tranche_id)
        .order_by("pk")
        .values_list(
            *colonnes(Action),
            *colonnes(Porteur, "porteur__"),
            *colonnes(Axe, "axe__"),
            *colonnes(Contrat, "axe__contrat__"),
        )
    )
    cofinancements = (
        Cofinancement.objects.filter(action__tranche_id=tranche_id)
        .order_by("pk")
        .values_list(*colonnes(Cofinancement), *colonnes(Financeur, "financeur__"))
    )
    totaux = (
        TotalDeclare.objects.filter(tranche_id=tranche_id).order_by("pk").values_list(*colonnes(TotalDeclare))
    )
    return [tranche, actions, "cofinancements", cofinancements, "totaux", totaux]


def cle_annexe(tranche_id, extension):
    return cle_document(f"annexe-{extension}", *lignes_annexe(tranche_id))


def cle_convention(convention_id):
    """The convention with its action, porteur, contract and authority; its instalments; its model."""
    convention = Convention.objects.filter(pk=convention_id).values_list(
        *colonnes(Convention),
        *colonnes(Action, "action__"),
        *colonnes(Porteur, "action__porteur__"),
        *colonnes(Contrat, "action__contrat__"),
        *colonnes(Collectivite, "action__contrat__collectivite__"),
    )
    echeances = EcheanceConvention.objects.filter(convention_id=convention_id).order_by("pk")
    modele = ModeleConvention.objects.filter(contrat__actions__convention=convention_id)
    return cle_document(
        "convention-pdf",
        convention,
        echeances.values_list(*colonnes(EcheanceConvention)),
        "modele",
        modele.values_list(*colonnes(ModeleConvention)),
    )


def cle_rapport(r, extension):
    """The report with its sections; the year's actions of its contract with porteur, axe, theme and
    assessment; their cofinancements; the authority's financeurs; the contract's stakes and milestones."""
    rapport = RapportAnnuel.objects.filter(pk=r.pk).values_list(
        *colonnes(RapportAnnuel), *colonnes(Contrat, "contrat__"), *colonnes(Collectivite, "collectivite__")
    )
    actions = Action.objects.filter(contrat=r.contrat_id, annee=r.annee).order_by("pk")
    enjeux = EnjeuPrioritaire.objects.filter(contrat=r.contrat_id).order_by("pk")
    prevues = ActionPrevue.objects.filter(enjeu__contrat=r.contrat_id).order_by("pk")
    points = PointEtape.objects.filter(action_prevue__enjeu__contrat=r.contrat_id, annee=r.annee)
    return cle_document(
        f"rapport-{extension}",
        rapport,
        SectionRapport.objects.filter(rapport_id=r.pk).order_by("pk").values_list(*colonnes(SectionRapport)),
        "actions",
        actions.values_list(
            *colonnes(Action),
            *colonnes(Porteur, "porteur__"),
            *colonnes(Axe, "axe__"),
            *colonnes(Theme, "theme__"),
            *colonnes(Bilan, "bilan__"),
        ),
        "cofinancements",
        Cofinancement.objects.filter(action__in=actions)
        .order_by("pk")
        .values_list(*colonnes(Cofinancement), "financeur__nom"),
        "financeurs",
        Financeur.objects.filter(collectivite=r.collectivite_id)
        .order_by("pk")
        .values_list(*colonnes(Financeur)),
        "enjeux",
        enjeux.values_list(*colonnes(EnjeuPrioritaire)),
        prevues.values_list(*colonnes(ActionPrevue)),
        points.order_by("pk").values_list(*colonnes(PointEtape)),
    )
