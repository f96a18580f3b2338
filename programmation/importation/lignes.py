"""Rows of the file turned into candidate actions and stated totals, with plain functions (no form,
no query): fast on 20 000 rows. What needs the database is checked afterwards by `apercu`."""

import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from openpyxl.utils import get_column_letter

from contrat_ville.formats import euros
from contrat_ville.validators import valider_rna, valider_siret

from .entetes import trouver_entete
from .erreurs import ErreurImport
from .valeurs import Formule, ValeurInvalide, identifiant, montant, numero_dauphin, texte

MONTANTS = ("cout", "montant_sollicite", "contribution")
DOSSIER = re.compile(r"[0-9A-Za-z\-_/]{1,20}")
LONGUEURS = {"intitule": 300, "porteur_nom": 200, "territoire": 300, "numero_dauphin": 20}


@dataclass(slots=True)
class Ligne:
    feuille: str
    numero: int
    axe_contexte: object = None
    numero_dauphin: str = ""
    numero_dauphin_source: str = ""
    intitule: str = ""
    porteur_nom: str = ""
    libelle_source: str = ""
    siret: str = ""
    rna: str = ""
    axe_texte: str = ""
    territoire: str = ""
    quartiers: str = ""
    objectifs: str = ""
    cout: object = None
    contribution: object = None
    cofinanceurs: str = ""
    cofinancements: list = field(default_factory=list)  # (financeur, montant sollicité)
    quartiers_trouves: list = field(default_factory=list)
    separation_supposee: bool = False
    erreurs: list = field(default_factory=list)
    avertissements: list = field(default_factory=list)
    # Filled by the preview:
    axe: object = None
    porteur: object = None
    action: object = None
    operation: str = ""
    changements: list = field(default_factory=list)

    @property
    def changements_lisibles(self):
        return [f"{champ} : {_lisible(valeur)}" for champ, valeur in self.changements]

    def erreur(self, colonne, message):
        self.erreurs.append(f"{colonne} : {message}" if colonne else message)

    def avertir(self, colonne, message):
        self.avertissements.append(f"{colonne} : {message}" if colonne else message)


def _lisible(valeur):
    if isinstance(valeur, tuple):
        valeur = valeur[1]  # a cofinancement: (financeur, new amount, current row or None)
    if isinstance(valeur, list):
        return ", ".join(map(str, valeur))
    return euros(valeur) if isinstance(valeur, Decimal) else str(valeur)


@dataclass(slots=True)
class Total:
    feuille: str
    numero: int
    libelle: str
    cout: object
    contribution: object
    lignes: list
    note: str = ""


@dataclass
class Lecture:
    lignes: list
    totaux: list
    entete: object
    correspondance: list
    ignorees: int
    notes: list


def lire_lignes(feuilles, correspondance, axe_de, porteur_en_fin):
    """Candidate actions and totals of all sheets.

    correspondance: one field per column of the first header, or a function of that header giving it
    (None: the recognised one). axe_de(text) -> axe or None; porteur_en_fin(text) -> the known porteur
    name ending a combined 'intitulé porteur' cell, or ''."""
    lignes, totaux, notes, ignorees = [], [], [], 0
    premiere = None
    for feuille in feuilles:
        entete = trouver_entete(feuille.lignes)
        if entete is None:
            if feuille.lignes:
                notes.append(f"Feuille « {feuille.nom} » : aucune ligne d'en-têtes reconnue, ignorée.")
            continue
        if premiere is None:
            premiere = entete
            if callable(correspondance):
                correspondance = correspondance(entete)
            if not correspondance or len(correspondance) != len(entete.textes):
                correspondance = entete.correspondance_proposee()
            champs = correspondance
        elif entete.signature == premiere.signature:
            champs = correspondance
        else:
            champs = entete.correspondance_proposee()
        ignorees += _lire_feuille(feuille, entete, champs, axe_de, porteur_en_fin, lignes, totaux)
    if premiere is None:
        raise ErreurImport(
            "Aucune ligne d'en-têtes reconnue : le fichier doit avoir une ligne d'en-têtes nommant au "
            "moins l'intitulé de l'action (« Intitulé », ou « Intitulé de l'action et porteur »). "
            "Téléchargez le modèle pour voir les colonnes attendues."
        )
    if not any(c in ("intitule", "intitule_porteur") for c in correspondance):
        raise ErreurImport("La correspondance des colonnes doit désigner la colonne de l'intitulé.")
    return Lecture(lignes, totaux, premiere, correspondance, ignorees, notes)


