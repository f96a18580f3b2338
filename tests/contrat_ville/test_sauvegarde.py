"""Backups: one authority's data to an archive, restored into another database, identical."""

import json
import zipfile

import pytest

from contrat_ville.models import DocumentGenere
from contrat_ville.sauvegarde import ErreurSauvegarde, restaurer, sauvegarder, signer
from programmation.models import Tranche

from ..bases import base_vide, manage
from ..securite.test_attaques_restauration import normaliser

pytestmark = pytest.mark.django_db


def _contenu(archive):
    with zipfile.ZipFile(archive) as zip_:
        return json.loads(zip_.read("manifeste.json")), json.loads(zip_.read("donnees.json"))


def test_it_round_trips_the_demo_data_into_a_database_whose_ids_are_taken(sem, sedr, tmp_path, settings):
    """Saint-Étienne-du-Rouvray restored first takes the ids Saint-Etienne Métropole had: both come
    back whole, each under its own ids."""
    settings.MEDIA_ROOT = tmp_path / "media"
    document = DocumentGenere.objects.create(
        collectivite=sem,
        nature="annexe-pdf",
        objet_id=Tranche.objects.filter(contrat__collectivite=sem).first().pk,
        nom_fichier="2024-T1-annexe.pdf",
    )
    document.terminer(b"%PDF-1.7 contenu de l'annexe")
    archive, archive_sedr = tmp_path / "sem.zip", tmp_path / "sedr.zip"
    archive.write_bytes(sauvegarder(sem))
    archive_sedr.write_bytes(sauvegarder(sedr))
    relues = tmp_path / "relues"
    relues.mkdir()

    with base_vide(tmp_path) as environnement:
        environnement["MEDIA_ROOT"] = str(tmp_path / "media-restauree")
        manage("migrate", "--noinput", environnement=environnement)
        manage("restaurer", str(archive_sedr), environnement=environnement)
        sortie = manage("restaurer", str(archive), environnement=environnement)
        manage("sauvegarder", sem.siren, "--dossier", str(relues), environnement=environnement)
        manage("sauvegarder", sedr.siren, "--dossier", str(relues), environnement=environnement)

    (relue,) = list(relues.glob("*_244200770_sauvegarde.zip"))
    (relue_sedr,) = list(relues.glob("*_217605757_sauvegarde.zip"))
    manifeste, donnees = _contenu(archive)
    manifeste_relu, donnees_relues = _contenu(relue)
    # SEM's ids were SEDR's in the new database: the collision was real.
    ids_sem = {(ligne["model"], ligne["pk"]) for ligne in donnees}
    ids_sedr = {(ligne["model"], ligne["pk"]) for ligne in _contenu(relue_sedr)[1]}
    communs = ids_sem & ids_sedr
    assert {
        ("contrat_ville.Collectivite", 1),
        ("contrat_ville.Contrat", 1),
        ("contrat_ville.Axe", 1),
    } <= communs
    assert normaliser(donnees_relues) == normaliser(donnees)
    assert normaliser(_contenu(relue_sedr)[1]) == normaliser(_contenu(archive_sedr)[1])
    assert manifeste_relu["modeles"] == manifeste["modeles"]
    # The seeds' figures: 101 actions (49 + 2 + 49 + 1), 57 porteurs, 3 délibérations, 204 presences.
    assert manifeste["modeles"]["programmation.Action"] == 101
    assert manifeste["modeles"]["programmation.Porteur"] == 57
    assert manifeste["modeles"]["deliberations.Deliberation"] == 3
    assert manifeste["modeles"]["deliberations.Presence"] == 204
    assert "Saint-Etienne Métropole restaurée" in sortie
    restauree = tmp_path / "media-restauree" / document.fichier.name
    assert restauree.read_bytes() == b"%PDF-1.7 contenu de l'annexe"


def test_it_refuses_to_restore_over_an_authority_already_there(sem):
    archive = sauvegarder(sem)
    nombre = DocumentGenere.objects.count()
    with pytest.raises(ErreurSauvegarde, match="existe déjà"):
        restaurer(archive)
    assert DocumentGenere.objects.count() == nombre


@pytest.mark.parametrize(
    "contenu, message",
    [(b"pas une archive", "pas une sauvegarde lisible"), (None, "format 99")],
)
def test_it_refuses_an_unreadable_archive(sem, tmp_path, contenu, message):
    if contenu is None:
        chemin = tmp_path / "v99.zip"
        manifeste = json.dumps({"format": 99}).encode()
        with zipfile.ZipFile(chemin, "w") as zip_:
            zip_.writestr("manifeste.json", manifeste)
            zip_.writestr("signature", signer(manifeste))
            zip_.writestr("donnees.json", "[]")
        contenu = chemin.read_bytes()
    with pytest.raises(ErreurSauvegarde, match=message):
        restaurer(contenu)
