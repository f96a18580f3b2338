"""The tranche's annex as PDF and spreadsheet."""

from contrat_ville.enums import NatureContrat
from contrat_ville.pdf import html_vers_pdf, rendre_html

from .annexe import construire_annexe
from .controles import controler_tranche


def nom_fichier(tranche, suffixe):
    """« 2024-T1-annexe.xlsx », prefixed for contracts other than the contrat de ville."""
    prefixe = "CLS-" if tranche.contrat.nature == NatureContrat.CONTRAT_LOCAL_SOLIDARITES else ""
    return f"{prefixe}{tranche.annee}-T{tranche.numero}-{suffixe}"


def est_projet(tranche, constats=None):
    """A document is a draft until its tranche is voted, and while its checks block."""
    constats = controler_tranche(tranche) if constats is None else constats
    return not tranche.est_verrouillee or any(c.bloquant for c in constats)


def annexe_html(tranche):
    return rendre_html(
        "programmation/documents/annexe.html",
        {"annexe": construire_annexe(tranche), "projet": est_projet(tranche)},
    )


def annexe_pdf(tranche, avancer=None):
    return html_vers_pdf(annexe_html(tranche), avancer)
