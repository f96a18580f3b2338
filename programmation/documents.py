"""The tranche's annex as PDF and spreadsheet."""

from contrat_ville.enums import NatureContrat
from contrat_ville.pdf import html_vers_pdf, rendre_html

from .annexe import construire_annexe


def nom_fichier(tranche, suffixe):
    """« 2024-T1-annexe.xlsx », prefixed for contracts other than the contrat de ville."""
    prefixe = "CLS-" if tranche.contrat.nature == NatureContrat.CONTRAT_LOCAL_SOLIDARITES else ""
    return f"{prefixe}{tranche.annee}-T{tranche.numero}-{suffixe}"


def est_projet(tranche, constats=None):
    """A document is a draft until its tranche is voted, whatever its checks find: a voted act is the
    act (a stated total that its lines contradict is printed with their sum in a note, see annexe.py).

    `constats` is accepted for the callers that pass them; they no longer change the answer."""
    return not tranche.est_verrouillee


def annexe_html(tranche):
    return rendre_html(
        "programmation/documents/annexe.html",
        {"annexe": construire_annexe(tranche), "projet": est_projet(tranche)},
    )


def annexe_pdf(tranche, avancer=None):
    return html_vers_pdf(annexe_html(tranche), avancer)
