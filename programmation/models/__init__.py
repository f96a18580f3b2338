"""Programmation's models, one module a topic; everything is importable from `programmation.models`."""

from .actions import Action
from .cofinancements import Cofinancement
from .conventions import (
    Convention,
    EcheanceConvention,
    ModeleConvention,
    Paiement,
    annoter_versements,
    totaux_versements,
)
from .evaluation import Bilan, BilanFinancement, BilanIndicateur, BilanQuartier, RapportAnnuel, SectionRapport
from .garde import MESSAGE_VERROU
from .historique import Modification
from .importation import CorrespondanceColonnes, Importation
from .montants import MONTANT_RETENU, ZERO, somme
from .porteurs import Porteur
from .totaux import TotalDeclare
from .tranches import Tranche

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
