"""The preview: each row of the file against the database — what it creates or updates, its errors
(blocking) and warnings — and the file's totals against the totals rows it states.

A few queries in all (axes, porteurs, the year's actions, quartiers, financeurs), never one per row.
"""

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal

from contrat_ville.models import Financeur, Quartier

from ..models import MESSAGE_VERROU, Action, Cofinancement, Porteur, Tranche
from .lecture import lire
from .lignes import lire_lignes
from .valeurs import ValeurInvalide, montant, normaliser

CREATION, MODIFICATION, INCHANGEE = "création", "modification", "inchangée"
ZERO = Decimal(0)
NIVEAUX = r"(?:pilier|defi|axe|priorite|orientation|enjeu)"


@dataclass
class Apercu:
    contrat: object
    annee: int
    lecture: object
    porteurs_nouveaux: dict = field(default_factory=dict)
    porteurs_completes: list = field(default_factory=list)

    @property
    def lignes(self):
        return self.lecture.lignes

    @property
    def plusieurs_feuilles(self):
        return len({ligne.feuille for ligne in self.lignes}) > 1

    def compter(self, operation):
        return sum(1 for ligne in self.lignes if ligne.operation == operation and not ligne.erreurs)

    @property
    def en_erreur(self):
        return [ligne for ligne in self.lignes if ligne.erreurs]

    @property
    def resume(self):
        return {
            "lues": len(self.lignes),
            "a_creer": self.compter(CREATION),
            "a_modifier": self.compter(MODIFICATION),
            "inchangees": self.compter(INCHANGEE),
            "en_erreur": len(self.en_erreur),
            "avertissements": sum(1 for ligne in self.lignes if ligne.avertissements),
            "ignorees": self.lecture.ignorees,
            "porteurs_nouveaux": len(self.porteurs_nouveaux),
        }

    def totaux_par_axe(self):
        groupes = {}
        for ligne in self.lignes:
            cle = ligne.axe.pk if ligne.axe else None
            groupe = groupes.setdefault(
                cle, {"axe": ligne.axe, "nombre": 0, "couts_connus": 0, "cout": ZERO, "contribution": ZERO}
            )
            groupe["nombre"] += 1
            groupe["couts_connus"] += ligne.cout is not None
            groupe["cout"] += ligne.cout or ZERO
            groupe["contribution"] += ligne.contribution or ZERO
        return sorted(groupes.values(), key=lambda g: (g["axe"] is None, g["axe"] and g["axe"].numero))

    def comparaisons(self):
        """Each totals row of the file against the sum of the rows it closes."""
        resultats = []
        for total in self.lecture.totaux:
            lignes = total.lignes
            if normaliser(total.libelle) in ("total", "total general", "totaux"):
                lignes = self.lignes
            cout = sum((ligne.cout or ZERO for ligne in lignes), ZERO)
            contribution = sum((ligne.contribution or ZERO for ligne in lignes), ZERO)
            resultats.append(
                {
                    "total": total,
                    "nombre": len(lignes),
                    "cout": cout,
                    "contribution": contribution,
                    "ecart_cout": None if total.cout is None else total.cout - cout,
                    "ecart_contribution": None
                    if total.contribution is None
                    else total.contribution - contribution,
                }
            )
        return resultats


def preparer(
    contenu, nom_fichier, contrat, annee, champs=None, progression=None, verrouiller=False, feuilles=None
):
    """feuilles: the file's rows as read already (Importation.feuilles); otherwise contenu is read."""
    if feuilles is None:
        feuilles = lire(contenu, nom_fichier, progression)
    collectivite = contrat.collectivite_id
    axes = Axes(list(contrat.axes.all()), contrat.libelle_niveau)
    porteurs = Porteurs(collectivite)
    lecture = lire_lignes(feuilles, champs, axes.trouver, porteurs.en_fin_de)
    apercu = Apercu(contrat, annee, lecture)
    existantes = Existantes(contrat, annee, verrouiller, porteurs.par_id, axes.par_id)
    quartiers = _par_nom(Quartier.objects.filter(collectivite=collectivite), ("code", "nom"))
    financeurs = _par_nom(Financeur.objects.filter(collectivite=collectivite), ("nom",))
    vus = {}
    for ligne in lecture.lignes:
        _axe(ligne, axes)
        _porteur(ligne, porteurs, apercu)
        _quartiers(ligne, quartiers)
        _cofinanceurs(ligne, financeurs)
        _doublon(ligne, vus)
        existantes.comparer(ligne)
    return apercu


