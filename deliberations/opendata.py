"""Open data in the SCDL formats (schema.data.gouv.fr): the subsidies granted and the délibérations.

Subventions 2.1.1 (décret 2017-779): by law the subsidies of porteurs granted more than 23 000 € in
the year (the convention threshold of loi 2000-321 art. 10); the authority may publish them all.
A row needs the porteur's SIRET or RNA: a porteur without either is left out and named in the report,
never guessed. Nor is the authority's SIRET: without it nothing is exported.

Choices where the schema leaves room, for each row:
- dateConvention: the convention's signature date, else the date of the délibération that grants it;
- datesPeriodeVersement: from that date to the end of the payments: 30 June after the convention's
  last year (its balance follows the compte rendu financier), or 31 December of the year without one;
- conditionsVersement: « échelonné » for a convention paid in an advance and a balance, else « unique ».
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError

from contrat_ville.calendrier import echeance_compte_rendu
from programmation.enums import StatutAction, StatutConvention
from programmation.models import Action
from programmation.obligations import SEUIL_CONVENTION, annuels_par_porteur
from programmation.tableur import texte_sur

from .enums import ResultatVote
from .models import Deliberation

COLONNES_SUBVENTIONS = [
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
]
COLONNES_DELIBERATIONS = [
    "COLL_NOM",
    "COLL_SIRET",
    "DELIB_ID",
    "DELIB_DATE",
    "DELIB_MATIERE_CODE",
    "DELIB_MATIERE_NOM",
    "DELIB_OBJET",
    "BUDGET_ANNEE",
    "BUDGET_NOM",
    "PREF_ID",
    "PREF_DATE",
    "VOTE_EFFECTIF",
    "VOTE_REEL",
    "VOTE_POUR",
    "VOTE_CONTRE",
    "VOTE_ABSTENTION",
    "DELIB_URL",
]
# Every délibération of this tool grants or corrects subsidies (classification of the actes).
MATIERE = ("7.5", "finances locales/subventions")
ADOPTEES = [ResultatVote.UNANIMITE, ResultatVote.MAJORITE]
LONGUEUR_OBJET = 256


def exiger_siret(collectivite):
    """The SCDL identifies the authority by its SIRET: refused, clearly, while it is unknown."""
    if not collectivite.siret:
        raise ValidationError(
            f"Le SIRET de {collectivite.nom} n'est pas renseigné : les fichiers SCDL l'exigent "
            "(colonnes idAttribuant et COLL_SIRET). Un administrateur le saisit sur la page "
            "« Données ouvertes » ou dans le back-office ; il ne doit jamais être deviné."
        )


def nom_fichier(collectivite, nature, jour=None):
    """« 20240716_244200770_subventions.csv »."""
    return f"{(jour or datetime.date.today()):%Y%m%d}_{collectivite.siren}_{nature}.csv"


def _csv(colonnes, lignes):
    tampon = io.StringIO()
    # CRLF as RFC 4180 says: a text holding a lone CR is then quoted, not read as an end of line.
    ecrivain = csv.DictWriter(tampon, fieldnames=colonnes, lineterminator="\r\n")
    ecrivain.writeheader()
    ecrivain.writerows(lignes)
    return tampon.getvalue().encode("utf-8")


def _texte(valeur, longueur=None):
    """A free text (a name, an objet) as a cell: what a spreadsheet would run as a formula is neutralised
    as in every CSV of the app; then cut to the schema's length. Numbers, dates and identifiers are
    written by the schema's rules and never pass here: « -150.00 » is an amount, not a formula."""
    valeur = texte_sur(valeur or "")
    if longueur and len(valeur) > longueur:
        valeur = valeur[: longueur - 1] + "…"
    return valeur


def _nombre(montant):
    """Decimal point, two decimals, no thousands separator: « 23500.00 »."""
    return f"{Decimal(montant).quantize(Decimal('0.01')):f}"


@dataclass
class Export:
    contenu: bytes
    lignes: int
    ecartes: list = field(default_factory=list)  # (action, raison) left out


def subventions_publiees(collectivite, annee=None, toutes=False):
    """The granted subsidies (tranche adopted by a délibération); by law only those over the threshold."""
    actions = (
        Action.objects.subventions()
        .filter(
            contrat__collectivite=collectivite,
            contribution__gt=0,
            tranche__deliberation__resultat_vote__in=ADOPTEES,
            tranche__deliberation__retiree=False,
        )
        .exclude(statut__in=[StatutAction.REFUSEE, StatutAction.ABANDONNEE])
        .select_related("porteur", "convention", "tranche__deliberation__seance")
        .order_by("annee", "tranche__deliberation__seance__date", "porteur__nom", "pk")
    )
    if annee:
        actions = actions.filter(annee=annee)
    actions = list(actions)
    if toutes:
        return actions
    annuels = annuels_par_porteur(actions, collectivite.pk)
    return [a for a in actions if annuels.get((a.porteur_id, a.annee), 0) > SEUIL_CONVENTION]


