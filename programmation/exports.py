"""The filtered programmation as CSV and spreadsheet, read with .values() (no table rendering)."""

import io

from openpyxl import Workbook

from .enums import StatutAction
from .tableur import FORMAT_EUROS, csv_francais, ecrire, texte_sur

COLONNES = [
    ("numero_dauphin", "N° Dauphin"),
    ("annee", "Année"),
    ("tranche__numero", "Tranche"),
    ("intitule", "Intitulé"),
    ("porteur__nom", "Porteur"),
    ("porteur__siret", "SIRET"),
    ("porteur__rna", "RNA"),
    ("axe__numero", "Axe"),
    ("axe__intitule", "Intitulé de l'axe"),
    ("territoire", "Territoire"),
    ("section", "Section"),
    ("cout", "Coût"),
    ("contribution", "Contribution"),
    ("total_cofinancements", "Cofinancements"),
    ("statut", "Statut"),
]
MONTANTS = {"cout", "contribution", "total_cofinancements"}
STATUTS = dict(StatutAction.choices)


def _lignes(queryset):
    for ligne in queryset.values(*(c for c, _ in COLONNES)).iterator(chunk_size=2000):
        ligne["statut"] = STATUTS.get(ligne["statut"], ligne["statut"])
        yield [ligne[c] for c, _ in COLONNES]


def _cellule_csv(colonne, valeur):
    if valeur is None:
        return ""
    if colonne in MONTANTS:
        return str(valeur).replace(".", ",")
    return texte_sur(valeur)


def en_csv(queryset):
    """The filtered programmation, decimal commas included: French usage."""
    return csv_francais(
        [titre for _, titre in COLONNES],
        (
            [_cellule_csv(c, v) for (c, _), v in zip(COLONNES, ligne, strict=True)]
            for ligne in _lignes(queryset)
        ),
    )


def en_xlsx(queryset):
    classeur = Workbook(write_only=False)
    feuille = classeur.active
    feuille.title = "Programmation"
    for colonne, (_, titre) in enumerate(COLONNES, start=1):
        ecrire(feuille, 1, colonne, titre)
    montants = [i for i, (c, _) in enumerate(COLONNES, start=1) if c in MONTANTS]
    for rang, ligne in enumerate(_lignes(queryset), start=2):
        for colonne, valeur in enumerate(ligne, start=1):
            cellule = ecrire(feuille, rang, colonne, valeur)
            if colonne in montants:
                cellule.number_format = FORMAT_EUROS
    feuille.freeze_panes = "A2"
    feuille.auto_filter.ref = feuille.dimensions
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()
