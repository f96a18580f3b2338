from django.apps import AppConfig
from django.db.backends.signals import connection_created


class ProgrammationConfig(AppConfig):
    name = "programmation"
    verbose_name = "Programmation"

    def ready(self):
        from .recherche import enregistrer_pour_sqlite

        connection_created.connect(enregistrer_pour_sqlite, dispatch_uid="programmation_unaccent")
