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

__all__ = [
    "MESSAGE_VERROU",
    "MONTANT_RETENU",
    "ZERO",
    "Action",
    "Cofinancement",
    "Modification",
    "Porteur",
    "TotalDeclare",
    "Tranche",
    "somme",
]
