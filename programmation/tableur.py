"""The tranche's annex as a spreadsheet: one sheet per axe, a summary sheet, live SUM formulas."""

import csv
import io
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.properties import PageSetupProperties

from .annexe import construire_annexe

# Exact to the cent: the cell holds the Decimal, the format shows its cents (never rounded away).
FORMAT_EUROS = '#,##0.00 "€";-#,##0.00 "€"'
GRAS = Font(bold=True)
FOND_ENTETE = PatternFill("solid", fgColor="DDDDDD")
HAUT_GAUCHE = Alignment(vertical="top", wrap_text=True)
COLONNES = [
    # en-tête, largeur, attribut
    ("N° Action DAUPHIN", 12, "numero_dauphin"),
    ("Intitulé de l'action", 40, "intitule"),
    ("Porteur", 28, "porteur"),
    ("Territoire concerné", 22, "territoire"),
    ("Objectifs de l'action", 70, "objectifs"),
    ("Coût de l'action", 14, "cout"),
    ("Contribution", 14, "contribution"),
]
COL_COUT, COL_CONTRIBUTION = "F", "G"


# What a spreadsheet reads as the start of a formula when a text is typed or re-entered (OWASP).
DEBUTS_DE_FORMULE = ("=", "+", "-", "@", "\t", "\r")


def csv_francais(titres, lignes):
    """UTF-8 with BOM (opens in a spreadsheet as is) and semicolons: French usage. Cells as given."""
    sortie = io.StringIO()
    sortie.write("\ufeff")
    ecrivain = csv.writer(sortie, delimiter=";")
    ecrivain.writerow(titres)
    ecrivain.writerows(lignes)
    return sortie.getvalue().encode("utf-8")


def texte_sur(valeur):
    """For CSV files: a text a spreadsheet would run as a formula gets a leading quote, and stays a text."""
    return "'" + valeur if isinstance(valeur, str) and valeur.startswith(DEBUTS_DE_FORMULE) else valeur


def ecrire(feuille, ligne, colonne, valeur):
    """Write a value; a text is always a text, never a formula (no formula injection)."""
    cellule = feuille.cell(row=ligne, column=colonne, value=valeur)
    if isinstance(valeur, str) and valeur.startswith(DEBUTS_DE_FORMULE):
        cellule.data_type = "s"
        # The quote prefix keeps it a text even when someone edits the cell and presses Enter.
        cellule.quotePrefix = True
    return cellule


def _mise_en_page(feuille, titre, largeurs):
    for i, largeur in enumerate(largeurs, start=1):
        feuille.column_dimensions[get_column_letter(i)].width = largeur
    feuille.freeze_panes = "A2"
    feuille.print_title_rows = "1:1"
    feuille.page_setup.orientation = "landscape"
    feuille.page_setup.paperSize = feuille.PAPERSIZE_A4
    feuille.page_setup.fitToWidth = 1
    feuille.page_setup.fitToHeight = 0
    feuille.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    feuille.oddHeader.center.text = titre
    feuille.oddFooter.right.text = "page &P / &N"


def _entete(feuille, entetes):
    for colonne, texte in enumerate(entetes, start=1):
        cellule = ecrire(feuille, 1, colonne, texte)
        cellule.font, cellule.fill, cellule.alignment = GRAS, FOND_ENTETE, HAUT_GAUCHE


def _feuille_axe(classeur, tableau, sigle):
    numero = tableau.axe.numero if tableau.axe else 0
    niveau = tableau.axe.contrat.libelle_niveau if tableau.axe else "Sans axe"
    feuille = classeur.create_sheet(f"{niveau} {numero}"[:31])
    _entete(feuille, [*(c[0] for c in COLONNES[:-1]), f"Contribution {sigle}"])
    for ligne, action in enumerate(tableau.actions, start=2):
        for colonne, (_, _, attribut) in enumerate(COLONNES, start=1):
            valeur = getattr(action, attribut)
            ecrire(feuille, ligne, colonne, valeur if not hasattr(valeur, "pk") else str(valeur))
            feuille.cell(row=ligne, column=colonne).alignment = HAUT_GAUCHE
        for colonne in (6, 7):
            feuille.cell(row=ligne, column=colonne).number_format = FORMAT_EUROS
    derniere = len(tableau.actions) + 1
    total = derniere + 1
    ecrire(feuille, total, 1, tableau.libelle_total).font = GRAS
    for lettre in (COL_COUT, COL_CONTRIBUTION):
        cellule = feuille[f"{lettre}{total}"]
        cellule.font, cellule.number_format = GRAS, FORMAT_EUROS
        if lettre == COL_COUT and not tableau.couts_connus:
            continue  # no cost known: an empty cell, not a SUM that would show 0 €
        cellule.value = f"=SUM({lettre}2:{lettre}{derniere})"
    if inconnus := tableau.nombre - tableau.couts_connus:
        ecrire(feuille, total, len(COLONNES) + 1, couts_non_renseignes(inconnus)).font = GRAS
    _total_enonce(feuille, tableau, total)
    _mise_en_page(feuille, tableau.titre, [c[1] for c in COLONNES])
    return feuille, total


