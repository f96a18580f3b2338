"""The archive's format, and what the backup and the restore both need: the models saved, the schema, the
signature, the hashes, the links, and which file names are safe."""

import hashlib
from pathlib import PurePosixPath

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils.crypto import salted_hmac

from ..cloisonnement import chemin_vers_la_collectivite
from ..roles import APPLICATIONS_METIER

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


def schema():
    recorder = MigrationRecorder(connection)
    applied = recorder.applied_migrations()
    return {app: sorted(nom for a, nom in applied if a == app)[-1] for app in APPLICATIONS_METIER}


def signer(manifeste):
    """The HMAC of the manifest's bytes: only an installation holding SAUVEGARDE_CLE can produce it."""
    return salted_hmac(
        "contrat_ville.sauvegarde", manifeste, secret=settings.SAUVEGARDE_CLE, algorithm="sha256"
    ).hexdigest()


def sha256(contenu):
    return hashlib.sha256(contenu).hexdigest()


def relations(modele):
    """Foreign keys and many-to-many fields saved in the archive (auto-created links only)."""
    cles = [champ for champ in modele._meta.concrete_fields if champ.is_relation]
    multiples = [
        champ for champ in modele._meta.many_to_many if champ.remote_field.through._meta.auto_created
    ]
    return cles, multiples


def nom_de_fichier_sur(nom):
    """A relative name under MEDIA_ROOT: no absolute path, no `..`, no backslash, no control character."""
    if not isinstance(nom, str) or not nom or len(nom) > 1000:
        return False
    if nom.startswith("/") or "\\" in nom or any(ord(c) < 32 for c in nom) or ":" in nom:
        return False
    parties = nom.split("/")
    return all(partie not in ("", ".", "..") for partie in parties) and not PurePosixPath(nom).is_absolute()