class Axes:
    def __init__(self, axes, niveau):
        self.axes = axes
        self.par_numero = {axe.numero: axe for axe in axes}
        self.par_id = {axe.pk: axe for axe in axes}
        self.par_nom = {}
        for axe in axes:
            for nom in (axe.devise, axe.nom_court, axe.intitule, str(axe), axe.titre_annexe):
                if nom:
                    self.par_nom[normaliser(nom)] = axe
        self.noms = ", ".join(f"{niveau} {axe.numero}" for axe in axes) or "aucun"

    def trouver(self, texte):
        norme = normaliser(texte)
        if not norme:
            return None
        if norme in self.par_nom:
            return self.par_nom[norme]
        if norme.isdecimal():
            return self.par_numero.get(int(norme))
        numero = re.match(rf"(?:total )?{NIVEAUX}s? ?(?:n ?)?(\d+)\b", norme)
        if numero:
            return self.par_numero.get(int(numero.group(1)))
        for nom, axe in self.par_nom.items():
            # 'TOTAL DEFI « NOS QUARTIERS EMANCIPENT »', 'Priorité : EMANCIPER'
            if len(nom) > 5 and re.search(rf"\b{re.escape(nom)}\b", norme):
                return axe
        return None


class Porteurs:
    """The authority's porteurs by SIRET, RNA, name, and by the name an earlier file wrote for them."""

    def __init__(self, collectivite):
        self.liste = list(Porteur.objects.filter(collectivite=collectivite))
        self.siret = {p.siret: p for p in self.liste if p.siret}
        self.rna = {p.rna: p for p in self.liste if p.rna}
        self.nom = {normaliser(p.nom): p for p in self.liste}
        self.par_id = par_id = {p.pk: p for p in self.liste}
        # How earlier files wrote each porteur: 'Intitulé / PORTEUR' (2024) or 'Intitulé PORTEUR' (2019).
        sources = Action.objects.filter(contrat__collectivite=collectivite).exclude(libelle_source="")
        for libelle, intitule, porteur_id in sources.values_list("libelle_source", "intitule", "porteur_id"):
            if "/" in libelle:
                ecrit = libelle.rpartition("/")[2]
            elif libelle.startswith(intitule):
                ecrit = libelle[len(intitule) :]
            else:
                continue
            ecrit = normaliser(ecrit.rstrip("* "))
            if ecrit:
                self.nom.setdefault(ecrit, par_id[porteur_id])
        self.premiere_lettre = {}
        for norme, porteur in self.nom.items():
            self.premiere_lettre.setdefault(norme[:1], []).append((norme, porteur))

    def en_fin_de(self, texte):
        mots = texte.split()
        for k in range(min(8, len(mots) - 1), 0, -1):
            if normaliser(" ".join(mots[-k:])) in self.nom:
                return " ".join(mots[-k:])
        return ""

    def proche(self, norme):
        candidats = self.premiere_lettre.get(norme[:1], [])
        noms = difflib.get_close_matches(norme, [n for n, _ in candidats], n=1, cutoff=0.8)
        return dict(candidats)[noms[0]] if noms else None


