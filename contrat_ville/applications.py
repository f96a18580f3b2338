"""Third-party apps named in French in the back-office: their configuration, with our own names.

Only what is displayed changes: the labels (and so the tables and migrations) stay theirs.
"""

from axes.apps import AppConfig as AxesAppConfig
from django_tasks_db.apps import TasksAppConfig


class TentativesDeConnexionConfig(AxesAppConfig):
    """django-axes: the log of login attempts and lockouts (its models are translated by axes itself)."""

    verbose_name = "Tentatives de connexion"


class TachesConfig(TasksAppConfig):
    """django-tasks-db: the queue of the documents made by the worker."""

    verbose_name = "Tâches de production des documents"

    def ready(self):
        super().ready()
        # Its model is named in English ("Task Result") and not translated. The names shown are set
        # on `_meta` only: the migrations read `original_attrs`, which keep the app's own names, so no
        # migration is made for a third-party app.
        modele = self.get_model("DBTaskResult")
        modele._meta.verbose_name = "tâche"
        modele._meta.verbose_name_plural = "tâches"
