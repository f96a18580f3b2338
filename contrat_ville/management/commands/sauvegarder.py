from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from contrat_ville.models import Collectivite
from contrat_ville.sauvegarde import sauvegarder


class Command(BaseCommand):
    help = "Sauvegarde les données d'une collectivité (et ses documents produits) dans une archive zip."

    def add_arguments(self, parser):
        parser.add_argument("siren", help="SIREN de la collectivité")
        parser.add_argument("--dossier", default=".", help="Où écrire AAAAMMJJ_<SIREN>_sauvegarde.zip")

    def handle(self, siren, dossier, **options):
        collectivite = Collectivite.objects.filter(siren=siren).first()
        if collectivite is None:
            raise CommandError(f"Aucune collectivité de SIREN {siren}.")
        chemin = Path(dossier) / f"{timezone.localdate():%Y%m%d}_{siren}_sauvegarde.zip"
        chemin.write_bytes(sauvegarder(collectivite))
        self.stdout.write(f"Sauvegarde écrite : {chemin}")
