"""The archive's rows checked against the models before anything is written: names, fields, values, links
inside the archive, and every row leading to the archive's one authority."""

import json
from collections import defaultdict

from django.apps import apps
from django.core.exceptions import ValidationError

from ..models import Collectivite
from .archive import (
    CHAMPS_DU_VOTE,
    DOCUMENT,
    OBJETS_DES_DOCUMENTS,
    TRANCHE,
    ErreurSauvegarde,
    modeles_sauvegardes,
    relations,
)


class Ligne:
    """One row of the archive: its model, its id in the archive, its fields, then its new instance."""

    def __init__(self, modele, pk, champs, rang):
        self.modele, self.pk, self.champs, self.rang = modele, pk, champs, rang
        self.objet = None
        self.liens = {}  # foreign key attname -> (target model, id in the archive)
        self.multiples = {}  # many-to-many field -> list of ids (archive ids, or target-database ids)
        self.vote = None  # a tranche's real (statut, verrouillee_le, acte_de_vote)

    def __str__(self):
        return f"{self.modele._meta.verbose_name} n°{self.pk} ({self.modele._meta.label})"


def messages(erreur):
    if hasattr(erreur, "message_dict"):
        return "; ".join(f"{champ} : {' '.join(textes)}" for champ, textes in erreur.message_dict.items())
    return " ".join(erreur.messages)


def lignes(donnees, manifeste):
    """The archive's rows, each checked against the models (names, fields, links), not yet written."""
    try:
        brutes = json.loads(donnees)
    except ValueError as erreur:
        raise ErreurSauvegarde(f"« donnees.json » n'est pas un JSON valide ({erreur}).") from erreur
    if not isinstance(brutes, list):
        raise ErreurSauvegarde("« donnees.json » n'est pas une liste d'enregistrements.")
    sauvegardes = dict(modeles_sauvegardes())
    par_label = {modele._meta.label: modele for modele in sauvegardes}
    lignes, ids = [], defaultdict(set)
    for rang, brute in enumerate(brutes, 1):
        if not (
            isinstance(brute, dict)
            and set(brute) == {"model", "pk", "fields"}
            and isinstance(brute["fields"], dict)
            and type(brute["pk"]) is int
        ):
            raise ErreurSauvegarde(f"Enregistrement n°{rang} de « donnees.json » illisible.")
        modele = par_label.get(brute["model"])
        if modele is None:
            raise ErreurSauvegarde(
                f"Enregistrement n°{rang} : le modèle « {brute['model']} » n'appartient pas aux données "
                "d'une collectivité dans cette version."
            )
        if brute["pk"] in ids[modele]:
            raise ErreurSauvegarde(
                f"Enregistrement n°{rang} : {modele._meta.label} n°{brute['pk']} figure deux fois."
            )
        ids[modele].add(brute["pk"])
        lignes.append(Ligne(modele, brute["pk"], brute["fields"], rang))
    comptes = defaultdict(int)
    for ligne in lignes:
        comptes[ligne.modele._meta.label] += 1
    attendus = {modele._meta.label: comptes.get(modele._meta.label, 0) for modele in sauvegardes}
    if manifeste["modeles"] != attendus:
        ecarts = [
            f"{label} : {manifeste['modeles'].get(label, 0)} annoncés, {attendus.get(label, 0)} présents"
            for label in sorted(set(attendus) | set(manifeste["modeles"]))
            if manifeste["modeles"].get(label) != attendus.get(label)
        ]
        raise ErreurSauvegarde(
            "Sauvegarde refusée : les nombres d'enregistrements ne correspondent pas ("
            + "; ".join(ecarts)
            + ")."
        )
    for ligne in lignes:
        _construire(ligne, sauvegardes, ids)
    _verifier_la_collectivite(lignes, sauvegardes, manifeste)
    return lignes


def _construire(ligne, sauvegardes, ids):
    """The row's unsaved instance (no primary key, links kept aside), or a refusal naming the field."""
    modele = ligne.modele
    _, multiples = relations(modele)
    _verifier_les_champs(ligne, multiples)
    objet = modele()
    for champ in modele._meta.concrete_fields:
        if champ.primary_key:
            continue
        if champ.is_relation:
            _lier(ligne, objet, champ, sauvegardes, ids)
            continue
        try:
            setattr(objet, champ.attname, champ.to_python(ligne.champs[champ.name]))
        except (ValidationError, TypeError, ValueError) as erreur:
            message = messages(erreur) if isinstance(erreur, ValidationError) else str(erreur)
            raise ErreurSauvegarde(f"{ligne} : valeur de « {champ.name} » illisible ({message}).") from erreur
    for champ in multiples:
        ligne.multiples[champ] = _liens_multiples(ligne, champ, sauvegardes, ids)
    if modele._meta.label == DOCUMENT:
        _objet_du_document(ligne, objet, ids)
    if modele._meta.label == TRANCHE:
        ligne.vote = tuple(getattr(objet, nom) for nom in CHAMPS_DU_VOTE)
    ligne.objet = objet


def _verifier_les_champs(ligne, multiples):
    """The row names exactly the model's fields."""
    champs = ligne.champs
    attendus = {champ.name for champ in ligne.modele._meta.concrete_fields if not champ.primary_key}
    attendus |= {champ.name for champ in multiples}
    if set(champs) != attendus:
        inconnus, absents = sorted(set(champs) - attendus), sorted(attendus - set(champs))
        raise ErreurSauvegarde(
            f"{ligne} : champs différents de ceux du modèle"
            + (f" (inconnus : {', '.join(inconnus)})" if inconnus else "")
            + (f" (absents : {', '.join(absents)})" if absents else "")
            + "."
        )


