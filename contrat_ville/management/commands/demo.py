import sys
import threading

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand

from contrat_ville.enums import NatureCollectivite
from contrat_ville.management.commands.travailleur import Relanceur
from contrat_ville.models import Collectivite, User
from contrat_ville.roles import AGENTS, ELUS, REFERENTS, synchroniser_roles

FIXTURES = [
    "sem_referentiel",
    "sem_programmation",
    "sem_deliberations",
    "sedr_referentiel",
    "sedr_programmation",
]
SIREN_SEM = "244200770"
COMPTES = [
    # identifiant, mot de passe, rôle, superutilisateur
    ("agent", "agent-demo-2024", AGENTS, False),
    ("elu", "elu-demo-2024", ELUS, False),
    ("referent", "referent-demo-2024", REFERENTS, False),
    ("admin", "admin-demo-2024", None, True),
]
# Saint-Étienne-du-Rouvray (seed 004): the second authority, to see that each sees only its own data.
COMPTES_SEDR = [
    ("agent-sedr", "agent-sedr-2024", AGENTS, False),
    ("elu-sedr", "elu-sedr-2024", ELUS, False),
    ("referent-sedr", "referent-sedr-2024", REFERENTS, False),
]
SIREN_SEDR = "217605757"
# A third authority, made up and created empty (no contract, no financeur, nothing but itself): its
# référent sets up a whole year from scratch in the application's pages. SIREN: Luhn-valid, in a
# department (099) that no commune's SIREN uses.
VILLE = {
    "nom": "Ville de Villeneuve-Test",
    "nature": NatureCollectivite.COMMUNE,
    "siren": "210990008",
    "code_departement": "099",
}
COMPTES_VILLE = [
    ("referent-ville", "referent-ville-2024", REFERENTS, False),
    ("agent-ville", "agent-ville-2024", AGENTS, False),
    ("elu-ville", "elu-ville-2024", ELUS, False),
]
ROLES = {AGENTS: "Agent", ELUS: "Élu", REFERENTS: "Référent", None: "Administrateur"}


class Command(BaseCommand):
    help = "Crée la base, charge les données de démonstration, crée les comptes et sert l'application."

    def add_arguments(self, parser):
        parser.add_argument("--sans-serveur", action="store_true", help="Ne pas lancer le serveur.")
        parser.add_argument("--adresse", default="127.0.0.1:8000")

    def handle(self, *args, sans_serveur=False, adresse="127.0.0.1:8000", **options):
        call_command("migrate", interactive=False, verbosity=0)
        # Once: loading the seeds over themselves would reopen their voted tranches, which PostgreSQL
        # refuses (the vote's lock); a demo already loaded is kept as it is.
        if not Collectivite.objects.filter(siren=SIREN_SEM).exists():
            call_command("loaddata", *FIXTURES, verbosity=0)
            # The seeds' acts were voted before the app: their documents are kept as they are now.
            call_command("figer_actes", verbosity=0)
        synchroniser_roles()
        # Created once, then kept as its référent left it (a second run changes nothing of its data).
        ville, _ = Collectivite.objects.get_or_create(
            siren=VILLE["siren"], defaults={cle: v for cle, v in VILLE.items() if cle != "siren"}
        )
        collectivites = [
            (Collectivite.objects.get(siren=SIREN_SEM), COMPTES),
            (Collectivite.objects.get(siren=SIREN_SEDR), COMPTES_SEDR),
            (ville, COMPTES_VILLE),
        ]
        for collectivite, comptes in collectivites:
            for identifiant, mot_de_passe, role, superutilisateur in comptes:
                self._compte(identifiant, mot_de_passe, role, superutilisateur, collectivite)
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
        self.stdout.write(f"Application : http://{adresse}/")
        self.stdout.write("Comptes de démonstration (identifiant / mot de passe) :")
        for collectivite, comptes in collectivites:
            self.stdout.write(f"{collectivite.nom} :")
            for identifiant, mot_de_passe, role, _ in comptes:
                self.stdout.write(f"  {identifiant:<14} / {mot_de_passe:<19} {ROLES[role]}")
        if not sans_serveur:
            self._servir(adresse)

    def _servir(self, adresse):
        # Large documents are made by the task worker: beside the web server, started again if it dies.
        travailleur = Relanceur([sys.executable, "manage.py", "travailleur"], delai=2, cwd=settings.BASE_DIR)
        processus = travailleur.demarrer()
        self.stdout.write(f"Service de production des documents démarré (processus {processus.pid}).")
        arret = threading.Event()
        threading.Thread(target=travailleur.surveiller, args=(arret,), daemon=True).start()
        try:
            call_command("runserver", adresse, use_reloader=False)
        finally:
            arret.set()
            travailleur.arreter(delai=10)

    def _compte(self, identifiant, mot_de_passe, role, superutilisateur, collectivite):
        user, _ = User.objects.get_or_create(username=identifiant)
        user.collectivite = collectivite
        # The back-office is for administrators: agents and officials work in the application's pages.
        user.is_staff = user.is_superuser = superutilisateur
        user.set_password(mot_de_passe)
        user.save()
        user.groups.set([Group.objects.get(name=role)] if role else [])
