"""A fingerprint of every row of the database: an attack that is refused must leave it unchanged."""

import hashlib

from django.apps import apps
from django.core import serializers

# Rows that a refused request may legitimately write (sessions, login attempts, the task queue).
IGNORES = {"sessions", "axes", "django_tasks_db", "contenttypes"}


def empreinte():
    """SHA-256 over all rows of all models, in primary-key order."""
    somme = hashlib.sha256()
    for modele in sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.label):
        if modele._meta.app_label in IGNORES or not modele._meta.managed:
            continue
        lignes = modele._base_manager.order_by("pk")
        somme.update(modele._meta.label.encode())
        somme.update(serializers.serialize("json", lignes).encode())
    return somme.hexdigest()