def _lier(ligne, objet, champ, sauvegardes, ids):
    """A foreign key: to a row of the archive, kept aside until that row has its new id; else (a group, a
    permission) by its natural key, to this database's row."""
    valeur = ligne.champs[champ.name]
    setattr(objet, champ.attname, None)
    if valeur is None:
        if not champ.null:
            raise ErreurSauvegarde(f"{ligne} : « {champ.name} » est obligatoire.")
        return
    cible = champ.related_model
    if cible not in sauvegardes:
        setattr(objet, champ.attname, _par_cle_naturelle(ligne, champ, valeur))
        return
    if type(valeur) is not int or valeur not in ids[cible]:
        raise ErreurSauvegarde(
            f"{ligne} : « {champ.name} » désigne {cible._meta.label} n°{valeur}, absent de la "
            "sauvegarde (un enregistrement d'une autre collectivité ?)."
        )
    ligne.liens[champ.attname] = (cible, valeur)


def _liens_multiples(ligne, champ, sauvegardes, ids):
    """A many-to-many field's ids: the archive's (rewritten when written), or this database's."""
    valeurs = ligne.champs[champ.name]
    if not isinstance(valeurs, list):
        raise ErreurSauvegarde(f"{ligne} : « {champ.name} » n'est pas une liste.")
    cible = champ.related_model
    if cible not in sauvegardes:
        return [_par_cle_naturelle(ligne, champ, valeur) for valeur in valeurs]
    for valeur in valeurs:
        if type(valeur) is not int or valeur not in ids[cible]:
            raise ErreurSauvegarde(
                f"{ligne} : « {champ.name} » désigne {cible._meta.label} n°{valeur}, absent de la sauvegarde."
            )
    return list(valeurs)


def _objet_du_document(ligne, objet, ids):
    """A document's object id becomes a link to the tranche or délibération of the archive."""
    cible = next(
        (
            apps.get_model(label)
            for debut, label in OBJETS_DES_DOCUMENTS.items()
            if objet.nature.startswith(debut)
        ),
        None,
    )
    if cible is None:
        raise ErreurSauvegarde(f"{ligne} : nature de document « {objet.nature} » inconnue.")
    if objet.objet_id not in ids[cible]:
        raise ErreurSauvegarde(
            f"{ligne} : son objet {cible._meta.label} n°{objet.objet_id} est absent de la sauvegarde."
        )
    ligne.liens["objet_id"] = (cible, objet.objet_id)
    if objet.statut in ("en_attente", "en_cours"):
        # Its task stayed in the other database's queue: never made here.
        objet.statut, objet.erreur = "echec", "Production interrompue par la restauration."
        objet.tache = None


def _par_cle_naturelle(ligne, champ, valeur):
    """The target database's id of a group or permission named by its natural key."""
    cible = champ.related_model
    gestionnaire = cible._default_manager
    if not isinstance(valeur, list) or not hasattr(gestionnaire, "get_by_natural_key"):
        raise ErreurSauvegarde(
            f"{ligne} : « {champ.name} » désigne {cible._meta.label} {valeur!r}, "
            "qui n'est pas dans la sauvegarde."
        )
    try:
        return gestionnaire.get_by_natural_key(*valeur).pk
    except (cible.DoesNotExist, TypeError, ValueError) as erreur:
        raise ErreurSauvegarde(
            f"{ligne} : « {champ.name} » désigne {cible._meta.verbose_name} {' '.join(map(str, valeur))!r}, "
            "inconnu de cette base."
        ) from erreur


def _verifier_la_collectivite(lignes, sauvegardes, manifeste):
    """One authority, the manifest's, and every row leads to it through its links."""
    racines = [ligne for ligne in lignes if ligne.modele is Collectivite]
    siren = manifeste["collectivite"].get("siren") if isinstance(manifeste["collectivite"], dict) else None
    if len(racines) != 1:
        raise ErreurSauvegarde(
            f"Sauvegarde refusée : elle contient {len(racines)} collectivités ; "
            "une sauvegarde n'en contient qu'une."
        )
    (racine,) = racines
    if racine.objet.siren != siren:
        raise ErreurSauvegarde(
            f"Sauvegarde refusée : la collectivité enregistrée (SIREN {racine.objet.siren}) n'est pas celle "
            f"du manifeste (SIREN {siren})."
        )
    index = {(ligne.modele, ligne.pk): ligne for ligne in lignes}
    for ligne in lignes:
        chemin = sauvegardes[ligne.modele]
        if chemin == "pk":
            continue
        courante = ligne
        for nom in chemin.split("__"):
            champ = courante.modele._meta.get_field(nom)
            lien = courante.liens.get(champ.attname)
            courante = index.get(lien) if lien else None
            if courante is None:
                raise ErreurSauvegarde(
                    f"{ligne} : n'est rattaché à aucune collectivité de la sauvegarde (« {chemin} » vide)."
                )
        if courante is not racine:
            raise ErreurSauvegarde(f"{ligne} : appartient à une autre collectivité que {racine.objet.nom}.")
