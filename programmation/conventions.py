"""The convention document: the contract's model text filled for one action, as PDF; and the rules
that make conventions compulsory, as an act cites them."""

from decimal import ROUND_HALF_UP, Decimal

from contrat_ville.formats import euros, taux
from contrat_ville.pdf import html_vers_pdf, rendre_html

from . import obligations
from .lettres import euros_en_lettres
from .models import ModeleConvention

LOI = "l'article 10 de la loi n° 2000-321 du 12 avril 2000 et au décret n° 2001-495 du 6 juin 2001"
ORDRE_DES_REGLES = [
    obligations.LOI,
    obligations.ORGANISME_PUBLIC,
    obligations.SEUIL_LOCAL,
    obligations.INVESTISSEMENT,
    obligations.PLURIANNUELLE,
]


def source(collectivite, code):
    """What the rule comes from, as « conformément à » continues it."""
    if code == obligations.LOI:
        return LOI
    reference = collectivite.convention_regle_locale.strip()
    if not reference:
        return "la politique de conventionnement de la collectivité"
    if reference.lower().startswith("délibération"):
        return "la d" + reference[1:]
    return reference


def ce_qu_elle_impose(collectivite, code):
    """The subsidies the rule subjects to a convention."""
    seuil = euros(obligations.SEUIL_CONVENTION)
    return {
        obligations.LOI: f"une subvention de plus de {seuil} par an à un organisme de droit privé",
        obligations.ORGANISME_PUBLIC: f"une subvention de plus de {seuil} par an à un organisme public",
        obligations.SEUIL_LOCAL: (
            f"une subvention de plus de {euros(collectivite.convention_seuil_local)} par an à un même porteur"
        ),
        obligations.INVESTISSEMENT: "toute subvention d'investissement",
    }[code]


def phrase(collectivite, code):
    if code == obligations.PLURIANNUELLE:
        return (
            "Une action retenue sur plusieurs années fait l'objet d'une convention pluriannuelle d'objectifs."
        )
    return (
        f"Conformément à {source(collectivite, code)}, {ce_qu_elle_impose(collectivite, code)} "
        "fait l'objet d'une convention."
    )


def regles_en_vigueur(collectivite):
    """Every rule the authority applies, as sentences: the law, then its own choices."""
    actives = {
        obligations.LOI: True,
        obligations.ORGANISME_PUBLIC: collectivite.convention_organismes_publics,
        obligations.SEUIL_LOCAL: collectivite.convention_seuil_local is not None,
        obligations.INVESTISSEMENT: collectivite.convention_investissement,
        obligations.PLURIANNUELLE: True,
    }
    return [phrase(collectivite, code) for code in ORDRE_DES_REGLES if actives[code]]


def regles_citees(collectivite, actions):
    """The sentences a délibération cites for the conventions its actions need, each rule once."""
    codes = {obligation.code for _, obligation in obligations.conventions_requises(actions, collectivite)}
    return [phrase(collectivite, code) for code in ORDRE_DES_REGLES if code in codes]


def fondement(convention):
    """The rule the convention applies, as its « objet » article cites it (the {fondement} field)."""
    action = convention.action
    collectivite = action.contrat.collectivite
    requises = [o for _, o in obligations.conventions_requises([action], collectivite)]
    if not requises or requises[0].code == obligations.PLURIANNUELLE:
        return f"conformément à {en_complement(convention.reference_deliberation)}"
    code = requises[0].code
    return (
        f"conformément à {source(collectivite, code)} ({ce_qu_elle_impose(collectivite, code)} "
        "fait l'objet d'une convention)"
    )


def valeurs(convention, montant_total):
    action = convention.action
    duree = convention.duree_annees
    return {
        "collectivite": action.contrat.collectivite.nom,
        "porteur": action.porteur.nom,
        "intitule": action.intitule,
        "objet": convention.objet,
        "contrat": action.contrat.intitule,
        "montant": euros(montant_total),
        "montant_en_lettres": euros_en_lettres(montant_total),
        "duree": f"{duree} an{'s' if duree > 1 else ''}",
        "annee_debut": convention.annee_debut,
        "annee_fin": convention.annee_fin,
        "avance": taux(convention.pourcentage_avance),
        "solde": taux(100 - convention.pourcentage_avance),
        "deliberation": en_complement(convention.reference_deliberation),
        "fondement": fondement(convention),
    }


def en_complement(reference):
    """« Délibération n°2024.00230 du… » as a sentence continues it: « la délibération n°2024.00230 du… »."""
    if not reference:
        return "la délibération d'attribution"
    if reference.startswith("Délibération"):
        return "la d" + reference[1:]
    return reference


def avance(montant, pourcentage_avance):
    """Rounded to the cent as the database rounds it (see models/paiements.py's _du_le)."""
    return (montant * pourcentage_avance / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def nom_fichier(convention):
    return f"convention-{convention.annee_debut}-{convention.pk}.pdf"


def convention_html(convention):
    action = convention.action
    echeances = [
        {"annee": e.annee, "montant": e.montant, "avance": avance(e.montant, convention.pourcentage_avance)}
        for e in convention.echeances.all()
    ]
    total = sum((e["montant"] for e in echeances), Decimal(0))
    modele = ModeleConvention.pour(action.contrat)
    return rendre_html(
        "programmation/conventions/document.html",
        {
            "convention": convention,
            "collectivite": action.contrat.collectivite,
            "porteur": action.porteur,
            "modele": modele,
            "deliberation": en_complement(convention.reference_deliberation),
            "articles": modele.articles(valeurs(convention, total)),
            "echeances": echeances,
            "total": total,
            "total_en_lettres": euros_en_lettres(total),
        },
    )


def convention_pdf(convention):
    return html_vers_pdf(convention_html(convention))
