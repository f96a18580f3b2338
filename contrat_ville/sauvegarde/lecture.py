"""Reading an archive: nothing is believed before its signature, then every hash and member, are checked."""

import hmac
import io
import json
import zipfile

from .archive import (
    DONNEES,
    FICHIERS,
    FORMAT,
    MANIFESTE,
    SIGNATURE,
    TAILLE_MAXIMALE,
    ErreurSauvegarde,
    nom_de_fichier_sur,
    sha256,
    signer,
)


def lire(contenu):
    """(manifest, data bytes, {document: bytes}), authenticated: the signature, then every hash and member."""
    archive, noms = _ouvrir(contenu)
    manifeste = _manifeste(archive)
    fichiers = manifeste["fichiers"]
    _verifier_les_membres(noms, fichiers)
    donnees = archive.read(DONNEES)
    if sha256(donnees) != manifeste["donnees"]:
        raise ErreurSauvegarde("Sauvegarde refusée : « donnees.json » a été modifié depuis la sauvegarde.")
    contenus = {}
    for nom, empreinte in fichiers.items():
        contenus[nom] = archive.read(f"{FICHIERS}{nom}")
        if sha256(contenus[nom]) != empreinte:
            raise ErreurSauvegarde(
                f"Sauvegarde refusée : le document « {nom} » a été modifié depuis la sauvegarde."
            )
    return manifeste, donnees, contenus


def _ouvrir(contenu):
    """(zip, its members' names): a zip, no name twice, not too large once unpacked, the three parts there."""
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
    return archive, noms


def _manifeste(archive):
    """The manifest, once its signature is checked, with its keys and their types."""
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
    return manifeste


def _verifier_les_membres(noms, fichiers):
    """The documents' names stay under MEDIA_ROOT, and the zip holds exactly what the manifest lists."""
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
