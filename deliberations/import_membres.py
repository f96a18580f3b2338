"""Importing an instance's members from a CSV or xlsx file: read within bounds, check every row, then
create or update the élus and set them as the members, all or nothing.

Between the preview and the confirmation the checked rows travel in a signed payload: the file is
not sent twice and nothing is stored, and a payload changed by hand is refused.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contrat_ville import historique
from contrat_ville.textes import normaliser
from programmation.importation import lecture
from programmation.importation.erreurs import ErreurImport
from programmation.importation.valeurs import texte as texte_de_cellule

from .enums import Civilite
from .models import Elu

Mo = 1024 * 1024
TAILLE_MAX = 2 * Mo
LIGNES_MAX = 1_000
LIGNES_LUES_MAX = 10_000  # empty ones included: a forged sheet may claim a million
COLONNES_MAX = 50
CELLULE_MAX = 1_000  # characters kept of a cell: beyond, the row is refused anyway
DUREE_SIGNATURE = 3 * 3600

COLONNES = {
    "civilite": ("civilite",),
    "prenom": ("prenom",),
    "nom": ("nom", "nom de famille"),
    "fonction": ("fonction", "qualite", "mandat"),
    "debut_mandat": ("debut de mandat", "debut du mandat", "debut mandat", "debut"),
    "fin_mandat": ("fin de mandat", "fin du mandat", "fin mandat", "fin"),
}
OBLIGATOIRES = ("civilite", "prenom", "nom")
CIVILITES = {
    "m": Civilite.MONSIEUR,
    "mr": Civilite.MONSIEUR,
    "monsieur": Civilite.MONSIEUR,
    "mme": Civilite.MADAME,
    "madame": Civilite.MADAME,
}
DATE_FR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
CONTROLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class ErreurFichier(Exception):
    """A file that cannot be read at all: its message is shown as is."""


# --- reading ---------------------------------------------------------------------------------------


def lire(contenu, nom_fichier):
    """The file's rows as [(numéro de ligne, [texte, …])], header included. Read by the action import's
    reader (xlsx streamed with its archive checked first, CSV encodings, formulas kept as typed), then
    held to this import's tighter bounds."""
    if len(contenu) > TAILLE_MAX:
        raise ErreurFichier(f"Le fichier dépasse {TAILLE_MAX // Mo} Mo.")
    try:
        feuilles = lecture.lire(contenu, nom_fichier)
    except ErreurImport as erreur:
        raise ErreurFichier(str(erreur)) from None
    return _bornees(feuilles[0].lignes)


def _bornees(lignes):
    resultat = []
    for numero, ligne in lignes:
        if numero > LIGNES_LUES_MAX:
            raise ErreurFichier(f"Le fichier dépasse {LIGNES_LUES_MAX} lignes, vides comprises.")
        cellules = [_texte(valeur) for valeur in ligne[:COLONNES_MAX]]
        while cellules and not cellules[-1]:  # a read-only sheet pads every row to COLONNES_MAX
            cellules.pop()
        if not cellules:
            continue
        if len(resultat) > LIGNES_MAX:  # the header is not a member
            raise ErreurFichier(f"Le fichier dépasse {LIGNES_MAX} lignes de membres.")
        resultat.append((numero, cellules))
    return resultat


def _texte(valeur):
    return texte_de_cellule(valeur)[:CELLULE_MAX]


# --- checking --------------------------------------------------------------------------------------

NOUVEAU, MIS_A_JOUR, ERREUR = "nouveau", "mis_a_jour", "erreur"
VERDICTS = {NOUVEAU: "nouvel élu", MIS_A_JOUR: "élu existant mis à jour", ERREUR: "erreur"}


@dataclass
class Ligne:
    numero: int
    valeurs: dict
    verdict: str = NOUVEAU
    erreurs: list = field(default_factory=list)
    elu: Elu | None = None

    @property
    def cellules(self):
        """The row as shown in the preview, in the columns' order; a column left out is empty."""
        return [_montrer(self.valeurs.get(champ)) for champ in COLONNES]

    @property
    def en_exercice(self):
        """A member whose mandate is over is still recorded, but no longer sits."""
        fin = self.valeurs.get("fin_mandat")
        return not isinstance(fin, date) or fin >= timezone.localdate()

    @property
    def libelle_verdict(self):
        if self.verdict != ERREUR and not self.en_exercice:
            return f"{VERDICTS[self.verdict]}, mandat terminé : ne sera pas membre"
        return VERDICTS[self.verdict]


