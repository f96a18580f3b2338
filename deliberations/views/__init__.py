"""The pages of séances and délibérations, one module a topic."""

from .consultation import (
    deliberation_detail,
    deliberation_extrait_pdf,
    deliberation_liste,
    seance_detail,
    seance_liste,
)
from .journal import journal_liste
from .opendata import donnees_ouvertes, donnees_ouvertes_siret
from .seances import seance_creer, seance_inscrire, seance_modifier, seance_presences
from .votes import (
    deliberation_deplacer,
    deliberation_ligne,
    deliberation_prefecture,
    deliberation_presence,
    deliberation_retirer,
    deliberation_voter,
)

__all__ = [
    "donnees_ouvertes",
    "donnees_ouvertes_siret",
    "journal_liste",
    "deliberation_deplacer",
    "deliberation_detail",
    "deliberation_extrait_pdf",
    "deliberation_ligne",
    "deliberation_liste",
    "deliberation_prefecture",
    "deliberation_presence",
    "deliberation_retirer",
    "deliberation_voter",
    "seance_creer",
    "seance_detail",
    "seance_inscrire",
    "seance_liste",
    "seance_modifier",
    "seance_presences",
]
