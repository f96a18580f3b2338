"""The extract of the register ("extrait du registre des délibérations"), with its annexes."""

from contrat_ville.pdf import html_vers_pdf, rendre_html
from programmation.annexe import construire_annexe
from programmation.documents import est_projet

from .enums import EtatPresence


def nom_fichier(deliberation):
    return f"{deliberation.numero}-extrait.pdf"


def _paragraphes(texte):
    return [p.strip() for p in texte.split("\n\n") if p.strip()]


def extrait_html(deliberation):
    seance = deliberation.seance
    presences = list(seance.presences.select_related("elu", "mandataire").order_by("ordre", "pk"))
    tranche = deliberation.tranche
    annexe = construire_annexe(tranche) if tranche else None
    return rendre_html(
        "deliberations/documents/extrait.html",
        {
            "deliberation": deliberation,
            "seance": seance,
            "collectivite": seance.instance.collectivite,
            "decompte": seance.decompte(),
            "presents": [p.elu for p in presences if p.etat == EtatPresence.PRESENT],
            "pouvoirs": [p for p in presences if p.etat == EtatPresence.POUVOIR],
            "excuses": [p.elu for p in presences if p.etat == EtatPresence.EXCUSE],
            "expose": _paragraphes(deliberation.expose),
            "expose_suite": _paragraphes(deliberation.expose_suite),
            "decisions": [d for d in deliberation.decisions.splitlines() if d.strip()],
            "vote": deliberation.texte_du_vote,
            "annexe": annexe,
            "plusieurs_sections": annexe is not None and len(annexe.sections) > 1,
            "projet": not deliberation.est_votee or (tranche is not None and est_projet(tranche)),
        },
    )


def extrait_pdf(deliberation, avancer=None):
    return html_vers_pdf(extrait_html(deliberation), avancer)
