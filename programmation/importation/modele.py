"""The template file an agent fills in: the expected columns, the contract's axes as a drop-down."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ..tableur import ecrire

COLONNES = [
    # en-tête (reconnu par l'import), largeur
    ("N° dossier DAUPHIN", 14),
    ("Intitulé de l'action", 40),
    ("Porteur", 30),
    ("SIRET", 16),
    ("RNA", 12),
    ("Axe", 30),
    ("Territoire concerné", 24),
    ("Quartier(s)", 24),
    ("Objectifs de l'action", 60),
    ("Coût total de l'action", 16),
    ("Montant sollicité", 16),
    ("Cofinanceurs", 30),
]
LIGNES_PREVUES = 1000


def modele_xlsx(contrat):
    classeur = Workbook()
    feuille = classeur.active
    feuille.title = "Demandes"
    for colonne, (entete, largeur) in enumerate(COLONNES, start=1):
        cellule = ecrire(feuille, 1, colonne, entete)
        cellule.font = Font(bold=True)
        cellule.fill = PatternFill("solid", fgColor="DDDDDD")
        cellule.alignment = Alignment(wrap_text=True, vertical="top")
        feuille.column_dimensions[get_column_letter(colonne)].width = largeur
    feuille.freeze_panes = "A2"
    axes = classeur.create_sheet("Axes")
    for ligne, axe in enumerate(contrat.axes.all(), start=1):
        ecrire(axes, ligne, 1, str(axe))
    nombre = max(axes.max_row, 1)
    colonne_axe = get_column_letter([c[0] for c in COLONNES].index("Axe") + 1)
    liste = DataValidation(
        type="list",
        formula1=f"{quote_sheetname('Axes')}!$A$1:$A${nombre}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Axe inconnu",
        error=f"Choisissez un axe du contrat « {contrat.intitule} » dans la liste.",
    )
    liste.add(f"{colonne_axe}2:{colonne_axe}{LIGNES_PREVUES + 1}")
    feuille.add_data_validation(liste)
    for lettre in ("J", "K"):
        for (cellule,) in feuille[f"{lettre}2:{lettre}{LIGNES_PREVUES + 1}"]:
            cellule.number_format = '#,##0.00 "€"'  # the cents typed stay visible
    sortie = BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()
