"""The programmation list as CSV and spreadsheet: the page's rows, in the page's order, then the page's
totals rows (programmation/tables.py, `lignes_de_totaux`) after an empty row. Read with .values()."""

import io

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from .enums import StatutAction
from .tables import lignes_de_totaux
from .tableur import FORMAT_EUROS, GRAS, csv_francais, ecrire, texte_sur

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


def _totaux(totaux):
    """The totals rows: the year in « Année », what is counted in « Intitulé », the amounts below theirs."""
    for total in lignes_de_totaux(totaux):
        valeurs = {
            "annee": total["annee"],
            "intitule": total["libelle"],
            "cout": total["cout"] if total["couts_connus"] else None,
            "contribution": total["contribution"],
            "total_cofinancements": total["cofinancements"],
        }
        yield [valeurs.get(c) for c, _ in COLONNES]


def _cellule_csv(colonne, valeur):
    if valeur is None:
        return ""
    if colonne in MONTANTS:
        return f"{valeur:.2f}".replace(".", ",")  # rows and totals alike: two decimals
    return texte_sur(valeur)


def en_csv(queryset, totaux):
    """The filtered programmation, decimal commas included: French usage."""
    lignes = [*_lignes(queryset), [None] * len(COLONNES), *_totaux(totaux)]
    return csv_francais(
        [titre for _, titre in COLONNES],
        ([_cellule_csv(c, v) for (c, _), v in zip(COLONNES, ligne, strict=True)] for ligne in lignes),
    )


def en_xlsx(queryset, totaux):
    classeur = Workbook(write_only=False)
    feuille = classeur.active
    feuille.title = "Programmation"
    for colonne, (_, titre) in enumerate(COLONNES, start=1):
        ecrire(feuille, 1, colonne, titre)
    montants = [i for i, (c, _) in enumerate(COLONNES, start=1) if c in MONTANTS]
    rang = 1
    for rang, ligne in enumerate(_lignes(queryset), start=2):
        for colonne, valeur in enumerate(ligne, start=1):
            cellule = ecrire(feuille, rang, colonne, valeur)
            if colonne in montants:
                cellule.number_format = FORMAT_EUROS
    # The filter covers the rows only: sorting the sheet leaves the totals below them.
    derniere = rang
    feuille.auto_filter.ref = f"A1:{get_column_letter(len(COLONNES))}{derniere}"
    for rang_total, ligne in enumerate(_totaux(totaux), start=derniere + 2):
        for colonne, valeur in enumerate(ligne, start=1):
            cellule = ecrire(feuille, rang_total, colonne, valeur)
            cellule.font = GRAS
            if colonne in montants:
                cellule.number_format = FORMAT_EUROS
    feuille.freeze_panes = "A2"
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()
