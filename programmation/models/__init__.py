"""Programmation's models, one module a topic; everything is importable from `programmation.models`."""

# The evaluation's and the import's models live in their feature's package: imported here so that Django
# registers them with this app and `programmation.models` still offers them.
from ..evaluation.models import (
    Bilan,
    BilanFinancement,
    BilanIndicateur,
    BilanQuartier,
    RapportAnnuel,
    SectionRapport,
)
from ..importation.models import CorrespondanceColonnes, Importation
from .actions import Action
from .cofinancements import Cofinancement
from .conventions import Convention, EcheanceConvention
from .garde import MESSAGE_VERROU
from .historique import Modification
from .modeles_convention import ModeleConvention
from .montants import MONTANT_RETENU, ZERO, somme
from .paiements import Paiement, annoter_versements, totaux_versements
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
