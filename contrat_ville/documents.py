"""Serving generated documents: at once when small, through the task worker when large."""

import logging

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import DocumentGenere, limite_d_abandon

logger = logging.getLogger(__name__)

TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def reponse_fichier(contenu, nom_fichier):
    reponse = HttpResponse(contenu, content_type=TYPES[nom_fichier.rsplit(".", 1)[-1]])
    reponse["Content-Disposition"] = f'attachment; filename="{nom_fichier}"'
    return reponse


def en_arriere_plan(nombre_actions):
    """Above this size a document takes more than a few seconds: the worker makes it."""
    return nombre_actions > settings.DOCUMENTS_SEUIL_ARRIERE_PLAN


def servir(request, *, collectivite, nature, objet_id, nom_fichier, nombre_actions, fabriquer, tache):
    """Answer with the file, or queue it and send the user to its progress page."""
    if not en_arriere_plan(nombre_actions):
        return reponse_fichier(fabriquer(lambda *_: None), nom_fichier)
    document = DocumentGenere.objects.create(
        collectivite=collectivite,
        nature=nature,
        objet_id=objet_id,
        nom_fichier=nom_fichier,
        demande_par=request.user,
    )
    tache.enqueue(document.pk)
    return redirect("document", pk=document.pk)


def produire(document_id, fabriquer):
    """In the worker: make the document, recording progress, and keep the file or the error.

    fabriquer(objet_id, avancer) returns the bytes; whatever it raises marks the document failed.
    """
    document = DocumentGenere.objects.get(pk=document_id)
    document.avancer(5, "Lecture des données")
    try:
        contenu = fabriquer(document.objet_id, document.avancer)
    except Exception as erreur:
        logger.exception("Échec de la production du document %s", document_id)
        document.echouer(f"{type(erreur).__name__} : {erreur}")
        raise
    document.terminer(contenu)


def declarer_abandonnes():
    """Documents and tasks whose worker died (killed, machine lost) are closed as failed."""
    DocumentGenere.objects.declarer_abandonnes()
    DBTaskResult.objects.running().filter(started_at__lt=limite_d_abandon()).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path="builtins.TimeoutError",
        traceback="Le service de tâches s'est interrompu pendant cette tâche.",
    )
