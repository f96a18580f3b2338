"""Writes the SCDL open-data files of an authority: subsidies and délibérations."""

import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from contrat_ville.models import Collectivite
from deliberations import opendata


class Command(BaseCommand):
    help = "Écrit AAAAMMJJ_<SIREN>_subventions.csv et AAAAMMJJ_<SIREN>_deliberations.csv (format SCDL)."

    def add_arguments(self, parser):
        parser.add_argument("siren", help="SIREN de la collectivité, par exemple 244200770.")
        parser.add_argument("--dossier", default=".", help="Où écrire les fichiers (par défaut : ici).")
        parser.add_argument("--annee", type=int, help="Une seule année (par défaut : toutes).")
        parser.add_argument(
            "--toutes-subventions",
            action="store_true",
            help="Publier toutes les subventions, pas seulement celles de plus de 23 000 € par an.",
        )

    def handle(self, *args, siren, dossier, annee, toutes_subventions, **options):
        collectivite = Collectivite.objects.filter(siren=siren).first()
        if collectivite is None:
            raise CommandError(f"Aucune collectivité de SIREN {siren}.")
        dossier = Path(dossier)
        if not dossier.is_dir():
            raise CommandError(f"Le dossier {dossier} n'existe pas.")
        try:
            subventions = opendata.exporter_subventions(collectivite, annee, toutes_subventions)
            deliberations = opendata.exporter_deliberations(collectivite, annee)
        except ValidationError as erreur:
            raise CommandError(" ".join(erreur.messages)) from erreur
        jour = datetime.date.today()
        for nature, export in (("subventions", subventions), ("deliberations", deliberations)):
            chemin = dossier / opendata.nom_fichier(collectivite, nature, jour)
            chemin.write_bytes(export.contenu)
            self.stdout.write(f"{chemin} : {export.lignes} ligne(s).")
        for action, raison in subventions.ecartes:
            self.stderr.write(f"Subvention écartée ({raison}) : {action.porteur.nom} — {action.intitule}.")
