"""Validators for the public identifiers of French organisations."""

import re

from django.core.exceptions import ValidationError


def luhn_valide(chiffres):
    total = 0
    for i, c in enumerate(reversed(chiffres)):
        n = int(c) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _numero_luhn(valeur, longueur, nom):
    if not re.fullmatch(rf"\d{{{longueur}}}", valeur or ""):
        raise ValidationError(
            f"Le {nom} doit comporter exactement {longueur} chiffres (reçu : « {valeur} »).",
            code="format",
        )
    # La Poste's SIRETs (SIREN 356000000) follow a digit-sum rule instead of Luhn.
    if nom == "SIRET" and valeur.startswith("356000000") and sum(int(c) for c in valeur) % 5 == 0:
        return
    if not luhn_valide(valeur):
        raise ValidationError(
            f"Le {nom} « {valeur} » n'est pas valide (clé de contrôle incorrecte).",
            code="cle",
        )


def valider_siren(valeur):
    _numero_luhn(valeur, 9, "SIREN")


def valider_siret(valeur):
    _numero_luhn(valeur, 14, "SIRET")


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
