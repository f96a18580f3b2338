"""The xlsx archive: its directory checked before anything is decompressed, its parts streamed with expat."""

import io
import struct
import zipfile
from xml.parsers import expat

from ..erreurs import ErreurImport
from .commun import ILLISIBLE, PARTIES_MAX, TAUX_MAX, TAUX_SEUIL, VOLUME_MAX, Mo, _mo, _nombre


def _ouvrir_archive(contenu):
    """The zip, once its directory says that it is a reasonable size once decompressed."""
    # The directory's own count, read before zipfile builds an object per part.
    fin = contenu[-(65536 + 22) :]
    position = fin.rfind(b"PK\x05\x06")
    if position >= 0 and len(fin) >= position + 22:
        parties, taille_repertoire = struct.unpack("<HI", fin[position + 10 : position + 16])
        if parties > PARTIES_MAX or taille_repertoire > PARTIES_MAX * 1024:
            raise ErreurImport(
                f"Ce classeur compte {_nombre(parties)} éléments compressés : un classeur ordinaire en "
                f"compte quelques dizaines (au plus {_nombre(PARTIES_MAX)}). Il ne peut pas être importé."
            )
    try:
        archive = zipfile.ZipFile(io.BytesIO(contenu))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error) as erreur:
        raise ErreurImport(ILLISIBLE) from erreur
    if len(infos) > PARTIES_MAX:
        archive.close()
        raise ErreurImport(f"Ce classeur compte plus de {_nombre(PARTIES_MAX)} éléments compressés.")
    total = 0
    for info in infos:
        total += info.file_size
        if info.flag_bits & 0x1:
            archive.close()
            raise ErreurImport(
                "Ce classeur est protégé par un mot de passe : enregistrez-le sans mot de passe au "
                "format .xlsx, puis recommencez."
            )
        if info.file_size > TAUX_SEUIL and info.file_size > TAUX_MAX * max(info.compress_size, 1):
            archive.close()
            raise ErreurImport(
                f"L'élément « {info.filename[:80]} » du classeur est compressé "
                f"{_nombre(info.file_size // max(info.compress_size, 1))} fois ({_mo(info.file_size)} Mo "
                "une fois décompressé) : un classeur ordinaire ne l'est jamais autant. Ce fichier ne "
                "peut pas être importé ; enregistrez de nouveau les données dans un classeur neuf."
            )
    if total > VOLUME_MAX:
        archive.close()
        raise ErreurImport(
            f"Une fois décompressé, ce classeur occuperait {_mo(total)} Mo : la limite est de "
            f"{VOLUME_MAX // Mo} Mo. Supprimez les feuilles, lignes ou mises en forme inutiles, ou "
            "enregistrez les données au format .csv, puis recommencez."
        )
    return archive


class _Arret(Exception):
    """Stops a parse once what was looked for is found."""


def _analyser(archive, chemin, lecteur, limite):
    """Streams one part of the archive through expat into the lecteur's handlers."""
    try:
        info = archive.getinfo(chemin)
    except KeyError:
        raise ErreurImport(ILLISIBLE) from None
    if info.file_size > limite:
        raise ErreurImport(
            f"L'élément « {chemin[:80]} » du classeur occuperait {_mo(info.file_size)} Mo une fois "
            f"décompressé : la limite est de {_mo(limite)} Mo."
        )
    parseur = expat.ParserCreate()
    parseur.buffer_text = True
    parseur.buffer_size = 65536
    parseur.StartElementHandler = lecteur.debut
    parseur.EndElementHandler = lecteur.fin
    parseur.CharacterDataHandler = getattr(lecteur, "texte", None)
    parseur.StartDoctypeDeclHandler = _refuser_dtd
    parseur.EntityDeclHandler = _refuser_dtd
    parseur.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    lus = 0
    try:
        with archive.open(info) as flux:
            while bloc := flux.read(65536):
                lus += len(bloc)
                if lus > limite:  # zipfile stops at the declared size; this is only a guard
                    raise ErreurImport(f"L'élément « {chemin[:80]} » du classeur est trop grand.")
                parseur.Parse(bloc, False)
            parseur.Parse(b"", True)
    except _Arret:
        pass
    except expat.ExpatError as erreur:
        raise ErreurImport(
            f"Le classeur est endommagé et n'a pas pu être lu (XML invalide dans « {chemin[:80]} », "
            f"ligne {erreur.lineno})."
        ) from erreur


def _refuser_dtd(*args):
    raise ErreurImport("Ce classeur contient une déclaration XML (DTD) qu'aucun tableur n'écrit : refusé.")


def _local(nom):
    """'c' for 'c' or 'x:c' (no namespace processing: faster, and a prefix is all a writer varies)."""
    return nom.rpartition(":")[2]


def _rid(attributs):
    for cle, valeur in attributs.items():
        if cle.endswith(":id"):
            return valeur
    return None
