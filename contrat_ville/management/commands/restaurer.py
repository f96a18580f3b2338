from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contrat_ville.sauvegarde import ErreurSauvegarde, restaurer


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde de collectivité à côté des collectivités déjà présentes (nouveaux "
        "identifiants). Les comptes reviennent sans mot de passe utilisable, ni superutilisateur ni équipe."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Le fichier AAAAMMJJ_<SIREN>_sauvegarde.zip")

    def handle(self, archive, **options):
        try:
            contenu = Path(archive).read_bytes()
        except OSError as erreur:
            raise CommandError(f"Impossible de lire « {archive} » : {erreur.strerror or erreur}.") from erreur
        try:
            rapport = restaurer(contenu)
        except ErreurSauvegarde as erreur:
            raise CommandError(str(erreur)) from erreur
        comptes = rapport["comptes"]
        self.stdout.write(
            f"{rapport['collectivite'].nom} restaurée : {sum(comptes.values())} enregistrements, "
            f"{rapport['fichiers']} documents."
        )
        for label, nombre in sorted(comptes.items()):
            self.stdout.write(f"  {label} : {nombre}")
        for ancien, nouveau in sorted(rapport["fichiers_renommes"].items()):
            self.stdout.write(f"Document « {ancien} » déjà pris : restauré sous « {nouveau} ».")
        for retire in rapport["fichiers_retires"]:
            self.stdout.write(f"Document absent de la sauvegarde, lien retiré : {retire}.")
        for utilisateur, permission in rapport["permissions_ignorees"]:
            self.stdout.write(
                f"Permission n°{permission} de {utilisateur} non restaurée (réservée aux administrateurs)."
            )
        if rapport["utilisateurs"]:
            self.stdout.write(
                "Comptes à réactiver (restaurés sans mot de passe utilisable, ni superutilisateur ni "
                "membre de l'équipe) : définir leur mot de passe avec « manage.py changepassword "
                "<identifiant> » :"
            )
            for nom in rapport["utilisateurs"]:
                self.stdout.write(f"  {nom}")
