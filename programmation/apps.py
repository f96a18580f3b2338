from importlib import import_module

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class ProgrammationConfig(AppConfig):
    name = "programmation"
    verbose_name = "Programmation"

    def ready(self):
        from .recherche import enregistrer_pour_sqlite

        connection_created.connect(enregistrer_pour_sqlite, dispatch_uid="programmation_unaccent")
        # The evaluation's back-office lives in its package, where the admin's autodiscovery (each app's
        # admin.py, and nothing else) does not look: imported here, it registers its pages.
        import_module(f"{self.name}.evaluation.admin")
