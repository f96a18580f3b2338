"""The restore: an authenticated and checked archive written beside the other authorities, under new ids,
all or nothing."""

import contextlib
from collections import defaultdict

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, models, transaction

from ..models import Collectivite
from ..roles import _permissions_metier, synchroniser_roles
from .archive import CHAMPS_DU_VOTE, ErreurSauvegarde, schema
from .lecture import lire
from .lignes import lignes as lire_les_lignes
from .lignes import messages


def _ensembles_uniques(modele):
    ensembles = [
        (champ.attname,)
        for champ in modele._meta.local_concrete_fields
        if champ.unique and not champ.primary_key
    ]
    ensembles += [
        tuple(modele._meta.get_field(nom).attname for nom in noms) for noms in modele._meta.unique_together
    ]
    for contrainte in modele._meta.constraints:
        if (
            isinstance(contrainte, models.UniqueConstraint)
            and contrainte.fields
            and contrainte.condition is None
        ):
            ensembles.append(tuple(modele._meta.get_field(nom).attname for nom in contrainte.fields))
    return ensembles


def _valider(lignes):
    """Values, check constraints and uniqueness (inside the archive, and against this database) of
    every row, before anything is written. Links are checked by `_construire` and the database."""
    erreurs = []
    for ligne in lignes:
        relations = {champ.name for champ in ligne.modele._meta.concrete_fields if champ.is_relation}
        for etape in (
            ligne.objet.clean_fields,
            ligne.objet.validate_unique,
            ligne.objet.validate_constraints,
        ):
            try:
                etape(exclude=relations)
            except ValidationError as erreur:
                erreurs.append(f"{ligne} : {messages(erreur)}")
                break
    vus = defaultdict(dict)
    for ligne in lignes:
        for ensemble in _ensembles_uniques(ligne.modele):
            valeurs = tuple(ligne.liens.get(nom, (None, getattr(ligne.objet, nom)))[1] for nom in ensemble)
            if None in valeurs:
                continue
            cle = (ligne.modele, ensemble, valeurs)
            if cle in vus[ligne.modele]:
                erreurs.append(
                    f"{ligne} : {', '.join(ensemble)} déjà pris par "
                    f"{vus[ligne.modele][cle]} de la sauvegarde."
                )
            else:
                vus[ligne.modele][cle] = ligne
    if erreurs:
        suite = f" (et {len(erreurs) - 20} autres)" if len(erreurs) > 20 else ""
        raise ErreurSauvegarde(
            "Sauvegarde refusée, rien n'a été restauré :\n- " + "\n- ".join(erreurs[:20]) + suite
        )


def _comptes(lignes):
    """Accounts come back as ordinary ones: never superuser nor staff, no usable password, and only
    the business permissions (the admins' own are given again by an administrator)."""
    utilisateurs, ignorees, pris = [], [], []
    permises = set(_permissions_metier().values_list("pk", flat=True))
    for ligne in lignes:
        if ligne.modele._meta.label != settings.AUTH_USER_MODEL:
            continue
        objet = ligne.objet
        objet.is_superuser = objet.is_staff = False
        objet.password = make_password(None)
        utilisateurs.append(objet.get_username())
        if ligne.modele._default_manager.filter(**{objet.USERNAME_FIELD: objet.get_username()}).exists():
            pris.append(objet.get_username())
        for champ, valeurs in ligne.multiples.items():
            if champ.name == "user_permissions":
                ignorees += [(objet.get_username(), pk) for pk in valeurs if pk not in permises]
                ligne.multiples[champ] = [pk for pk in valeurs if pk in permises]
    if pris:
        raise ErreurSauvegarde(
            "Sauvegarde refusée, rien n'a été restauré : ces identifiants de connexion sont déjà pris dans "
            f"cette base ({', '.join(pris)}). Renommez ces comptes avant de restaurer."
        )
    return utilisateurs, ignorees


def _ecrire(lignes):
    """Inserts every row under a new id, links rewritten; returns {(model, archive id): new id}.

    A tranche is written as a draft (its actions and cofinancements may only join a draft): its vote
    is set at the end by `_voter`."""
    nouveaux = {}
    differes = []
    sauvegardes = {ligne.modele for ligne in lignes}
    for ligne in lignes:
        objet = ligne.objet
        if ligne.vote is not None:
            objet.statut = objet._meta.get_field("statut").get_default()
            objet.verrouillee_le, objet.acte_de_vote = None, ""
        for attname, (cible, ancien) in ligne.liens.items():
            if (cible, ancien) in nouveaux:
                setattr(objet, attname, nouveaux[(cible, ancien)])
            else:  # A link to a row further in the archive (a cycle): nullable, set once it exists.
                differes.append((ligne, attname, cible, ancien))
        try:
            # raw: the values are the archive's (dates, files), no save() rule meant for an edit.
            models.Model.save_base(objet, raw=True, force_insert=True)
        except DatabaseError as erreur:
            raise ErreurSauvegarde(
                f"Sauvegarde refusée, rien n'a été restauré : {ligne} refusé par la base ({erreur})."
            ) from erreur
        nouveaux[(ligne.modele, ligne.pk)] = objet.pk
    for ligne, attname, cible, ancien in differes:
        ligne.modele._base_manager.filter(pk=ligne.objet.pk).update(**{attname: nouveaux[(cible, ancien)]})
    for ligne in lignes:
        for champ, valeurs in ligne.multiples.items():
            if not valeurs:
                continue
            lien = champ.remote_field.through
            source, destination = champ.m2m_field_name() + "_id", champ.m2m_reverse_field_name() + "_id"
            interne = champ.related_model in sauvegardes
            lien._default_manager.bulk_create(
                lien(
                    **{
                        source: ligne.objet.pk,
                        destination: nouveaux[(champ.related_model, v)] if interne else v,
                    }
                )
                for v in valeurs
            )
    return nouveaux


