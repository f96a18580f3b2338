"""The reference data of the user's authority — contracts, financeurs, envelopes, quartiers, axes and
their thèmes — kept in the application's pages by the authority's référents.

Everyone with the « view » permissions reads the lists; the changes need the model's add / change /
delete permission (the « Référents » and « Administrateurs » groups, see contrat_ville/roles.py). Every
row is looked for among the authority's own (another authority's id: 404), every change goes through
the model's full_clean() (see forms.py) and writes one line of history saying what changed
(contrat_ville/historique.py), shown under each page.

One module a topic; the views (and the helpers grille.py shares) are importable from here, as urls.py
uses them.
"""

from .accueil import index
from .commun import (
    _avec_filtres,
    _historique,
    _page,
    changements,
    contenu,
    contrat_courant,
    decrire,
    permission,
    texte,
)
from .contrats import (
    axe_creer,
    axe_modifier,
    axes,
    contrat_creer,
    contrat_modifier,
    contrats,
    theme_creer,
    theme_modifier,
)
from .financeurs import (
    annee_par_defaut,
    enveloppe_creer,
    enveloppe_modifier,
    enveloppe_supprimer,
    enveloppes,
    financeur_creer,
    financeur_modifier,
    financeur_supprimer,
    financeurs,
)
from .quartiers import quartier_creer, quartier_modifier, quartiers

__all__ = [
    "_avec_filtres",
    "_historique",
    "_page",
    "annee_par_defaut",
    "axe_creer",
    "axe_modifier",
    "axes",
    "changements",
    "contenu",
    "contrat_courant",
    "contrat_creer",
    "contrat_modifier",
    "contrats",
    "decrire",
    "enveloppe_creer",
    "enveloppe_modifier",
    "enveloppe_supprimer",
    "enveloppes",
    "financeur_creer",
    "financeur_modifier",
    "financeur_supprimer",
    "financeurs",
    "index",
    "permission",
    "quartier_creer",
    "quartier_modifier",
    "quartiers",
    "texte",
    "theme_creer",
    "theme_modifier",
]
