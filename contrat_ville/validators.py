"""Validators for the public identifiers of French organisations."""

import re

from django.core.exceptions import ValidationError
from stdnum import luhn
from stdnum.exceptions import ValidationError as NumeroInvalide
from stdnum.fr import siren, siret


def luhn_valide(chiffres):
    # Only bench/importation.py still builds numbers with it; the app checks through stdnum.
    return luhn.is_valid(chiffres)


def _numero(valeur, longueur, nom, module):
    # Exact digits only: stdnum would also accept spaces and dots, which the registers never hold.
    if not re.fullmatch(rf"\d{{{longueur}}}", valeur or ""):
        raise ValidationError(
            f"Le {nom} doit comporter exactement {longueur} chiffres (reçu : « {valeur} »).",
            code="format",
        )
    # stdnum checks the SIREN's own key inside a SIRET, and knows La Poste's digit-sum exception.
    try:
        module.validate(valeur)
    except NumeroInvalide:
        raise ValidationError(
            f"Le {nom} « {valeur} » n'est pas valide (clé de contrôle incorrecte).",
            code="cle",
        ) from None


def valider_siren(valeur):
    _numero(valeur, 9, "SIREN", siren)


def valider_siret(valeur):
    _numero(valeur, 14, "SIRET", siret)


def valider_rna(valeur):
    if not re.fullmatch(r"W\d{9}", valeur or ""):
        raise ValidationError(
            f"Le numéro RNA doit être un W suivi de 9 chiffres (reçu : « {valeur} »).",
            code="format",
        )


def valider_code_quartier(valeur):
    """QP + department (3) + number (3) until 2023; QN + department (3) + number (2) + letter since 2024."""
    if not re.fullmatch(r"QP\d{3}\d{3}|QN\d{3}\d{2}[A-Z]", valeur or ""):
        raise ValidationError(
            f"Le code quartier « {valeur} » ne suit ni le format QP0420XX (2015-2023) "
            "ni le format QN04201M (depuis 2024).",
            code="format",
        )