def _voter(lignes):
    """Each tranche's real status, lock date and act of vote, from draft: the last write."""
    for ligne in lignes:
        if ligne.vote is None:
            continue
        valeurs = dict(zip(CHAMPS_DU_VOTE, ligne.vote, strict=True))
        if valeurs != {nom: getattr(ligne.objet, nom) for nom in CHAMPS_DU_VOTE}:
            ligne.modele._base_manager.filter(pk=ligne.objet.pk).update(**valeurs)


def nom_du_fichier(objet, champ):
    valeur = getattr(objet, champ.attname)
    return (getattr(valeur, "name", valeur) or "") if valeur is not None else ""


def _ecrire_les_fichiers(lignes, contenus, ecrits):
    """Each document saved under MEDIA_ROOT; a row points at the name the storage actually used."""
    renommes, retires = {}, []
    for ligne in lignes:
        for champ in ligne.modele._meta.concrete_fields:
            if not isinstance(champ, models.FileField):
                continue
            nom = nom_du_fichier(ligne.objet, champ)
            if not nom:
                continue
            if nom not in contenus:
                # Its file was missing at the backup: the name alone could reach another file here.
                ligne.modele._base_manager.filter(pk=ligne.objet.pk).update(**{champ.attname: ""})
                retires.append(f"{ligne} : {nom}")
                continue
            if nom not in renommes:
                try:
                    reel = default_storage.save(nom, ContentFile(contenus[nom]))
                except SuspiciousFileOperation as erreur:
                    raise ErreurSauvegarde(
                        f"Sauvegarde refusée : nom de fichier « {nom} » interdit."
                    ) from erreur
                ecrits.append(reel)
                renommes[nom] = reel
            if renommes[nom] != nom:
                ligne.modele._base_manager.filter(pk=ligne.objet.pk).update(**{champ.attname: renommes[nom]})
    return {ancien: nouveau for ancien, nouveau in renommes.items() if ancien != nouveau}, retires


def restaurer(contenu):
    """Loads an archive beside the authorities already there, under new ids; all or nothing.

    Returns the report: manifest, rows per model, accounts to re-activate, documents renamed."""
    manifeste, donnees, contenus = lire(contenu)
    siren = manifeste["collectivite"].get("siren") if isinstance(manifeste["collectivite"], dict) else None
    if Collectivite.objects.filter(siren=siren).exists():
        raise ErreurSauvegarde(
            f"La collectivité de SIREN {siren} existe déjà dans cette base : rien n'est restauré."
        )
    actuel = schema()
    if manifeste["schema"] != actuel:
        raise ErreurSauvegarde(
            f"La sauvegarde vient du schéma {manifeste['schema']}, la base est au schéma {actuel} : "
            "migrez la base à la même version de l'application avant de restaurer."
        )
    ecrits = []
    try:
        # One transaction, validation included: a refusal leaves the database as it was.
        with transaction.atomic():
            if not Group.objects.exists():
                synchroniser_roles()
            lignes = lire_les_lignes(donnees, manifeste)
            references = {
                nom_du_fichier(ligne.objet, champ)
                for ligne in lignes
                for champ in ligne.modele._meta.concrete_fields
                if isinstance(champ, models.FileField) and nom_du_fichier(ligne.objet, champ)
            }
            if orphelins := sorted(set(contenus) - references):
                raise ErreurSauvegarde(
                    f"Sauvegarde refusée : documents sans enregistrement ({', '.join(orphelins)})."
                )
            utilisateurs, ignorees = _comptes(lignes)
            _valider(lignes)
            _ecrire(lignes)
            renommes, retires = _ecrire_les_fichiers(lignes, contenus, ecrits)
            _voter(lignes)
    except DatabaseError as erreur:
        _effacer(ecrits)
        raise ErreurSauvegarde(
            f"Sauvegarde refusée par la base, rien n'a été restauré ({erreur})."
        ) from erreur
    except BaseException:
        _effacer(ecrits)
        raise
    return {
        "manifeste": manifeste,
        "collectivite": next(ligne.objet for ligne in lignes if ligne.modele is Collectivite),
        "comptes": dict(manifeste["modeles"]),  # Checked against the rows written by `lignes`.
        "utilisateurs": utilisateurs,
        "permissions_ignorees": ignorees,
        "fichiers": len(contenus),
        "fichiers_renommes": renommes,
        "fichiers_retires": retires,
    }


def _effacer(noms):
    for nom in noms:
        with contextlib.suppress(OSError):
            default_storage.delete(nom)