class Existantes:
    """The contract's actions of the year, by dossier number and by porteur and title."""

    def __init__(self, contrat, annee, verrouiller, porteurs, axes):
        actions = Action.objects.filter(contrat=contrat, annee=annee).order_by("pk")
        if verrouiller:
            actions = actions.select_for_update()
        actions = list(actions)
        # Porteurs, axes and tranches are already in memory: attached, not loaded again per action.
        tranches = {t.pk: t for t in Tranche.objects.filter(contrat=contrat)}
        for action in actions:
            action.porteur = porteurs.get(action.porteur_id) or action.porteur
            action.axe = axes.get(action.axe_id)
            action.tranche = tranches.get(action.tranche_id)
        # Grouped by hand: Django's prefetch costs a queryset per action, too slow on 20 000 rows.
        self.quartiers, self.cofinancements = {}, {}
        lien = Action.quartiers.through.objects.filter(action__contrat=contrat, action__annee=annee)
        for action_id, quartier_id in lien.values_list("action_id", "quartier_id"):
            self.quartiers.setdefault(action_id, set()).add(quartier_id)
        for cofinancement in Cofinancement.objects.filter(action__contrat=contrat, action__annee=annee):
            self.cofinancements.setdefault(cofinancement.action_id, {})[cofinancement.financeur_id] = (
                cofinancement
            )
        self.par_dauphin = {a.numero_dauphin: a for a in actions if a.numero_dauphin}
        self.par_titre = {(a.porteur_id, normaliser(a.intitule)): a for a in actions}

    def comparer(self, ligne):
        action = None
        if ligne.numero_dauphin:
            action = self.par_dauphin.get(ligne.numero_dauphin)
        if action is None and ligne.porteur is not None and ligne.porteur.pk:
            action = self.par_titre.get((ligne.porteur.pk, normaliser(ligne.intitule)))
            if action is not None and action.numero_dauphin and ligne.numero_dauphin:
                action = None  # same title, another dossier: a new action
        if action is None:
            ligne.operation = CREATION
            return
        ligne.action = action
        ligne.changements = self.changements(action, ligne)
        ligne.operation = MODIFICATION if ligne.changements else INCHANGEE
        if action.montants_verrouilles and any(
            champ in Action.VERROUILLES or champ.startswith("cofinancement ")
            for champ, _ in ligne.changements
        ):
            ligne.erreur(
                "",
                f"l'action « {action.intitule} » ne peut pas être modifiée par l'import : "
                + MESSAGE_VERROU.format(tranche=action.tranche),
            )

    def changements(self, action, ligne):
        """[(champ, nouvelle valeur)] that the row would change on the action."""
        resultat = []
        for champ in CHAMPS_ACTION:
            valeur = getattr(ligne, champ)
            if champ == "porteur":
                if valeur is not None and (valeur.pk is None or valeur.pk != action.porteur_id):
                    resultat.append((champ, valeur))
                continue
            if valeur in (None, ""):
                continue
            if getattr(action, champ) != valeur:
                resultat.append((champ, valeur))
        quartiers = {q.pk for q in ligne.quartiers_trouves}
        if quartiers and quartiers != self.quartiers.get(action.pk, set()):
            resultat.append(("quartiers", ligne.quartiers_trouves))
        actuels = self.cofinancements.get(action.pk, {})
        for financeur, somme in ligne.cofinancements:
            actuel = actuels.get(financeur.pk)
            if actuel is None or actuel.montant_sollicite != somme:
                resultat.append((f"cofinancement {financeur}", (financeur, somme, actuel)))
        return resultat


# Imported field -> the attribute of the row that feeds it; an empty cell leaves the action as it is.
CHAMPS_ACTION = (
    "intitule",
    "porteur",
    "axe",
    "territoire",
    "objectifs",
    "cout",
    "contribution",
    "numero_dauphin",
    "numero_dauphin_source",
    "libelle_source",
)


def _axe(ligne, axes):
    if ligne.axe_texte:
        ligne.axe = axes.trouver(ligne.axe_texte)
        if ligne.axe is None:
            ligne.erreur("", f"axe inconnu « {ligne.axe_texte} » (axes du contrat : {axes.noms})")
    else:
        ligne.axe = ligne.axe_contexte
        if ligne.axe is None:
            ligne.avertir("", "aucun axe : l'action sera créée sans axe")


