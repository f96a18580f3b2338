"""Backups: one authority's data to an archive, restored into an empty database, identical."""

import json
import zipfile

import pytest

from contrat_ville.models import DocumentGenere
from contrat_ville.sauvegarde import ErreurSauvegarde, restaurer, sauvegarder

from .bases import base_vide, manage

pytestmark = pytest.mark.django_db


def _contenu(archive):
    with zipfile.ZipFile(archive) as zip_:
        return json.loads(zip_.read("manifeste.json")), json.loads(zip_.read("donnees.json"))


def test_it_round_trips_the_demo_data_into_an_empty_database(sem, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    document = DocumentGenere.objects.create(
        collectivite=sem, nature="annexe-pdf", objet_id=1, nom_fichier="2024-T1-annexe.pdf"
    )
    document.terminer(b"%PDF-1.7 contenu de l'annexe")
    archive = tmp_path / "sauvegarde.zip"
    archive.write_bytes(sauvegarder(sem))

    with base_vide(tmp_path) as environnement:
        environnement["MEDIA_ROOT"] = str(tmp_path / "media-restauree")
        manage("migrate", "--noinput", environnement=environnement)
        sortie = manage("restaurer", str(archive), environnement=environnement)
        manage("sauvegarder", sem.siren, "--dossier", str(tmp_path), environnement=environnement)

    (relue,) = list(tmp_path.glob("*_244200770_sauvegarde.zip"))
    manifeste, donnees = _contenu(archive)
    manifeste_relu, donnees_relues = _contenu(relue)
    assert donnees_relues == donnees
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
        with zipfile.ZipFile(chemin, "w") as zip_:
            zip_.writestr("manifeste.json", json.dumps({"format": 99}))
            zip_.writestr("donnees.json", "[]")
        contenu = chemin.read_bytes()
    with pytest.raises(ErreurSauvegarde, match=message):
        restaurer(contenu)
