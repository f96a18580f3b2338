from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contrat_ville.sauvegarde import ErreurSauvegarde, restaurer


class Command(BaseCommand):
    help = "Restaure une sauvegarde de collectivité dans une base qui ne la contient pas encore."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Le fichier AAAAMMJJ_<SIREN>_sauvegarde.zip")

    def handle(self, archive, **options):
        try:
            manifeste = restaurer(Path(archive).read_bytes())
        except (OSError, ErreurSauvegarde) as erreur:
            raise CommandError(str(erreur)) from erreur
        total = sum(manifeste["modeles"].values())
        self.stdout.write(f"{manifeste['collectivite']['nom']} restaurée : {total} enregistrements.")
