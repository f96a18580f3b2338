"""One authority's data, saved to an authenticated archive and restored beside the other authorities.

The archive is a zip: `manifeste.json` (format, date, authority, schema, row counts per model,
SHA-256 of `donnees.json` and of every document), `signature` (HMAC-SHA256 of the manifest's bytes,
keyed by `settings.SAUVEGARDE_CLE`), `donnees.json` (one entry per row: model, primary key at the
time of the backup, fields; groups and permissions by their natural keys) and `fichiers/` (the
generated documents). The models come from the app registry, each reached through its foreign keys
up to `Collectivite`: a model added later is saved too, with nothing to declare here.

Restoring never writes onto an existing row: every row gets a new primary key and every foreign
key and many-to-many link is rewritten to the new keys. Before anything is written the archive is
authenticated, and every row is checked (its model and fields, its links, all inside the archive
and leading to the archive's authority, its values and the uniqueness rules); a refusal raises
`ErreurSauvegarde` with the reason in French and writes nothing. Accounts come back as ordinary
accounts (never superuser nor staff) without a usable password: the report lists them.
"""

import contextlib
import datetime
import hashlib
import hmac
import io
import json
import zipfile
from collections import defaultdict
from importlib.metadata import PackageNotFoundError, version
from pathlib import PurePosixPath

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .cloisonnement import chemin_vers_la_collectivite
from .models import Collectivite
from .roles import APPLICATIONS_METIER, _permissions_metier, synchroniser_roles

FORMAT = 2
MANIFESTE, SIGNATURE, DONNEES, FICHIERS = "manifeste.json", "signature", "donnees.json", "fichiers/"
# Beyond this, an archive is refused before being unpacked (a "zip bomb" would fill the memory).
TAILLE_MAXIMALE = 4 * 1024**3
# Set to brouillon while the rows are written, then to their real values by one update.
TRANCHE = "programmation.Tranche"
CHAMPS_DU_VOTE = ("statut", "verrouillee_le", "acte_de_vote")
# A generated document names its object by id: by its nature, a tranche's annex or a délibération's
# extract. The id is rewritten like a foreign key; a nature not listed here is refused.
OBJETS_DES_DOCUMENTS = {"annexe-": "programmation.Tranche", "extrait-": "deliberations.Deliberation"}
DOCUMENT = "contrat_ville.DocumentGenere"


class _Encodeur(serializers.json.DjangoJSONEncoder):
    """Django's, but datetimes and times keep their microseconds."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


class ErreurSauvegarde(Exception):
    """A refusal, with its reason in French, for the command to print."""


def modeles_sauvegardes():
    """(model, lookup) for every business model that belongs to an authority, parents first."""
    candidats = {
        modele: chemin
        for app in APPLICATIONS_METIER
        for modele in apps.get_app_config(app).get_models()
        if (chemin := chemin_vers_la_collectivite(modele)) is not None
    }
    ordre, poses = [], set()

    def poser(modele):
        if modele in poses:
            return
        poses.add(modele)
        for champ in modele._meta.concrete_fields:
            if champ.is_relation and champ.related_model in candidats and champ.related_model is not modele:
                poser(champ.related_model)
        ordre.append(modele)

    for modele in sorted(candidats, key=lambda m: m._meta.label):
        poser(modele)
    return [(modele, candidats[modele]) for modele in ordre]


def _objets(collectivite):
    for modele, chemin in modeles_sauvegardes():
        filtre = {"pk": collectivite.pk} if chemin == "pk" else {chemin: collectivite}
        yield modele, modele._default_manager.filter(**filtre).order_by("pk").distinct()


def _version():
    try:
        return version("contrat-ville")
    except PackageNotFoundError:
        return "inconnue"


def _schema():
    recorder = MigrationRecorder(connection)
    applied = recorder.applied_migrations()
    return {app: sorted(nom for a, nom in applied if a == app)[-1] for app in APPLICATIONS_METIER}


def signer(manifeste):
    """The HMAC of the manifest's bytes: only an installation holding SAUVEGARDE_CLE can produce it."""
    return salted_hmac(
        "contrat_ville.sauvegarde", manifeste, secret=settings.SAUVEGARDE_CLE, algorithm="sha256"
    ).hexdigest()


def _sha256(contenu):
    return hashlib.sha256(contenu).hexdigest()


