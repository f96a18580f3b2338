"""One authority's data, saved to a versioned archive and restored into an empty database.

The archive is a zip: `manifeste.json` (format, date, authority, schema, counts), `donnees.json`
(Django's serialisation, primary keys kept) and `fichiers/` (the generated documents). The models come
from the app registry, each reached through its foreign keys up to `Collectivite`: a model added later
is saved too, with nothing to declare here.
"""

import io
import json
import zipfile
from collections import deque
from importlib.metadata import PackageNotFoundError, version

from django.apps import apps
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .models import Collectivite
from .roles import APPLICATIONS_METIER, synchroniser_roles

FORMAT = 1


class ErreurSauvegarde(Exception):
    """A refusal, with its reason in French, for the command to print."""


def chemin_vers_la_collectivite(modele):
    """The shortest lookup ("contrat__collectivite") from a model to its authority, or None.

    Through required foreign keys first: a row whose nullable key is empty would be left out."""
    if modele is Collectivite:
        return "pk"
    return _chemin(modele, nullables=False) or _chemin(modele, nullables=True)


def _chemin(modele, nullables):
    a_voir, vus = deque([(modele, "")]), {modele}
    while a_voir:
        courant, chemin = a_voir.popleft()
        for champ in courant._meta.concrete_fields:
            if not champ.is_relation or champ.related_model in vus or (champ.null and not nullables):
                continue
            suite = f"{chemin}__{champ.name}" if chemin else champ.name
            if champ.related_model is Collectivite:
                return suite
            vus.add(champ.related_model)
            a_voir.append((champ.related_model, suite))
    return None


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


def sauvegarder(collectivite):
    """The archive's bytes."""
    donnees, comptes, fichiers = [], {}, {}
    for modele, objets in _objets(collectivite):
        objets = list(objets)
        comptes[modele._meta.label] = len(objets)
        donnees.extend(json.loads(serializers.serialize("json", objets, use_natural_foreign_keys=True)))
        for objet in objets:
            for champ in modele._meta.concrete_fields:
                if isinstance(champ, models.FileField) and getattr(objet, champ.attname):
                    fichier = getattr(objet, champ.name)
                    if fichier.storage.exists(fichier.name):
                        with fichier.open("rb") as contenu:
                            fichiers[fichier.name] = contenu.read()
    manifeste = {
        "format": FORMAT,
        "application": _version(),
        "cree_le": timezone.now().isoformat(),
        "collectivite": {"siren": collectivite.siren, "nom": collectivite.nom},
        "schema": _schema(),
        "modeles": comptes,
        "fichiers": sorted(fichiers),
    }
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifeste.json", json.dumps(manifeste, ensure_ascii=False, indent=2))
        archive.writestr("donnees.json", json.dumps(donnees, ensure_ascii=False, indent=1))
        for nom, contenu in fichiers.items():
            archive.writestr(f"fichiers/{nom}", contenu)
    return tampon.getvalue()


def _lire(contenu):
    try:
        archive = zipfile.ZipFile(io.BytesIO(contenu))
        manifeste = json.loads(archive.read("manifeste.json"))
        donnees = archive.read("donnees.json").decode()
    except (zipfile.BadZipFile, KeyError, ValueError) as erreur:
        raise ErreurSauvegarde(f"Ce fichier n'est pas une sauvegarde lisible ({erreur}).") from erreur
    if manifeste.get("format") != FORMAT:
        raise ErreurSauvegarde(
            f"Sauvegarde au format {manifeste.get('format')} : cette version lit le format {FORMAT}."
        )
    return archive, manifeste, donnees


def restaurer(contenu):
    """Loads an archive into a database that does not hold its authority yet; all or nothing."""
    archive, manifeste, donnees = _lire(contenu)
    siren = manifeste["collectivite"]["siren"]
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
    with transaction.atomic():
        if not Group.objects.exists():
            synchroniser_roles()
        modeles = set()
        for objet in serializers.deserialize("json", donnees, handle_forward_references=True):
            objet.save()
            modeles.add(type(objet.object))
        for nom in manifeste["fichiers"]:
            default_storage.save(nom, ContentFile(archive.read(f"fichiers/{nom}")))
        # Rows came with their primary keys: PostgreSQL's sequences must start after them.
        with connection.cursor() as curseur:
            for requete in connection.ops.sequence_reset_sql(no_style(), list(modeles)):
                curseur.execute(requete)
    return manifeste
