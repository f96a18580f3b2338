"""A fingerprint of every row of the database: an attack that is refused must leave it unchanged."""

import hashlib

from django.apps import apps

# Rows that a refused request may legitimately write (sessions, login attempts, the task queue).
IGNORES = {"sessions", "axes", "django_tasks_db", "contenttypes"}


def empreinte():
    """SHA-256 over all rows of all models (many-to-many tables included), in primary-key order."""
    somme = hashlib.sha256()
    for modele in sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.label):
        if modele._meta.app_label in IGNORES or not modele._meta.managed:
            continue
        colonnes = [champ.attname for champ in modele._meta.concrete_fields]
        somme.update(modele._meta.label.encode())
        for ligne in modele._base_manager.order_by("pk").values_list(*colonnes).iterator():
            somme.update(repr(ligne).encode())
    return somme.hexdigest()
