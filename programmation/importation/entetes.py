"""Recognising the columns by their header, in the wordings French files use."""

import hashlib
from dataclasses import dataclass

from .valeurs import normaliser, texte

# champ : (libellé montré à l'agent, débuts d'en-tête normalisés qui le désignent)
CHAMPS = {
    "numero_dauphin": (
        "N° dossier (DAUPHIN)",
        (
            "n action dauphin",
            "numero action dauphin",
            "n dossier",
            "numero dossier",
            "numero de dossier",
            "n de dossier",
            "dauphin",
            "n dauphin",
            "numero dauphin",
            "n osiris",
            "reference dossier",
        ),
    ),
    "intitule_porteur": (
        "Intitulé et porteur (une seule cellule)",
        (
            "intitule de l action et porteur",
            "intitule et porteur",
            "action et porteur",
            "intitule porteur",
            "intitule de l action porteur",
        ),
    ),
    "intitule": (
        "Intitulé de l'action",
        (
            "intitule",
            "titre de l action",
            "nom de l action",
            "libelle de l action",
            "action",
            "projet",
            "intitule du projet",
            "libelle",
        ),
    ),
    "porteur": (
        "Porteur",
        (
            "porteur",
            "structure",
            "organisme",
            "association",
            "beneficiaire",
            "raison sociale",
            "nom du porteur",
            "nom de la structure",
            "operateur",
        ),
    ),
    "siret": ("SIRET", ("siret", "n siret", "numero siret")),
    "rna": ("RNA", ("rna", "n rna", "numero rna", "n w", "numero w")),
    "axe": (
        "Axe (pilier, défi, priorité)",
        ("pilier", "defi", "axe", "priorite", "thematique", "orientation"),
    ),
    "territoire": ("Territoire concerné", ("territoire", "territoire concerne", "lieu", "commune")),
    "quartiers": ("Quartier(s)", ("quartier", "quartiers", "qpv", "quartier s", "quartiers concernes")),
    "objectifs": ("Objectifs de l'action", ("objectif", "objectifs", "description", "resume")),
    "cout": (
        "Coût de l'action",
        (
            "cout",
            "cout de l action",
            "cout total",
            "cout total de l action",
            "budget",
            "budget total",
            "cout previsionnel",
            "montant total",
        ),
    ),
    "montant_sollicite": (
        "Montant sollicité",
        (
            "montant sollicite",
            "montant demande",
            "subvention sollicitee",
            "subvention demandee",
            "demande",
            "sollicite",
        ),
    ),
    "contribution": (
        "Contribution de la collectivité",
        (
            "contribution",
            "montant propose",
            "montant accorde",
            "proposition",
            "subvention proposee",
            "montant retenu",
            "subvention accordee",
            "participation",
        ),
    ),
    "cofinanceurs": (
        "Cofinanceurs",
        (
            "cofinanceur",
            "cofinanceurs",
            "co financeurs",
            "cofinancement",
            "autres financeurs",
            "cofinancements",
        ),
    ),
}
CHOIX = [("", "— ignorer —")] + [(cle, libelle) for cle, (libelle, _) in CHAMPS.items()]


def reconnaitre(entete):
    """The field a header names, or '' : the longest matching wording wins."""
    norme = normaliser(entete)
    if not norme:
        return ""
    meilleur, longueur = "", 0
    for champ, (_, formes) in CHAMPS.items():
        for forme in formes:
            if (norme == forme or norme.startswith(forme + " ")) and len(forme) > longueur:
                meilleur, longueur = champ, len(forme)
    return meilleur


@dataclass
class Entete:
    numero: int  # row number in the sheet
    textes: tuple  # header texts, one per column

    @property
    def signature(self):
        """Same shape of file, same signature: the mapping chosen once is offered again."""
        forme = "|".join(normaliser(t) for t in self.textes)
        return hashlib.sha256(forme.encode()).hexdigest()

    def correspondance_proposee(self):
        champs, vus = [], set()
        for t in self.textes:
            champ = reconnaitre(t)
            # One column per field: a second "Montant" column is left for the agent to assign.
            champs.append(champ if champ not in vus else "")
            vus.add(champ)
        return champs


def trouver_entete(lignes, profondeur=30):
    """The header row among the first rows: the one naming most fields, with a title among them."""
    meilleure, score = None, 1
    for numero, valeurs in lignes[:profondeur]:
        champs = {reconnaitre(texte(v)) for v in valeurs if isinstance(v, str)} - {""}
        if not champs & {"intitule", "intitule_porteur"}:
            continue
        if len(champs) > score:
            meilleure, score = Entete(numero, tuple(texte(v) for v in valeurs)), len(champs)
    return meilleure
