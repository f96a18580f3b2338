"""A délibération's text drafted from its contract's model: the placeholders' values, read from the tranche
(amounts summed by the database), and the prefill of the Rédiger page's fields."""

from django.core.exceptions import ValidationError
from django.db.models import Count

from contrat_ville.formats import date_fr, euros
from contrat_ville.tables import pluriel
from programmation.controles import suivi_enveloppes
from programmation.conventions import regles_citees
from programmation.models import somme
from programmation.models.modeles_convention import remplir

from .models import ModeleDeliberation
from .models.modeles import TEXTES, message_inconnus


def tranche_de(deliberation):
    """The tranche the délibération adopts, or the one a modificative corrects."""
    return deliberation.tranche or deliberation.tranche_corrigee


def montants_par_axe(tranche):
    """« Défi 1 — AGIR : 12 actions, 123 456 € », a line per axe of the tranche's subsidised actions."""
    lignes = (
        tranche.actions.subventions()
        .values("axe__numero", "axe__intitule", "axe__devise")
        .annotate(nombre=Count("id"), montant=somme("contribution"))
        .order_by("axe__ordre", "axe__numero")
    )
    niveau = tranche.contrat.libelle_niveau
    return "\n".join(
        f"{_libelle_axe(niveau, ligne)} : {pluriel(ligne['nombre'], 'action')}, {euros(ligne['montant'])}"
        for ligne in lignes
    )


def _libelle_axe(niveau, ligne):
    if ligne["axe__numero"] is None:
        return "Actions non rattachées"
    return f"{niveau} {ligne['axe__numero']} — {ligne['axe__devise'] or ligne['axe__intitule']}"


def enveloppes(tranche):
    """A line per envelope of the year: allocated, consumed by the year's tranches up to this one, left."""
    suivi = suivi_enveloppes(tranche.contrat, tranche.annee, jusqu_a=tranche)
    if not suivi:
        return f"aucune enveloppe n'est fixée pour {tranche.annee}."
    return "\n".join(
        f"{enveloppe} : {euros(enveloppe.montant)} alloués, {euros(consomme)} consommés, "
        f"{euros(reste)} restants"
        for enveloppe, consomme, reste in suivi
    )


def totaux(tranche):
    """{nombre, montant} of the tranche's subsidised actions, as its vote locks them."""
    return tranche.actions.subventions().aggregate(nombre=Count("id"), montant=somme("contribution"))


def conventions(tranche):
    """The rules (law or the authority's own) under which the tranche's actions need a convention."""
    phrases = regles_citees(tranche.contrat.collectivite, list(tranche.actions.subventions()))
    return "\n".join(phrases) or "Aucune action de la tranche n'appelle de convention."


def valeurs(deliberation, tranche):
    seance = deliberation.seance
    totaux_tranche = totaux(tranche)
    return {
        "collectivite": seance.instance.collectivite.nom_dans_les_actes,
        "contrat": tranche.contrat.intitule,
        "annee": tranche.annee,
        "tranche": f"tranche {tranche.numero}",
        "nombre_actions": totaux_tranche["nombre"],
        "montant_total": euros(totaux_tranche["montant"]),
        "montants_par_axe": montants_par_axe(tranche),
        "enveloppes": enveloppes(tranche),
        "instance": seance.instance.nom,
        "date_seance": date_fr(seance.date),
        "conventions": conventions(tranche),
    }


def textes_du_modele(deliberation):
    """{field: text} of the contract's model filled for this délibération; refused without a tranche
    or with a placeholder the model does not know."""
    tranche = tranche_de(deliberation)
    if tranche is None:
        raise ValidationError(
            "Cette délibération n'adopte ni ne corrige aucune tranche : "
            "aucun modèle de contrat ne s'applique."
        )
    modele = ModeleDeliberation.pour(tranche.contrat)
    inconnus = modele.champs_inconnus()
    if inconnus:
        noms = sorted({n for liste in inconnus.values() for n in liste})
        raise ValidationError(
            f"Le modèle de délibération du contrat est à corriger. {message_inconnus(noms)}"
        )
    donnees = valeurs(deliberation, tranche)
    return {texte: remplir(getattr(modele, texte), donnees) for texte in TEXTES}


def preremplir(donnees, textes, remplacer=False):
    """The form's data with the model's texts: in the empty fields only, or in every field when the
    agent confirmed. Returns the data and the labels of the fields kept as written."""
    donnees = dict(donnees)
    gardes = []
    for champ, texte in textes.items():
        if donnees.get(champ, "").strip() and not remplacer:
            if donnees[champ].strip() != texte.strip():
                gardes.append(champ)
            continue
        donnees[champ] = texte
    return donnees, gardes
