"""Programmation's models, one module a topic; everything is importable from `programmation.models`."""

from .actions import (
    MESSAGE_VERROU,
    MONTANT_RETENU,
    ZERO,
    Action,
    Cofinancement,
    Modification,
    Porteur,
    TotalDeclare,
    Tranche,
    somme,
)
from .conventions import (
    Convention,
    EcheanceConvention,
    ModeleConvention,
    Paiement,
    annoter_versements,
    totaux_versements,
)
from .evaluation import Bilan, BilanFinancement, BilanIndicateur, BilanQuartier, RapportAnnuel, SectionRapport
from .importation import CorrespondanceColonnes, Importation

__all__ = [
    "Convention",
    "EcheanceConvention",
    "ModeleConvention",
    "Paiement",
    "annoter_versements",
    "totaux_versements",
    "Bilan",
    "BilanFinancement",
    "BilanIndicateur",
    "BilanQuartier",
    "RapportAnnuel",
    "SectionRapport",
    "MESSAGE_VERROU",
    "MONTANT_RETENU",
    "ZERO",
    "Action",
    "Cofinancement",
    "CorrespondanceColonnes",
    "Importation",
    "Modification",
    "Porteur",
    "TotalDeclare",
    "Tranche",
    "somme",
]
