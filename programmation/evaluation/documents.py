"""The annual report as PDF (WeasyPrint) and as a spreadsheet (openpyxl), from `construire_rapport`."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from contrat_ville.pdf import html_vers_pdf, rendre_html

from ..tableur import FORMAT_EUROS, GRAS, HAUT_GAUCHE, _entete, _mise_en_page, ecrire
from .rapport import construire_rapport


def nom_fichier(rapport, extension):
    return f"rapport-politique-de-la-ville-{rapport.annee}.{extension}"


def rapport_pdf(rapport, avancer=None):
    html = rendre_html("programmation/documents/rapport_annuel.html", {"r": construire_rapport(rapport)})
    return html_vers_pdf(html, avancer)


COLONNES = [
    ("Axe", 18),
    ("Thème", 20),
    ("Nom de l'action", 30),
    ("Opérateur", 22),
    ("Objectifs", 50),
    ("Description synthétique de l'action", 50),
    ("Public touché (QPV/ hors QPV ; F/H)", 40),
    ("Personnes touchées", 11),
    ("dont femmes", 10),
    ("dont hommes", 10),
    ("dont QPV", 10),
]
TEXTES_APRES = [("Moyens humains (ETP)", 30), ("ETP", 8), ("Commentaires", 45)]


def _feuille_detail(feuille, r):
    noms = [nom for nom, _ in r.financeurs]
    entetes = [c for c, _ in COLONNES] + noms + ["Total"] + [c for c, _ in TEXTES_APRES]
    _entete(feuille, entetes)
    premiere_somme = len(COLONNES) + 1
    col_total = premiere_somme + len(noms)
    ligne_xl = 2
    for axe in r.axes:
        debut = ligne_xl
        for theme in axe.themes:
            for ligne in theme.lignes:
                a, b = ligne.action, ligne.bilan
                public = (
                    (b.public_total, b.public_femmes, b.public_hommes, b.public_qpv) if b else (None,) * 4
                )
                valeurs = [axe.titre, theme.titre, a.intitule, a.porteur.nom, a.objectifs]
                valeurs += [b.realisation if b else "", b.public_detail if b else "", *public]
                montants = dict(ligne.financements)
                valeurs += [montants.get(nom) for nom in noms] + [ligne.total]
                valeurs += [b.moyens_humains if b else "", b.etp if b else None, b.commentaires if b else ""]
                for colonne, valeur in enumerate(valeurs, start=1):
                    ecrire(feuille, ligne_xl, colonne, valeur).alignment = HAUT_GAUCHE
                for colonne in range(premiere_somme, col_total + 1):
                    feuille.cell(row=ligne_xl, column=colonne).number_format = FORMAT_EUROS
                ligne_xl += 1
        ecrire(feuille, ligne_xl, 1, f"TOTAL {axe.titre}").font = GRAS
        for colonne in list(range(8, 12)) + list(range(premiere_somme, col_total + 1)):
            lettre = get_column_letter(colonne)
            cellule = feuille.cell(
                row=ligne_xl, column=colonne, value=f"=SUM({lettre}{debut}:{lettre}{ligne_xl - 1})"
            )
            cellule.font = GRAS
            if colonne >= premiere_somme:
                cellule.number_format = FORMAT_EUROS
        ligne_xl += 1
    largeurs = [w for _, w in COLONNES] + [13] * (len(noms) + 1) + [w for _, w in TEXTES_APRES]
    _mise_en_page(feuille, f"{r.rapport.intitule} — déclinaison détaillée", largeurs)


def _feuille_financeurs(feuille, r):
    _entete(feuille, ["Financeur", f"Montant {r.annee}"])
    for ligne, (nom, montant) in enumerate(r.financeurs, start=2):
        ecrire(feuille, ligne, 1, nom)
        ecrire(feuille, ligne, 2, montant).number_format = FORMAT_EUROS
    fin = len(r.financeurs) + 1
    ecrire(feuille, fin + 1, 1, "TOTAL").font = GRAS
    total = feuille.cell(row=fin + 1, column=2, value=f"=SUM(B2:B{fin})")
    total.font, total.number_format = GRAS, FORMAT_EUROS
    _mise_en_page(feuille, f"{r.rapport.intitule} — par financeur", [40, 16])


def _feuille_axes(feuille, r):
    _entete(
        feuille,
        ["Axe", "Actions", "Personnes touchées", "dont femmes", "dont hommes", "dont QPV", "Financement"],
    )
    for ligne, axe in enumerate(r.axes, start=2):
        t = axe.totaux
        valeurs = [axe.titre, t.get("nombre"), t.get("public_total"), t.get("public_femmes")]
        valeurs += [t.get("public_hommes"), t.get("public_qpv"), t.get("financement")]
        for colonne, valeur in enumerate(valeurs, start=1):
            ecrire(feuille, ligne, colonne, valeur)
        feuille.cell(row=ligne, column=7).number_format = FORMAT_EUROS
    _mise_en_page(feuille, f"{r.rapport.intitule} — par axe", [50, 10, 14, 12, 12, 12, 16])


def rapport_xlsx(rapport):
    r = construire_rapport(rapport)
    classeur = Workbook()
    detail = classeur.active
    detail.title = f"Déclinaison {r.annee}"
    _feuille_detail(detail, r)
    _feuille_axes(classeur.create_sheet("Par axe"), r)
    _feuille_financeurs(classeur.create_sheet("Par financeur"), r)
    sortie = BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()