def _relations(modele):
    """Foreign keys and many-to-many fields saved in the archive (auto-created links only)."""
    cles = [champ for champ in modele._meta.concrete_fields if champ.is_relation]
    multiples = [
        champ for champ in modele._meta.many_to_many if champ.remote_field.through._meta.auto_created
    ]
    return cles, multiples


def sauvegarder(collectivite):
    """The archive's bytes."""
    sauvegardes = {modele for modele, _ in modeles_sauvegardes()}
    naturelles = {}
    donnees, comptes, fichiers = [], {}, {}
    for modele, objets in _objets(collectivite):
        objets = list(objets)
        comptes[modele._meta.label] = len(objets)
        cles, multiples = _relations(modele)
        for ligne in serializers.serialize("python", objets):
            champs = ligne["fields"]
            # Links outside the archive (groups, permissions) travel by natural key, not by id.
            for champ in [*cles, *multiples]:
                cible = champ.related_model
                if cible in sauvegardes or champs.get(champ.name) is None:
                    continue
                if cible not in naturelles:
                    naturelles[cible] = {o.pk: list(o.natural_key()) for o in cible._default_manager.all()}
                valeur = champs[champ.name]
                champs[champ.name] = (
                    [naturelles[cible][pk] for pk in valeur]
                    if champ.many_to_many
                    else naturelles[cible][valeur]
                )
            if modele._meta.label == settings.AUTH_USER_MODEL:
                champs["password"] = ""  # Never in an archive: restored accounts get a new password.
            donnees.append({"model": modele._meta.label, "pk": ligne["pk"], "fields": champs})
        for objet in objets:
            for champ in modele._meta.concrete_fields:
                if isinstance(champ, models.FileField) and getattr(objet, champ.attname):
                    fichier = getattr(objet, champ.name)
                    if fichier.storage.exists(fichier.name):
                        with fichier.open("rb") as contenu:
                            fichiers[fichier.name] = contenu.read()
    octets = json.dumps(donnees, ensure_ascii=False, indent=1, cls=_Encodeur).encode()
    manifeste = {
        "format": FORMAT,
        "application": _version(),
        "cree_le": timezone.now().isoformat(),
        "collectivite": {"siren": collectivite.siren, "nom": collectivite.nom},
        "schema": _schema(),
        "modeles": comptes,
        "donnees": _sha256(octets),
        "fichiers": {nom: _sha256(contenu) for nom, contenu in sorted(fichiers.items())},
    }
    manifeste = json.dumps(manifeste, ensure_ascii=False, indent=2).encode()
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFESTE, manifeste)
        archive.writestr(SIGNATURE, signer(manifeste))
        archive.writestr(DONNEES, octets)
        for nom, contenu in sorted(fichiers.items()):
            archive.writestr(f"{FICHIERS}{nom}", contenu)
    return tampon.getvalue()


# Reading and checking -------------------------------------------------------------------------


def nom_de_fichier_sur(nom):
    """A relative name under MEDIA_ROOT: no absolute path, no `..`, no backslash, no control character."""
    if not isinstance(nom, str) or not nom or len(nom) > 1000:
        return False
    if nom.startswith("/") or "\\" in nom or any(ord(c) < 32 for c in nom) or ":" in nom:
        return False
    parties = nom.split("/")
    return all(partie not in ("", ".", "..") for partie in parties) and not PurePosixPath(nom).is_absolute()


