from django.core.management.base import BaseCommand
from django.db import transaction

from deliberations.documents import figer
from deliberations.models import Deliberation


class Command(BaseCommand):
    help = (
        "Rend et conserve les documents des délibérations adoptées qui n'en ont pas encore : les actes "
        "historiques chargés depuis leurs documents, votés hors de l'application."
    )

    def handle(self, *args, verbosity=1, **options):
        # Each act in its own transaction: one that cannot be rendered leaves the others kept.
        actes = list(Deliberation.objects.sans_documents_votes().order_by("annee", "rang"))
        for deliberation in actes:
            with transaction.atomic():
                figer(deliberation)
            if verbosity:
                self.stdout.write(f"Documents votés conservés : délibération {deliberation.numero}.")
        if verbosity:
            self.stdout.write(f"{len(actes)} acte(s) adopté(s) conservé(s).")