def _total_enonce(feuille, tableau, total):
    """A voted act's total as it states it (see annexe.py), the lines' live SUM on the row below."""
    enonces = {COL_COUT: tableau.cout_enonce, COL_CONTRIBUTION: tableau.contribution_enoncee}
    if all(v is None for v in enonces.values()):
        return
    ecrire(feuille, total + 1, 1, "Somme des lignes (le total ci-dessus est celui de l'acte voté)")
    for lettre, enonce in enonces.items():
        if enonce is None:
            continue
        somme = feuille[f"{lettre}{total + 1}"]
        somme.value, somme.number_format = feuille[f"{lettre}{total}"].value, FORMAT_EUROS
        feuille[f"{lettre}{total}"].value = enonce


def couts_non_renseignes(inconnus):
    """« dont 2 coûts non renseignés »: a cost total that leaves out unknown costs says so."""
    pluriel = "s" if inconnus > 1 else ""
    return f"dont {inconnus} coût{pluriel} non renseigné{pluriel}"


def _recapitulatif(feuille, lignes_axes, annexe):
    entetes = ["Axe", "Nombre d'actions", "Coût", f"Contribution {annexe.collectivite.nom_court}"]
    avec_inconnus = annexe.nombre > annexe.couts_connus
    _entete(feuille, entetes + (["Coûts non renseignés"] if avec_inconnus else []))
    for ligne, (tableau, nom_feuille, total) in enumerate(lignes_axes, start=2):
        ref = quote_sheetname(nom_feuille)
        ecrire(feuille, ligne, 1, tableau.titre)
        feuille.cell(row=ligne, column=2, value=f"=COUNTA({ref}!B2:B{total - 1})")
        # A reference to an empty total would read 0 €: no known cost, no formula.
        cout = f"={ref}!{COL_COUT}{total}" if tableau.couts_connus else None
        feuille.cell(row=ligne, column=3, value=cout).number_format = FORMAT_EUROS
        feuille.cell(
            row=ligne, column=4, value=f"={ref}!{COL_CONTRIBUTION}{total}"
        ).number_format = FORMAT_EUROS
        if avec_inconnus:
            feuille.cell(row=ligne, column=5, value=tableau.nombre - tableau.couts_connus)
    fin = len(lignes_axes) + 1
    ecrire(feuille, fin + 1, 1, "TOTAL").font = GRAS
    for colonne in (2, 3, 4, 5) if avec_inconnus else (2, 3, 4):
        lettre = get_column_letter(colonne)
        somme = f"=SUM({lettre}2:{lettre}{fin})" if colonne != 3 or annexe.couts_connus else None
        cellule = feuille.cell(row=fin + 1, column=colonne, value=somme)
        cellule.font = GRAS
        if colonne in (3, 4):
            cellule.number_format = FORMAT_EUROS
    _mise_en_page(feuille, f"{annexe.tranche} — récapitulatif", [70, 16, 16, 18, 16])


def _maitrise_ouvrage(classeur, annexe):
    feuille = classeur.create_sheet("Annexe 2")
    financeurs = annexe.financeurs_maitrise_ouvrage
    _entete(
        feuille,
        [
            "Porteur",
            "Intitulé de l'action",
            "Territoire concerné",
            "Objectifs de l'action",
            "Coût de l'action",
        ]
        + [f"Participation prévisionnelle {f.nom}" for f in financeurs],
    )
    for ligne, donnees in enumerate(annexe.lignes_maitrise_ouvrage, start=2):
        action = donnees["action"]
        valeurs = [str(action.porteur), action.intitule, action.territoire, action.objectifs, action.cout]
        for colonne, valeur in enumerate([*valeurs, *donnees["participations"]], start=1):
            ecrire(feuille, ligne, colonne, valeur).alignment = HAUT_GAUCHE
            if colonne >= 5:
                feuille.cell(row=ligne, column=colonne).number_format = FORMAT_EUROS
    _mise_en_page(feuille, "Annexe 2 — maîtrise d'ouvrage", [28, 40, 22, 70, 14] + [16] * len(financeurs))


def annexe_xlsx(tranche):
    annexe = construire_annexe(tranche)
    classeur = Workbook()
    recapitulatif = classeur.active
    recapitulatif.title = "Récapitulatif"
    lignes_axes = []
    for tableau in annexe.tableaux:
        feuille, total = _feuille_axe(classeur, tableau, annexe.collectivite.nom_court)
        lignes_axes.append((tableau, feuille.title, total))
    _recapitulatif(recapitulatif, lignes_axes, annexe)
    if annexe.maitrise_ouvrage:
        _maitrise_ouvrage(classeur, annexe)
    sortie = BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()
