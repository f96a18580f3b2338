"""The backup: one authority's rows and documents, written to a signed archive."""

import datetime
import io
import json
import zipfile
from importlib.metadata import PackageNotFoundError, version

from django.conf import settings
from django.core import serializers
from django.db import models
from django.utils import timezone

from .archive import (
    DONNEES,
    FICHIERS,
    FORMAT,
    MANIFESTE,
    SIGNATURE,
    modeles_sauvegardes,
    relations,
    schema,
    sha256,
    signer,
)


class _Encodeur(serializers.json.DjangoJSONEncoder):
    """Django's, but datetimes and times keep their microseconds."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


def _objets(collectivite):
    for modele, chemin in modeles_sauvegardes():
        filtre = {"pk": collectivite.pk} if chemin == "pk" else {chemin: collectivite}
        yield modele, modele._default_manager.filter(**filtre).order_by("pk").distinct()


def _version():
    try:
        return version("contrat-ville")
    except PackageNotFoundError:
        return "inconnue"


def sauvegarder(collectivite):
    """The archive's bytes."""
    sauvegardes = {modele for modele, _ in modeles_sauvegardes()}
    naturelles = {}
    donnees, comptes, fichiers = [], {}, {}
    for modele, objets in _objets(collectivite):
        objets = list(objets)
        comptes[modele._meta.label] = len(objets)
        cles, multiples = relations(modele)
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
        "schema": schema(),
        "modeles": comptes,
        "donnees": sha256(octets),
        "fichiers": {nom: sha256(contenu) for nom, contenu in sorted(fichiers.items())},
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
