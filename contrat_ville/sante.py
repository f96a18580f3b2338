"""The health endpoint that a load balancer or a supervisor polls: the database, and the document queue."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_tasks_db.models import DBTaskResult

from .documents import declarer_abandonnes

logger = logging.getLogger(__name__)


def _base():
    with connection.cursor() as curseur:
        curseur.execute("SELECT 1")
    return {"etat": "ok"}


def _file_des_documents():
    declarer_abandonnes()
    # A worker that died leaves tasks waiting: the oldest wait tells it.
    en_attente = DBTaskResult.objects.ready().order_by("enqueued_at")
    plus_ancienne = en_attente.values_list("enqueued_at", flat=True).first()
    attente = (timezone.now() - plus_ancienne) if plus_ancienne else timedelta(0)
    bloquee = attente.total_seconds() > settings.SANTE_ATTENTE_MAXIMALE
    return {
        "etat": "bloquee" if bloquee else "ok",
        "en_attente": en_attente.count(),
        "en_cours": DBTaskResult.objects.running().count(),
        "attente_la_plus_longue_s": round(attente.total_seconds()),
    }


@never_cache
def sante(request):
    try:
        etat = {"base": _base(), "documents": _file_des_documents()}
    except DatabaseError:
        # The details (host, user) are for the logs, not for whoever polls this public address.
        logger.warning("Contrôle de santé : base injoignable", exc_info=True)
        return JsonResponse({"base": {"etat": "injoignable"}}, status=503)
    sain = all(partie["etat"] == "ok" for partie in etat.values())
    return JsonResponse(etat, status=200 if sain else 503)
