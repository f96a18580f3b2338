"""The convention document: the contract's model text filled for one action, as PDF."""

from decimal import ROUND_HALF_UP, Decimal

from contrat_ville.formats import euros, pourcentage
from contrat_ville.pdf import html_vers_pdf, rendre_html

from .lettres import euros_en_lettres
from .models import ModeleConvention


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
        "avance": pourcentage(convention.pourcentage_avance),
        "solde": pourcentage(100 - convention.pourcentage_avance),
        "deliberation": en_complement(convention.reference_deliberation),
    }


def en_complement(reference):
    """« Délibération n°2024.00230 du… » as a sentence continues it: « la délibération n°2024.00230 du… »."""
    if not reference:
        return "la délibération d'attribution"
    if reference.startswith("Délibération"):
        return "la d" + reference[1:]
    return reference


def avance(montant, pourcentage_avance):
    """Rounded to the cent as the database rounds it (see conventions' _du_le)."""
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