def _porteur(ligne, porteurs, apercu):
    if not ligne.porteur_nom:
        return
    norme = normaliser(ligne.porteur_nom)
    porteur = (
        porteurs.siret.get(ligne.siret)
        or porteurs.rna.get(ligne.rna)
        or porteurs.nom.get(norme)
        or apercu.porteurs_nouveaux.get(norme)
    )
    if porteur is None:
        porteur = Porteur(
            collectivite_id=apercu.contrat.collectivite_id,
            nom=ligne.porteur_nom[:200],
            nature="association",
            siret=ligne.siret,
            rna=ligne.rna,
        )
        apercu.porteurs_nouveaux[norme] = porteur
        proche = porteurs.proche(norme)
        if proche is not None:
            ligne.avertir(
                "",
                f"porteur « {ligne.porteur_nom} » inconnu : une nouvelle fiche sera créée. "
                f"S'agit-il de « {proche.nom} » ? Si oui, corrigez le nom dans le fichier.",
            )
    elif porteur.pk:
        for attribut in ("siret", "rna"):
            nouveau, actuel = getattr(ligne, attribut), getattr(porteur, attribut)
            if nouveau and actuel and nouveau != actuel:
                ligne.avertir(
                    "", f"le {attribut.upper()} {nouveau} diffère de celui du porteur ({actuel}) : gardé"
                )
            elif nouveau and not actuel:
                setattr(porteur, attribut, nouveau)
                if porteur not in apercu.porteurs_completes:
                    apercu.porteurs_completes.append(porteur)
    ligne.porteur = porteur


def _par_nom(queryset, attributs):
    index = {}
    for objet in queryset:
        for attribut in attributs:
            index[normaliser(getattr(objet, attribut))] = objet
    return index


def _quartiers(ligne, quartiers):
    for nom in re.split(r"[,;/\n]+", ligne.quartiers):
        if not nom.strip():
            continue
        quartier = quartiers.get(normaliser(nom))
        if quartier is None:
            ligne.avertir("", f"quartier inconnu « {nom.strip()} » : ignoré")
        elif quartier not in ligne.quartiers_trouves:
            ligne.quartiers_trouves.append(quartier)


def _cofinanceurs(ligne, financeurs):
    """'État : 5 000 € ; Région : 2 000 €' -> the requested amount of each known financeur."""
    for morceau in re.split(r"[;\n]+", ligne.cofinanceurs):
        nom, _, chiffre = morceau.rpartition(":")
        if not morceau.strip():
            continue
        if not nom.strip():
            ligne.avertir("", f"cofinanceur « {morceau.strip()} » sans montant (écrire « Nom : montant »)")
            continue
        financeur = financeurs.get(normaliser(nom))
        try:
            somme = montant(chiffre.strip())
        except ValeurInvalide as erreur:
            ligne.erreur("", f"cofinanceur « {nom.strip()} » : {erreur}")
            continue
        if financeur is None:
            ligne.avertir("", f"cofinanceur inconnu « {nom.strip()} » : ignoré")
        elif somme is not None:
            ligne.cofinancements.append((financeur, somme))


def _doublon(ligne, vus):
    if ligne.numero_dauphin:
        cle, quoi = ("dauphin", ligne.numero_dauphin), f"numéro de dossier {ligne.numero_dauphin}"
    elif ligne.porteur_nom and ligne.intitule:
        cle = ("titre", normaliser(ligne.porteur_nom), normaliser(ligne.intitule))
        quoi = f"action « {ligne.intitule} » du porteur « {ligne.porteur_nom} »"
    else:
        return
    if cle in vus:
        premiere = vus[cle]
        ligne.erreur("", f"{quoi} en double : déjà ligne {premiere.numero} (feuille « {premiere.feuille} »)")
    else:
        vus[cle] = ligne