def _montrer(valeur):
    if isinstance(valeur, date):
        return f"{valeur:%d/%m/%Y}"
    return valeur or ""


@dataclass
class Apercu:
    lignes: list

    @property
    def erreurs(self):
        return [ligne for ligne in self.lignes if ligne.verdict == ERREUR]

    def compte(self, verdict):
        return sum(1 for ligne in self.lignes if ligne.verdict == verdict)

    def nouveaux(self):
        return self.compte(NOUVEAU)

    def mis_a_jour(self):
        return self.compte(MIS_A_JOUR)

    def membres(self):
        return sum(1 for ligne in self.lignes if ligne.verdict != ERREUR and ligne.en_exercice)


def colonnes(entete):
    """{champ: index} from the header row; refused when a required column is missing."""
    noms = [normaliser(cellule) for cellule in entete]
    trouvees = {}
    for champ, libelles in COLONNES.items():
        for index, nom in enumerate(noms):
            if nom in libelles and index not in trouvees.values():
                trouvees[champ] = index
                break
    manquantes = [champ for champ in OBLIGATOIRES if champ not in trouvees]
    if manquantes:
        raise ErreurFichier(
            "Colonnes introuvables : "
            + ", ".join(Elu._meta.get_field(champ).verbose_name for champ in manquantes)
            + ". La première ligne doit nommer les colonnes : civilité, prénom, nom, fonction, "
            "début de mandat, fin de mandat."
        )
    return trouvees


def analyser(lignes, collectivite_id):
    """The verdict of every row, the header being the first; nothing is written."""
    if not lignes:
        raise ErreurFichier("Le fichier ne contient aucune ligne.")
    (_, entete), *membres = lignes
    if not membres:
        raise ErreurFichier("Le fichier ne contient que la ligne des titres : aucun membre à importer.")
    index = colonnes(entete)
    existants = {_cle(e.nom, e.prenom): e for e in Elu.objects.filter(collectivite=collectivite_id)}
    vues = {}
    resultat = []
    for numero, cellules in membres:
        valeurs = {champ: cellules[i] if i < len(cellules) else "" for champ, i in index.items()}
        ligne = _verifier(numero, valeurs)
        cle = _cle(valeurs.get("nom", ""), valeurs.get("prenom", ""))
        if cle in vues and not ligne.erreurs:
            ligne.erreurs.append(f"en double dans le fichier (déjà à la ligne {vues[cle]})")
        vues.setdefault(cle, numero)
        ligne.elu = existants.get(cle)
        ligne.verdict = ERREUR if ligne.erreurs else (MIS_A_JOUR if ligne.elu else NOUVEAU)
        resultat.append(ligne)
    return Apercu(resultat)


def _cle(nom, prenom):
    return (nom.strip().casefold(), prenom.strip().casefold())


def _verifier(numero, valeurs):
    ligne = Ligne(numero, dict(valeurs))
    for champ in ("civilite", "prenom", "nom", "fonction", "debut_mandat", "fin_mandat"):
        texte = valeurs.get(champ, "")
        if texte.startswith(("=", "+", "@")) or CONTROLE.search(texte):
            ligne.erreurs.append(f"{_libelle(champ)} : formule ou caractère invalide refusé")
        elif champ in ("prenom", "nom", "fonction") and len(texte) > Elu._meta.get_field(champ).max_length:
            ligne.erreurs.append(
                f"{_libelle(champ)} trop long ({Elu._meta.get_field(champ).max_length} caractères au plus)"
            )
    if ligne.erreurs:
        return ligne
    civilite = CIVILITES.get(normaliser(valeurs["civilite"]))
    if civilite is None:
        ligne.erreurs.append(f"civilité « {valeurs['civilite']} » inconnue (M. ou Mme attendu)")
    ligne.valeurs["civilite"] = civilite
    if not valeurs["nom"] or not valeurs["prenom"]:
        ligne.erreurs.append("nom ou prénom manquant")
    for champ in ("debut_mandat", "fin_mandat"):
        if champ not in valeurs:  # a column left out keeps what is known
            continue
        try:
            ligne.valeurs[champ] = _date(valeurs.get(champ, ""))
        except ValueError:
            ligne.erreurs.append(f"{_libelle(champ)} « {valeurs[champ]} » invalide (JJ/MM/AAAA attendu)")
    debut, fin = ligne.valeurs.get("debut_mandat"), ligne.valeurs.get("fin_mandat")
    if isinstance(debut, date) and isinstance(fin, date) and fin < debut:
        ligne.erreurs.append("la fin du mandat précède son début")
    return ligne


