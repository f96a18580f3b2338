"""The health endpoint that a load balancer or a supervisor polls: the database, the document queue, and
the document workers' heartbeats.

HTTP 503 only when the database does not answer (the web cannot serve: take it out of rotation). A
document service that is down or late leaves the web serving: HTTP 200 with "etat": "degrade" at the
top and in the failing part, for the monitoring to alert on."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_tasks_db.models import DBTaskResult

from .documents import declarer_abandonnes, reprendre_orphelines, travailleurs_vivants
from .models import TravailleurDocuments

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


def _travailleurs():
    """Degraded as soon as no worker has beaten for DOCUMENTS_SILENCE_MAXIMAL seconds; the tasks of the
    silent ones are queued again (for the living ones, if any, to take)."""
    reprendre_orphelines()
    dernier = TravailleurDocuments.objects.aggregate(dernier=Max("vu_le"))["dernier"]
    actifs = travailleurs_vivants().count()
    return {
        "etat": "ok" if actifs else "degrade",
        "actifs": actifs,
        "dernier_signe_s": round((timezone.now() - dernier).total_seconds()) if dernier else None,
    }


@never_cache
def sante(request):
    try:
        etat = {"base": _base(), "documents": _file_des_documents(), "travailleurs": _travailleurs()}
    except DatabaseError:
        # The details (host, user) are for the logs, not for whoever polls this public address.
        logger.warning("Contrôle de santé : base injoignable", exc_info=True)
        return JsonResponse({"base": {"etat": "injoignable"}}, status=503)
    sain = all(partie["etat"] == "ok" for partie in etat.values())
    return JsonResponse({"etat": "ok" if sain else "degrade", **etat}, status=200)
