"""Séances, attendance and délibérations, one module a topic; all importable from here."""

from ..enums import NatureActeFige
from .deliberations import (
    FORMAT_ACTES,
    NATURES_ACTE,
    Deliberation,
    PresenceDeliberation,
    valider_identifiant_actes,
)
from .figes import ActeFige
from .journal import Trace
from .modeles import ModeleDeliberation
from .modificative import LigneModificative
from .presences import Decompte
from .registre import Compteur, Registre
from .seances import Elu, Instance, Presence, Seance

__all__ = [
    "FORMAT_ACTES",
    "ActeFige",
    "NatureActeFige",
    "NATURES_ACTE",
    "Compteur",
    "Decompte",
    "Deliberation",
    "Elu",
    "Instance",
    "LigneModificative",
    "ModeleDeliberation",
    "Presence",
    "PresenceDeliberation",
    "Registre",
    "Seance",
    "Trace",
    "valider_identifiant_actes",
]
