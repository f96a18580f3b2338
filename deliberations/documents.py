"""The extract of the register ("extrait du registre des délibérations"), with its annexes."""

from contrat_ville.pdf import html_vers_pdf, rendre_html
from programmation.annexe import construire_annexe
from programmation.documents import est_projet

from .enums import EtatPresence
from .models import Elu, Presence


def nom_fichier(deliberation):
    return f"{deliberation.numero}-extrait.pdf"


def _paragraphes(texte):
    return [p.strip() for p in texte.split("\n\n") if p.strip()]


def _presences(deliberation):
    """The attendance of this délibération (the séance's, with its overrides), in the séance's order."""
    etats = deliberation.etats()
    ordre = {p.elu_id: i for i, p in enumerate(deliberation.seance.presences.order_by("ordre", "pk"))}
    elus = Elu.objects.in_bulk(set(etats) | {m for _, m in etats.values() if m})
    presences = [
        Presence(elu=elus[elu], etat=etat, mandataire=elus.get(mandataire))
        for elu, (etat, mandataire) in sorted(
            etats.items(), key=lambda e: (ordre.get(e[0], len(ordre)), e[0])
        )
    ]
    return presences


def extrait_html(deliberation):
    seance = deliberation.seance
    presences = _presences(deliberation)
    tranche = deliberation.tranche
    annexe = construire_annexe(tranche) if tranche else None
    return rendre_html(
        "deliberations/documents/extrait.html",
        {
            "deliberation": deliberation,
            "seance": seance,
            "collectivite": seance.instance.collectivite,
            "decompte": deliberation.decompte(),
            "lignes": deliberation.lignes.select_related("action__porteur") if deliberation.pk else [],
            "totaux_modificative": deliberation.totaux_modificative()
            if deliberation.est_modificative
            else None,
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