def _lire_feuille(feuille, entete, champs, axe_de, porteur_en_fin, lignes, totaux):
    index = {champ: i for i, champ in enumerate(champs) if champ}
    colonnes = {
        champ: f"colonne {get_column_letter(i + 1)} « {entete.textes[i][:40]} »" for champ, i in index.items()
    }
    entete_textes = {t for t in entete.textes if t}
    axe_courant = axe_de(feuille.nom)
    bloc, ignorees = [], 0
    for numero, valeurs in feuille.lignes:
        if numero < entete.numero:
            axe_courant = _titre_axe(valeurs, axe_de) or axe_courant
            continue
        if numero == entete.numero:
            continue
        textes = [texte(v) for v in valeurs if v is not None and not isinstance(v, Formule)]
        textes = [t for t in textes if t]
        if not textes and not any(isinstance(v, Formule) for v in valeurs):
            continue
        if len(entete_textes.intersection(textes)) * 2 >= max(len(textes), 2):
            continue  # the header repeated on each printed page
        if textes and textes[0][:5].upper() == "TOTAL":
            totaux.append(_total(feuille.nom, numero, textes[0], valeurs, index, bloc))
            bloc = []
            continue

        def cellule(champ, valeurs=valeurs):
            i = index.get(champ)
            return valeurs[i] if i is not None and i < len(valeurs) else None

        principal = [cellule(c) for c in ("intitule", "intitule_porteur", "porteur", *MONTANTS)]
        # A heading ('DEFI 3 : …', 'ANNEXE 1') fills one cell; an action names at least its porteur too.
        titre = len(textes) == 1 and isinstance(valeurs[0] if valeurs else None, str) and "/" not in textes[0]
        if titre or all(v is None or texte(v) == "" for v in principal):
            axe = _titre_axe(valeurs, axe_de)
            if axe is not None:
                axe_courant = axe
                bloc = []
            ignorees += 1
            continue
        ligne = lire_ligne(feuille.nom, numero, cellule, colonnes, porteur_en_fin)
        ligne.axe_contexte = axe_courant
        lignes.append(ligne)
        bloc.append(ligne)
    return ignorees


def _titre_axe(valeurs, axe_de):
    # A formula (a subtotal beside the heading) is no text of the row, as in _lire_feuille.
    textes = [texte(v) for v in valeurs if isinstance(v, str) and not isinstance(v, Formule) and texte(v)]
    return axe_de(" ".join(textes)) if len(textes) == 1 else None


def _total(feuille, numero, libelle, valeurs, index, bloc):
    note = ""
    chiffres = {}
    for champ in ("cout", "contribution"):
        i = index.get(champ)
        valeur = valeurs[i] if i is not None and i < len(valeurs) else None
        chiffres[champ] = _chiffre(valeur)
    if chiffres["cout"] is None and chiffres["contribution"] is None:
        # Totals often sit in shifted or merged cells: the last figures of the row, in order.
        nombres = [n for n in (_chiffre(v) for v in valeurs[1:]) if n is not None]
        if len(nombres) >= 2:
            chiffres["cout"], chiffres["contribution"] = nombres[-2], nombres[-1]
        elif nombres:
            chiffres["contribution"] = nombres[-1]
    if any(isinstance(v, Formule) for v in valeurs):
        note = "calculé par une formule dans le fichier : comparé seulement sur ses valeurs écrites"
    return Total(feuille, numero, libelle, chiffres["cout"], chiffres["contribution"], list(bloc), note)


def _chiffre(valeur):
    try:
        return montant(valeur)
    except ValeurInvalide:
        return None


