"""Séances, attendance and délibérations, one module a topic; all importable from here."""

from .deliberations import (
    FORMAT_ACTES,
    NATURES_ACTE,
    Deliberation,
    LigneModificative,
    PresenceDeliberation,
    valider_identifiant_actes,
)
from .journal import Trace
from .presences import Decompte
from .registre import Compteur, Registre
from .seances import Elu, Instance, Presence, Seance

__all__ = [
    "FORMAT_ACTES",
    "NATURES_ACTE",
    "Compteur",
    "Decompte",
    "Deliberation",
    "Elu",
    "Instance",
    "LigneModificative",
    "Presence",
    "PresenceDeliberation",
    "Registre",
    "Seance",
    "Trace",
    "valider_identifiant_actes",
]