def _convention(action):
    convention = getattr(action, "convention", None)
    return convention if convention and convention.statut == StatutConvention.SIGNEE else None


def ligne_subvention(collectivite, action):
    deliberation = action.tranche.deliberation
    convention = _convention(action)
    debut = convention.date_signature if convention else deliberation.seance.date
    fin = echeance_compte_rendu(convention.annee_fin) if convention else datetime.date(action.annee, 12, 31)
    fin = max(fin, debut)
    echelonne = convention and (0 < convention.pourcentage_avance < 100 or convention.duree_annees > 1)
    return {
        "nomAttribuant": _texte(collectivite.nom),
        "idAttribuant": collectivite.siret,
        "dateConvention": debut.isoformat(),
        "referenceDecision": _texte(deliberation.numero),
        "nomBeneficiaire": _texte(action.porteur.nom),
        "idBeneficiaire": action.porteur.siret,
        "rnaBeneficiaire": action.porteur.rna,
        "objet": _texte(action.intitule, LONGUEUR_OBJET),
        "montant": _nombre(action.contribution),
        "nature": "aide en numéraire",
        "conditionsVersement": "échelonné" if echelonne else "unique",
        "datesPeriodeVersement": f"{debut.isoformat()}/{fin.isoformat()}",
        "idRAE": "",
        "notificationUE": "non",
        "pourcentageSubvention": "1.00",
        "dispositifAide": "",
    }


def exporter_subventions(collectivite, annee=None, toutes=False):
    exiger_siret(collectivite)
    lignes, ecartes = [], []
    for action in subventions_publiees(collectivite, annee, toutes):
        if anomalie := action.porteur.anomalie_identifiant:
            ecartes.append((action, anomalie))
        else:
            lignes.append(ligne_subvention(collectivite, action))
    return Export(_csv(COLONNES_SUBVENTIONS, lignes), len(lignes), ecartes)


BUDGET = re.compile(r"\bbudget\s+(.+?)(?:\s+(?:\d{4}|des années)\b|,|$)", re.IGNORECASE)


def nom_du_budget(chapitres):
    """« chapitre 65 du budget politique de la ville 2024 » -> « Budget politique de la ville »."""
    trouve = BUDGET.search(chapitres or "")
    return f"Budget {trouve.group(1).strip().lower()}" if trouve else ""


def deliberations_publiees(collectivite, annee=None):
    deliberations = (
        Deliberation.objects.filter(collectivite=collectivite, resultat_vote__in=ADOPTEES, retiree=False)
        .select_related("seance__instance__collectivite", "tranche", "tranche_corrigee")
        .prefetch_related("ne_prenant_pas_part", "presences_modifiees", "seance__presences")
        .order_by("seance__date", "numero")
    )
    if annee:
        deliberations = deliberations.filter(seance__date__year=annee)
    return deliberations


def ligne_deliberation(collectivite, deliberation):
    tranche = deliberation.tranche or deliberation.tranche_corrigee
    decompte = deliberation.decompte()
    exprimes = decompte.suffrages_attendus
    unanime = deliberation.resultat_vote == ResultatVote.UNANIMITE
    recue = deliberation.date_reception_prefecture
    return {
        "COLL_NOM": _texte(collectivite.nom),
        "COLL_SIRET": collectivite.siret,
        "DELIB_ID": _texte(deliberation.numero),
        "DELIB_DATE": deliberation.seance.date.isoformat(),
        "DELIB_MATIERE_CODE": MATIERE[0],
        "DELIB_MATIERE_NOM": MATIERE[1],
        "DELIB_OBJET": _texte(deliberation.objet),
        "BUDGET_ANNEE": tranche.annee if tranche else "",
        "BUDGET_NOM": _texte(nom_du_budget(deliberation.chapitres_budgetaires)),
        "PREF_ID": f"PREF{collectivite.code_departement}" if recue else "",
        "PREF_DATE": recue.isoformat() if recue else "",
        "VOTE_EFFECTIF": decompte.membres_en_exercice,
        "VOTE_REEL": decompte.voix,
        "VOTE_POUR": exprimes if unanime else deliberation.vote_pour or 0,
        "VOTE_CONTRE": 0 if unanime else deliberation.vote_contre or 0,
        "VOTE_ABSTENTION": 0 if unanime else deliberation.vote_abstention or 0,
        "DELIB_URL": "",
    }


def exporter_deliberations(collectivite, annee=None):
    exiger_siret(collectivite)
    lignes = [ligne_deliberation(collectivite, d) for d in deliberations_publiees(collectivite, annee)]
    return Export(_csv(COLONNES_DELIBERATIONS, lignes), len(lignes))
