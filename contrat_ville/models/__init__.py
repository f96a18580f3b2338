"""The contract domain: who grants, under which contract, on which axes, where, with which budgets.

It knows nothing of actions or séances (those apps build on it). One module a topic; everything is
importable from `contrat_ville.models`. The modules are imported in the order the models were declared
in, so that the app registry (and the migrations) see them in the same order.
"""

# isort: off
from .collectivites import MONTANT, SEUIL_LEGAL_CONVENTION, Collectivite
from .utilisateurs import User, UserManager
from .contrats import Axe, AxeManager, Contrat, ContratQuerySet, EnjeuTransversal, majuscules
from .quartiers import Quartier
from .financements import Dispositif, Enveloppe, Financeur
from .documents import (
    EN_PRODUCTION,
    DocumentGenere,
    DocumentGenereQuerySet,
    StatutDocument,
    TravailleurDocuments,
    limite_d_abandon,
    limite_de_silence,
)
from .protocole import ActionPrevue, EnjeuPrioritaire, PointEtape, Theme
# isort: on

__all__ = [
    "EN_PRODUCTION",
    "MONTANT",
    "SEUIL_LEGAL_CONVENTION",
    "ActionPrevue",
    "Axe",
    "AxeManager",
    "Collectivite",
    "Contrat",
    "ContratQuerySet",
    "Dispositif",
    "DocumentGenere",
    "DocumentGenereQuerySet",
    "EnjeuPrioritaire",
    "EnjeuTransversal",
    "Enveloppe",
    "Financeur",
    "PointEtape",
    "Quartier",
    "StatutDocument",
    "Theme",
    "TravailleurDocuments",
    "User",
    "UserManager",
    "limite_d_abandon",
    "limite_de_silence",
    "majuscules",
]
