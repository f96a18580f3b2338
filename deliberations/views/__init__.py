"""The pages of séances and délibérations, one module a topic."""

from .consultation import (
    deliberation_acte_fige,
    deliberation_detail,
    deliberation_extrait_pdf,
    deliberation_liste,
    seance_detail,
    seance_liste,
)
from .instances import (
    elu_creer,
    elu_liste,
    elu_modifier,
    instance_creer,
    instance_detail,
    instance_importer,
    instance_importer_confirmer,
    instance_liste,
    instance_membres,
    instance_modifier,
)
from .journal import journal_liste
from .opendata import donnees_ouvertes, donnees_ouvertes_siret
from .redaction import deliberation_rediger, modele_deliberation, modeles_deliberation
from .registre import registre_modifier
from .seances import (
    seance_creer,
    seance_inscrire,
    seance_modifier,
    seance_presences,
    seance_reprendre_presences,
    seance_tous_presents,
)
from .votes import (
    deliberation_deplacer,
    deliberation_ligne,
    deliberation_prefecture,
    deliberation_presence,
    deliberation_retirer,
    deliberation_voter,
)

__all__ = [
    "elu_creer",
    "elu_liste",
    "elu_modifier",
    "instance_creer",
    "instance_detail",
    "instance_importer",
    "instance_importer_confirmer",
    "instance_liste",
    "instance_membres",
    "instance_modifier",
    "registre_modifier",
    "donnees_ouvertes",
    "donnees_ouvertes_siret",
    "journal_liste",
    "deliberation_acte_fige",
    "deliberation_deplacer",
    "deliberation_detail",
    "deliberation_extrait_pdf",
    "deliberation_ligne",
    "deliberation_liste",
    "deliberation_prefecture",
    "deliberation_rediger",
    "deliberation_presence",
    "deliberation_retirer",
    "deliberation_voter",
    "modele_deliberation",
    "modeles_deliberation",
    "seance_creer",
    "seance_detail",
    "seance_inscrire",
    "seance_liste",
    "seance_modifier",
    "seance_presences",
    "seance_reprendre_presences",
    "seance_tous_presents",
]
