"""Import a large spreadsheet of actions from the command line: the preview, then (--charger) the load."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contrat_ville.models import Contrat, User
from programmation.importation import ErreurImport
from programmation.importation.apercu import preparer
from programmation.importation.chargement import charger
from programmation.models import CorrespondanceColonnes

LARGEUR_BARRE = 30


class Barre:
    """A progress bar on the command's stderr, so that stdout keeps only the report."""

    def __init__(self, flux):
        self.flux, self.debut = flux, time.monotonic()

    def __call__(self, lues, total=0):
        total = max(total, lues)
        plein = int(LARGEUR_BARRE * lues / total) if total else 0
        ecoule = time.monotonic() - self.debut
        barre = "#" * plein + "." * (LARGEUR_BARRE - plein)
        self.flux.write(f"\r[{barre}] {lues:>7} / {total} lignes lues ({ecoule:.1f} s)", ending="")
        self.flux.flush()

    def fin(self):
        self.flux.write("")


class Command(BaseCommand):
    help = (
        "Importe un fichier .xlsx ou .csv d'actions dans un contrat : aperçu, puis chargement avec --charger."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier")
        parser.add_argument("--contrat", type=int, required=True, help="identifiant du contrat")
        parser.add_argument("--annee", type=int, required=True)
        parser.add_argument("--utilisateur", required=True, help="identifiant de l'agent qui importe")
        parser.add_argument("--charger", action="store_true", help="charge le fichier s'il n'a aucune erreur")
        parser.add_argument("--sans-barre", action="store_true", help="pas de barre de progression")

    def handle(self, *args, **options):
        try:
            contrat = Contrat.objects.select_related("collectivite").get(pk=options["contrat"])
            auteur = User.objects.get(username=options["utilisateur"], collectivite=contrat.collectivite)
        except (Contrat.DoesNotExist, User.DoesNotExist):
            raise CommandError("Contrat inconnu, ou utilisateur d'une autre collectivité.") from None
        chemin = Path(options["fichier"])
        if not chemin.is_file():
            raise CommandError(f"Fichier introuvable : {chemin}")
        contenu = chemin.read_bytes()
        barre = None if options["sans_barre"] else Barre(self.stderr)

        def memoire(entete):
            correspondance = CorrespondanceColonnes.objects.filter(
                collectivite=contrat.collectivite_id, signature=entete.signature
            ).first()
            return correspondance.champs if correspondance else None

        arguments = (contenu, chemin.name, contrat, options["annee"], memoire)
        try:
            if options["charger"]:
                resultat = charger(*arguments, auteur, progression=barre)
                apercu = resultat["apercu"]
            else:
                apercu = preparer(*arguments, progression=barre)
        except ErreurImport as erreur:
            if barre:
                barre.fin()
            if getattr(erreur, "apercu", None):
                self._rapport(erreur.apercu)
            raise CommandError(str(erreur)) from None
        if barre:
            barre.fin()
        self._rapport(apercu)
        if options["charger"]:
            self.stdout.write(
                f"Chargé : {resultat['creees']} action(s) créée(s), {resultat['modifiees']} modifiée(s)."
            )
        else:
            self.stdout.write("Aperçu seulement : relancez avec --charger pour enregistrer.")

    def _rapport(self, apercu):
        resume = apercu.resume
        self.stdout.write(
            f"Lignes lues : {resume['lues']} ; à créer : {resume['a_creer']} ; à modifier : "
            f"{resume['a_modifier']} ; inchangées : {resume['inchangees']} ; "
            f"en erreur : {resume['en_erreur']} ; nouveaux porteurs : {resume['porteurs_nouveaux']}."
        )
        for ligne in apercu.en_erreur[:50]:
            self.stdout.write(f"  ligne {ligne.numero} ({ligne.feuille}) : {' ; '.join(ligne.erreurs)}")
        if len(apercu.en_erreur) > 50:
            self.stdout.write(f"  … et {len(apercu.en_erreur) - 50} autres lignes en erreur.")