def _lire(contenu):
    """(zip, manifest, data bytes), authenticated: the signature, then every hash and member."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(contenu))
        membres = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as erreur:
        raise ErreurSauvegarde(
            "Ce fichier n'est pas une sauvegarde lisible : ce n'est pas une archive zip."
        ) from erreur
    noms = [membre.filename for membre in membres]
    if len(set(noms)) != len(noms):
        raise ErreurSauvegarde("Sauvegarde refusée : l'archive contient deux fois le même fichier.")
    if sum(membre.file_size for membre in membres) > TAILLE_MAXIMALE:
        raise ErreurSauvegarde("Sauvegarde refusée : l'archive décompressée serait trop volumineuse.")
    for requis in (MANIFESTE, SIGNATURE, DONNEES):
        if requis not in noms:
            raise ErreurSauvegarde(f"Ce fichier n'est pas une sauvegarde lisible : il y manque « {requis} ».")
    try:
        octets_manifeste = archive.read(MANIFESTE)
        signature = archive.read(SIGNATURE).decode("ascii").strip()
    except (zipfile.BadZipFile, UnicodeDecodeError, OSError, ValueError) as erreur:
        raise ErreurSauvegarde("Ce fichier n'est pas une sauvegarde lisible : archive abîmée.") from erreur
    if not hmac.compare_digest(signature, signer(octets_manifeste)):
        raise ErreurSauvegarde(
            "Sauvegarde refusée : sa signature ne correspond pas. Elle n'a pas été produite par cette "
            "installation (même SAUVEGARDE_CLE) ou elle a été modifiée depuis."
        )
    try:
        manifeste = json.loads(octets_manifeste)
    except ValueError as erreur:
        raise ErreurSauvegarde(
            f"Le manifeste de la sauvegarde n'est pas un JSON valide ({erreur})."
        ) from erreur
    if not isinstance(manifeste, dict) or manifeste.get("format") != FORMAT:
        format_ = manifeste.get("format") if isinstance(manifeste, dict) else None
        raise ErreurSauvegarde(f"Sauvegarde au format {format_} : cette version lit le format {FORMAT}.")
    for cle in ("collectivite", "schema", "modeles", "donnees", "fichiers"):
        if cle not in manifeste:
            raise ErreurSauvegarde(f"Le manifeste de la sauvegarde est incomplet : il y manque « {cle} ».")
    types = {"collectivite": dict, "schema": dict, "modeles": dict, "donnees": str, "fichiers": dict}
    for cle, type_ in types.items():
        if not isinstance(manifeste[cle], type_):
            raise ErreurSauvegarde(f"Le manifeste de la sauvegarde est illisible : « {cle} » mal formé.")
    fichiers = manifeste["fichiers"]
    for nom in fichiers:
        if not nom_de_fichier_sur(nom):
            raise ErreurSauvegarde(
                f"Sauvegarde refusée : le nom de fichier « {nom} » sortirait du dossier des documents "
                "(chemin absolu, « .. » ou caractère interdit)."
            )
    attendus = {MANIFESTE, SIGNATURE, DONNEES, *(f"{FICHIERS}{nom}" for nom in fichiers)}
    if set(noms) != attendus:
        surplus = sorted(set(noms) - attendus)
        manquants = sorted(attendus - set(noms))
        raise ErreurSauvegarde(
            "Sauvegarde refusée : ses fichiers ne sont pas ceux du manifeste"
            + (f" (en trop : {', '.join(surplus)})" if surplus else "")
            + (f" (manquants : {', '.join(manquants)})" if manquants else "")
            + "."
        )
    donnees = archive.read(DONNEES)
    if _sha256(donnees) != manifeste["donnees"]:
        raise ErreurSauvegarde("Sauvegarde refusée : « donnees.json » a été modifié depuis la sauvegarde.")
    contenus = {}
    for nom, empreinte in fichiers.items():
        contenus[nom] = archive.read(f"{FICHIERS}{nom}")
        if _sha256(contenus[nom]) != empreinte:
            raise ErreurSauvegarde(
                f"Sauvegarde refusée : le document « {nom} » a été modifié depuis la sauvegarde."
            )
    return manifeste, donnees, contenus


class _Ligne:
    """One row of the archive: its model, its id in the archive, its fields, then its new instance."""

    def __init__(self, modele, pk, champs, rang):
        self.modele, self.pk, self.champs, self.rang = modele, pk, champs, rang
        self.objet = None
        self.liens = {}  # foreign key attname -> (target model, id in the archive)
        self.multiples = {}  # many-to-many field -> list of ids (archive ids, or target-database ids)
        self.vote = None  # a tranche's real (statut, verrouillee_le, acte_de_vote)

    def __str__(self):
        return f"{self.modele._meta.verbose_name} n°{self.pk} ({self.modele._meta.label})"


def _messages(erreur):
    if hasattr(erreur, "message_dict"):
        return "; ".join(f"{champ} : {' '.join(textes)}" for champ, textes in erreur.message_dict.items())
    return " ".join(erreur.messages)


def _lignes(donnees, manifeste):
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
        lignes.append(_Ligne(modele, brute["pk"], brute["fields"], rang))
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
    modele, champs = ligne.modele, ligne.champs
    cles, multiples = _relations(modele)
    attendus = {champ.name for champ in modele._meta.concrete_fields if not champ.primary_key}
    attendus |= {champ.name for champ in multiples}
    if set(champs) != attendus:
        inconnus, absents = sorted(set(champs) - attendus), sorted(attendus - set(champs))
        raise ErreurSauvegarde(
            f"{ligne} : champs différents de ceux du modèle"
            + (f" (inconnus : {', '.join(inconnus)})" if inconnus else "")
            + (f" (absents : {', '.join(absents)})" if absents else "")
            + "."
        )
    objet = modele()
    for champ in modele._meta.concrete_fields:
        if champ.primary_key:
            continue
        valeur = champs[champ.name]
        if champ.is_relation:
            setattr(objet, champ.attname, None)
            if valeur is None:
                if not champ.null:
                    raise ErreurSauvegarde(f"{ligne} : « {champ.name} » est obligatoire.")
                continue
            cible = champ.related_model
            if cible in sauvegardes:
                if type(valeur) is not int or valeur not in ids[cible]:
                    raise ErreurSauvegarde(
                        f"{ligne} : « {champ.name} » désigne {cible._meta.label} n°{valeur}, absent de la "
                        "sauvegarde (un enregistrement d'une autre collectivité ?)."
                    )
                ligne.liens[champ.attname] = (cible, valeur)
            else:
                setattr(objet, champ.attname, _par_cle_naturelle(ligne, champ, valeur))
            continue
        try:
            setattr(objet, champ.attname, champ.to_python(valeur))
        except (ValidationError, TypeError, ValueError) as erreur:
            message = _messages(erreur) if isinstance(erreur, ValidationError) else str(erreur)
            raise ErreurSauvegarde(f"{ligne} : valeur de « {champ.name} » illisible ({message}).") from erreur
    for champ in multiples:
        valeurs = champs[champ.name]
        if not isinstance(valeurs, list):
            raise ErreurSauvegarde(f"{ligne} : « {champ.name} » n'est pas une liste.")
        cible = champ.related_model
        if cible in sauvegardes:
            for valeur in valeurs:
                if type(valeur) is not int or valeur not in ids[cible]:
                    raise ErreurSauvegarde(
                        f"{ligne} : « {champ.name} » désigne {cible._meta.label} n°{valeur}, "
                        "absent de la sauvegarde."
                    )
            ligne.multiples[champ] = list(valeurs)
        else:
            ligne.multiples[champ] = [_par_cle_naturelle(ligne, champ, valeur) for valeur in valeurs]
    if modele._meta.label == DOCUMENT:
        _objet_du_document(ligne, objet, ids)
    if modele._meta.label == TRANCHE:
        ligne.vote = tuple(getattr(objet, nom) for nom in CHAMPS_DU_VOTE)
    ligne.objet = objet


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
                erreurs.append(f"{ligne} : {_messages(erreur)}")
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


# Writing ------------------------------------------------------------------------------------


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


def _nom_du_fichier(objet, champ):
    valeur = getattr(objet, champ.attname)
    return (getattr(valeur, "name", valeur) or "") if valeur is not None else ""


def _ecrire_les_fichiers(lignes, contenus, ecrits):
    """Each document saved under MEDIA_ROOT; a row points at the name the storage actually used."""
    renommes, retires = {}, []
    for ligne in lignes:
        for champ in ligne.modele._meta.concrete_fields:
            if not isinstance(champ, models.FileField):
                continue
            nom = _nom_du_fichier(ligne.objet, champ)
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
    manifeste, donnees, contenus = _lire(contenu)
    siren = manifeste["collectivite"].get("siren") if isinstance(manifeste["collectivite"], dict) else None
    if Collectivite.objects.filter(siren=siren).exists():
        raise ErreurSauvegarde(
            f"La collectivité de SIREN {siren} existe déjà dans cette base : rien n'est restauré."
        )
    schema = _schema()
    if manifeste["schema"] != schema:
        raise ErreurSauvegarde(
            f"La sauvegarde vient du schéma {manifeste['schema']}, la base est au schéma {schema} : "
            "migrez la base à la même version de l'application avant de restaurer."
        )
    ecrits = []
    try:
        # One transaction, validation included: a refusal leaves the database as it was.
        with transaction.atomic():
            if not Group.objects.exists():
                synchroniser_roles()
            lignes = _lignes(donnees, manifeste)
            references = {
                _nom_du_fichier(ligne.objet, champ)
                for ligne in lignes
                for champ in ligne.modele._meta.concrete_fields
                if isinstance(champ, models.FileField) and _nom_du_fichier(ligne.objet, champ)
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
        "comptes": dict(manifeste["modeles"]),  # Checked against the rows written by `_lignes`.
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