def lire_ligne(feuille, numero, cellule, colonnes, porteur_en_fin):
    """One row into a candidate action; what is wrong with the row itself goes to its errors."""
    ligne = Ligne(feuille, numero)
    ligne.numero_dauphin, ligne.numero_dauphin_source = numero_dauphin(cellule("numero_dauphin"))
    if ligne.numero_dauphin and (
        not DOSSIER.fullmatch(ligne.numero_dauphin) or len(ligne.numero_dauphin_source) > 30
    ):
        ligne.erreur(colonnes["numero_dauphin"], f"numéro de dossier illisible « {ligne.numero_dauphin} »")
    ligne.intitule = texte(cellule("intitule"))
    ligne.porteur_nom = texte(cellule("porteur")).rstrip("* ").strip()
    combine = texte(cellule("intitule_porteur"))
    if combine:
        ligne.libelle_source = combine
        intitule, porteur, supposee = separer(combine, porteur_en_fin)
        ligne.intitule = ligne.intitule or intitule
        ligne.porteur_nom = ligne.porteur_nom or porteur
        ligne.separation_supposee = supposee and not texte(cellule("porteur"))
    if not ligne.intitule:
        ligne.erreur(colonnes.get("intitule") or colonnes.get("intitule_porteur"), "intitulé manquant")
    if not ligne.porteur_nom:
        colonne = colonnes.get("porteur") or colonnes.get("intitule_porteur")
        if combine:
            ligne.erreur(colonne, "porteur introuvable dans la cellule : écrivez « intitulé / porteur »")
        else:
            ligne.erreur(colonne, "porteur manquant")
    elif ligne.separation_supposee:
        ligne.avertir(
            colonnes["intitule_porteur"],
            f"intitulé « {ligne.intitule} » et porteur « {ligne.porteur_nom} » séparés par supposition "
            "(pas de « / ») : vérifiez",
        )
    for champ in ("intitule", "porteur_nom", "territoire"):
        if champ == "territoire":
            ligne.territoire = texte(cellule("territoire"))
        valeur = getattr(ligne, champ)
        if len(valeur) > LONGUEURS[champ]:
            colonne = colonnes.get(champ.removesuffix("_nom")) or colonnes.get("intitule_porteur")
            ligne.erreur(colonne, f"texte trop long ({len(valeur)} caractères, {LONGUEURS[champ]} au plus)")
    ligne.objectifs = texte(cellule("objectifs"))
    ligne.quartiers = texte(cellule("quartiers"))
    ligne.cofinanceurs = texte(cellule("cofinanceurs"))
    ligne.axe_texte = texte(cellule("axe"))
    _identifiants(ligne, cellule, colonnes)
    _montants(ligne, cellule, colonnes)
    return ligne


def separer(combine, porteur_en_fin):
    """'Intitulé / PORTEUR' (2024 annexes) or 'Intitulé PORTEUR' (2019): (intitulé, porteur, supposé)."""
    if "/" in combine:
        intitule, _, porteur = combine.rpartition("/")
        if intitule.strip() and porteur.strip():
            return intitule.strip(), porteur.strip().rstrip("* ").strip(), False
    connu = porteur_en_fin(combine)
    if connu:
        return combine[: len(combine) - len(connu)].strip(" -–/"), connu.rstrip("* ").strip(), False
    # Otherwise the porteur is the run of capitals at the end: 'Accompagner la parentalité IREPS'.
    mots = combine.split()
    fin = len(mots)
    while fin > 1 and _majuscules(mots[fin - 1]):
        fin -= 1
    if fin == len(mots) or fin == 0:
        return combine, "", True
    return " ".join(mots[:fin]), " ".join(mots[fin:]).rstrip("* ").strip(), True


def _majuscules(mot):
    lettres = [c for c in mot if c.isalpha()]
    if not lettres:
        return any(c.isdigit() for c in mot)
    return len(lettres) >= 2 and all(c.isupper() for c in lettres)


def _identifiants(ligne, cellule, colonnes):
    for champ in ("siret", "rna"):
        brut = cellule(champ)
        if brut is None or texte(brut) == "":
            continue
        valeur = identifiant(brut)
        erreur = _erreur_identifiant(champ, valeur)
        if erreur:
            ligne.erreur(colonnes[champ], erreur)
        else:
            setattr(ligne, champ, valeur)


@functools.lru_cache(maxsize=8192)
def _erreur_identifiant(champ, valeur):
    """Why a SIRET or RNA is refused, or '': a porteur's comes back on each of its rows."""
    try:
        {"siret": valider_siret, "rna": valider_rna}[champ](valeur)
    except ValidationError as erreur:
        return " ".join(erreur.messages)
    return ""


def _montants(ligne, cellule, colonnes):
    lus = {}
    for champ in MONTANTS:
        try:
            lus[champ] = montant(cellule(champ))
        except ValeurInvalide as erreur:
            ligne.erreur(colonnes[champ], str(erreur))
            lus[champ] = None
    ligne.cout = lus["cout"]
    # A request file states what is asked; a programming file what is proposed.
    ligne.contribution = lus["contribution"] if lus["contribution"] is not None else lus["montant_sollicite"]
    if ligne.cout is not None and ligne.contribution is not None and ligne.contribution > ligne.cout:
        colonne = colonnes.get("contribution") or colonnes.get("montant_sollicite")
        ligne.erreur(
            colonne,
            f"la contribution ({euros(ligne.contribution)}) dépasse le coût de l'action "
            f"({euros(ligne.cout)})",
        )