def _libelle(champ):
    return str(Elu._meta.get_field(champ).verbose_name)


def _date(texte):
    if not texte:
        return None
    correspondance = DATE_FR.match(texte)
    if correspondance is None:
        raise ValueError(texte)
    jour, mois, annee = (int(n) for n in correspondance.groups())
    return date(annee, mois, jour)


# --- between the preview and the confirmation ------------------------------------------------------


def _sel(instance, auteur):
    return f"deliberations.import_membres:{instance.pk}:{auteur.pk}"


def signer(lignes, instance, auteur):
    """The rows read from the file, signed for this instance and this user only."""
    return signing.dumps(lignes, salt=_sel(instance, auteur), compress=True)


def relire(jeton, instance, auteur):
    """The rows a signed payload holds; ErreurFichier when it was changed, is stale or is for another
    instance or user."""
    try:
        lignes = signing.loads(jeton or "", salt=_sel(instance, auteur), max_age=DUREE_SIGNATURE)
    except signing.BadSignature:
        raise ErreurFichier(
            "Les données préparées ne sont plus valables (modifiées ou trop anciennes) : "
            "déposez de nouveau le fichier."
        ) from None
    return [(numero, cellules) for numero, cellules in lignes]


# --- applying --------------------------------------------------------------------------------------


@dataclass
class Bilan:
    crees: int
    mis_a_jour: int
    membres: int


@transaction.atomic
def importer(instance, lignes, auteur):
    """Creates or updates the rows' élus and makes those in office the instance's members; refused as a whole
    (ValidationError) as soon as one row is wrong, the rows being checked again against today's élus."""
    try:
        apercu = analyser(lignes, instance.collectivite_id)
    except ErreurFichier as erreur:
        raise ValidationError(str(erreur)) from None
    if apercu.erreurs:
        raise ValidationError(
            [f"Ligne {ligne.numero} : {' ; '.join(ligne.erreurs)}." for ligne in apercu.erreurs]
        )
    elus = [
        elu
        for ligne in apercu.lignes
        if (elu := _enregistrer(ligne, instance.collectivite_id, auteur)) and ligne.en_exercice
    ]
    avant = set(instance.membres.values_list("pk", flat=True))
    instance.membres.set(elus)
    historique.noter(
        auteur,
        instance,
        historique.MODIFICATION,
        f"Membres importés d'un fichier : {len(elus)} membre(s), "
        f"{len({e.pk for e in elus} - avant)} ajouté(s), {len(avant - {e.pk for e in elus})} retiré(s).",
    )
    return Bilan(apercu.nouveaux(), apercu.mis_a_jour(), len(elus))


def _enregistrer(ligne, collectivite_id, auteur):
    champs = {k: v for k, v in ligne.valeurs.items() if k not in ("prenom", "nom")}
    elu = ligne.elu or Elu(
        collectivite_id=collectivite_id, prenom=ligne.valeurs["prenom"], nom=ligne.valeurs["nom"]
    )
    for champ, valeur in champs.items():
        setattr(elu, champ, valeur)
    try:
        elu.full_clean()
    except ValidationError as erreur:
        raise ValidationError(f"Ligne {ligne.numero} : {' '.join(erreur.messages)}") from None
    nature = historique.MODIFICATION if elu.pk else historique.AJOUT
    elu.save()
    historique.noter(auteur, elu, nature, f"Importé d'un fichier (ligne {ligne.numero}).")
    return elu
