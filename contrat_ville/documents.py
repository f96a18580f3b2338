"""Serving generated documents: at once when small, through the task worker when large.

Bounded work: one document of a kind and data in production at a time (a second request joins the
first), and at most settings.DOCUMENTS_PAR_UTILISATEUR documents in production a user. Survival: the
worker (`manage.py travailleur`) records a heartbeat; the tasks of a worker that fell silent are
queued again (settings.DOCUMENTS_TENTATIVES attempts in all), then the document is marked failed.
"""

import contextlib
import fcntl
import hashlib
import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import (
    DocumentGenere,
    StatutDocument,
    TravailleurDocuments,
    User,
    limite_d_abandon,
    limite_de_silence,
)
from .pdf import chemin_en_cache, garder, lire, marquer_lu

logger = logging.getLogger(__name__)

# What a lost database raises: the task is not the document's fault, it is taken back once reconnected.
COUPURES = (OperationalError, InterfaceError)

TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
}

REPRISE = "Reprise après l'interruption du service de production"
ECHEC_REPETE = (
    "Le service de production des documents s'est arrêté à chaque tentative pour ce document. "
    "Demandez-le à nouveau ; si cela se reproduit, prévenez l'administrateur."
)
# Heartbeat rows of workers gone for this long are deleted.
OUBLI_DES_TRAVAILLEURS = timedelta(days=1)


# Documents kept once made (a voted act's), by nature: chercher(objet_id) gives, in one lookup, (the kept
# file to serve, or None; the kept source whose first layout is to be kept — `.produire(avancer)` — or None).
# The apps that keep them register here, since this app imports none of them.
CONSERVES = {}


def conserver(nature, chercher):
    CONSERVES[nature] = chercher


def _conserve_et_source(nature, objet_id):
    return CONSERVES[nature](objet_id) if nature in CONSERVES else (None, None)


def _source_figee(nature, objet_id):
    return _conserve_et_source(nature, objet_id)[1]


def _revalidee(request, etag, fait_le, envoyer):
    """304, nothing sent, when the browser already has these bytes (If-None-Match, else
    If-Modified-Since: Django's reading of the conditions); otherwise envoyer(), None if it gives none.
    ETag and Last-Modified (fait_le, a timestamp, when known) go on either answer."""
    reponse = get_conditional_response(request, etag=etag, last_modified=fait_le) or envoyer()
    if reponse is not None:
        reponse["ETag"] = etag
        if fait_le is not None:
            reponse["Last-Modified"] = http_date(fait_le)
    return reponse


def reponse_conservee(request, conserve):
    """The kept file as it is, revalidated by its SHA-256."""
    return _revalidee(
        request,
        f'"{conserve.sha256}"',
        int(conserve.rendu_le.timestamp()),
        lambda: FileResponse(
            conserve.fichier.open("rb"),
            as_attachment=True,
            filename=conserve.nom_fichier,
            content_type=TYPES[conserve.nom_fichier.rsplit(".", 1)[-1]],
        ),
    )


def reponse_du_document_conserve(request, nature, objet_id, nom_fichier):
    """The kept document of this object (a voted act's), laid out now when its kept source awaits its
    first layout; None when nothing is kept for it."""
    conserve, source = _conserve_et_source(nature, objet_id)
    if conserve is None and source is None:
        return None
    return _depuis_le_conserve(request, conserve, source, nom_fichier)


def _depuis_le_conserve(request, conserve, source, nom_fichier):
    if conserve is not None:
        return reponse_conservee(request, conserve)
    return reponse_revalidee(request, source.produire(lambda *_: None), nom_fichier)


def reponse_revalidee(request, contenu, nom_fichier):
    """The file with its SHA-256 as ETag."""
    etag = f'"{hashlib.sha256(contenu).hexdigest()}"'
    return _revalidee(request, etag, None, lambda: reponse_fichier(contenu, nom_fichier))


def reponse_fichier(contenu, nom_fichier):
    reponse = HttpResponse(contenu, content_type=TYPES[nom_fichier.rsplit(".", 1)[-1]])
    reponse["Content-Disposition"] = f'attachment; filename="{nom_fichier}"'
    return reponse


def reponse_en_cache(request, cle, nom_fichier):
    """The file kept under `cle`, or None when there is none: ETag is the key, Last-Modified the date
    it was made."""
    chemin = chemin_en_cache(cle, nom_fichier.rsplit(".", 1)[-1])
    try:
        fait_le = int(chemin.stat().st_mtime)
    except FileNotFoundError:
        return None

    def envoyer():
        contenu = lire(chemin)  # None: pruned between the two looks
        return None if contenu is None else reponse_fichier(contenu, nom_fichier)

    reponse = _revalidee(request, f'"{cle}"', fait_le, envoyer)
    if reponse is not None and reponse.status_code == 304:
        marquer_lu(chemin)
    return reponse


def servir_en_cache(request, cle, nom_fichier, fabriquer):
    """A small document from the cache, made here when missing (once: see rendre_une_fois)."""
    if (reponse := reponse_en_cache(request, cle, nom_fichier)) is None:
        rendre_une_fois(cle, nom_fichier, fabriquer)
        reponse = reponse_en_cache(request, cle, nom_fichier)
    return reponse


def rendre_une_fois(cle, nom_fichier, fabriquer):
    """Two requests for the same missing document share one render: the second waits for the first's
    lock on the key, then finds the file."""
    chemin = chemin_en_cache(cle, nom_fichier.rsplit(".", 1)[-1])
    with transaction.atomic(), _verrou(cle):
        if not chemin.exists():
            garder(chemin, fabriquer(lambda *_: None))


@contextlib.contextmanager
def _verrou(cle):
    """PostgreSQL: an advisory lock on the key, released with the transaction (every web server sees
    it). SQLite, one machine: a file lock, one of 256 files by the key's first two digits (two keys
    sharing one only wait for each other)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as curseur:
            curseur.execute("SELECT pg_advisory_xact_lock(%s)", [int(cle[:15], 16)])
        yield
        return
    dossier = Path(settings.MEDIA_ROOT) / "cache-verrous"
    dossier.mkdir(parents=True, exist_ok=True)
    with open(dossier / f"{cle[:2]}.verrou", "a") as fichier:
        fcntl.flock(fichier, fcntl.LOCK_EX)  # released when the file is closed
        yield


def en_arriere_plan(nombre_actions):
    """Above this size a document takes more than a few seconds: the worker makes it."""
    return nombre_actions > settings.DOCUMENTS_SEUIL_ARRIERE_PLAN


def servir(
    request, *, collectivite, nature, objet_id, nom_fichier, nombre_actions, fabriquer, tache, cle=None
):
    """Answer with the file, or queue it and send the user to its progress page.

    `cle()` (see pdf.cle_document) finds the file already made, small or large, without rendering. The
    same document already waiting or being made is joined (no second task); a user with
    DOCUMENTS_PAR_UTILISATEUR documents in production is asked to wait (HTTP 429, nothing written)."""
    conserve, source = _conserve_et_source(nature, objet_id)
    # A large kept source is laid out by the worker, like any large document.
    if conserve is not None or (source is not None and not en_arriere_plan(nombre_actions)):
        return _depuis_le_conserve(request, conserve, source, nom_fichier)
    if source is None and cle is not None:
        cle = cle()  # read only now: a kept act needs no key
        if (reponse := reponse_en_cache(request, cle, nom_fichier)) is not None:
            return reponse
        if not en_arriere_plan(nombre_actions):
            return servir_en_cache(request, cle, nom_fichier, fabriquer)
    elif not en_arriere_plan(nombre_actions):
        return reponse_revalidee(request, fabriquer(lambda *_: None), nom_fichier)
    cle = {"collectivite": collectivite, "nature": nature, "objet_id": objet_id, "nom_fichier": nom_fichier}
    # One whose worker died half an hour ago must not be joined forever.
    DocumentGenere.objects.filter(**cle).declarer_abandonnes()
    try:
        with transaction.atomic():
            # The user's requests are counted and created one at a time (PostgreSQL: row lock).
            list(User.objects.select_for_update().filter(pk=request.user.pk).values_list("pk", flat=True))
            existant = DocumentGenere.objects.en_production().filter(**cle).first()
            if existant is not None:
                return redirect("document", pk=existant.pk)
            siens = list(DocumentGenere.objects.en_production().filter(demande_par=request.user))
            if len(siens) >= settings.DOCUMENTS_PAR_UTILISATEUR:
                return trop_de_documents(request, siens)
            document = DocumentGenere.objects.create(**cle, demande_par=request.user)
            document.tache = tache.enqueue(document.pk).id
            document.save(update_fields=["tache"])
    except IntegrityError:
        # Another user's request for the same document was committed first: join it.
        existant = DocumentGenere.objects.en_production().filter(**cle).first()
        if existant is None:
            raise
        return redirect("document", pk=existant.pk)
    return redirect("document", pk=document.pk)


def trop_de_documents(request, en_production):
    logger.warning(
        "Documents : %s en a déjà %d en production, demande refusée", request.user, len(en_production)
    )
    reponse = render(
        request,
        "contrat_ville/documents_en_trop.html",
        {"documents": en_production, "limite": settings.DOCUMENTS_PAR_UTILISATEUR},
        status=429,
    )
    reponse["Retry-After"] = "30"
    return reponse


def produire(document_id, fabriquer, cle=None):
    """In the worker: make the document, recording progress, and keep the file or the error.

    fabriquer(objet_id, avancer) returns the bytes; whatever it raises marks the document failed, except
    a lost database (the worker takes the task back). A document already finished, failed or taken by
    another attempt is left as it is. cle(objet_id), read before the render, files the bytes in the
    cache too: the next request finds them there without a task."""
    document = DocumentGenere.objects.commencer(document_id)
    if document is None:
        logger.warning("Document %s : plus à produire (prêt, en échec ou abandonné)", document_id)
        return
    try:
        source = _source_figee(document.nature, document.objet_id)
        if source is not None:
            contenu = source.produire(document.avancer)
        else:
            # Read before the data it stands for: a change during the render gives a new key, not this file.
            cle = cle and cle(document.objet_id)
            contenu = fabriquer(document.objet_id, document.avancer)
            if cle:
                garder(chemin_en_cache(cle, document.nom_fichier.rsplit(".", 1)[-1]), contenu)
    except COUPURES:
        raise
    except Exception as erreur:
        logger.exception("Échec de la production du document %s", document_id)
        document.echouer(f"{type(erreur).__name__} : {erreur}")
        raise
    if not document.terminer(contenu):
        logger.warning("Document %s repris par une autre tentative : ce résultat est abandonné", document_id)


def declarer_abandonnes():
    """Documents and tasks whose worker died (killed, machine lost) are closed as failed."""
    DocumentGenere.objects.declarer_abandonnes()
    DBTaskResult.objects.running().filter(started_at__lt=limite_d_abandon()).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path="builtins.TimeoutError",
        traceback="Le service de tâches s'est interrompu pendant cette tâche.",
    )


def travailleurs_vivants():
    return TravailleurDocuments.objects.filter(vu_le__gte=limite_de_silence())


def reprendre_orphelines(*, travailleur=None):
    """Tasks left running by a worker silent for DOCUMENTS_SILENCE_MAXIMAL seconds (killed, machine lost),
    or by `travailleur` itself after it lost the database, go back to the queue and their document waits
    again; after DOCUMENTS_TENTATIVES attempts (one worker id a claim), task and document are failed.

    Returns (queued again, failed)."""
    limite = limite_de_silence()
    vivants = set(travailleurs_vivants().values_list("identifiant", flat=True))
    reprises = echecs = 0
    with transaction.atomic():
        for tache in DBTaskResult.objects.running().select_for_update(skip_locked=True):
            dernier = tache.worker_ids[-1] if tache.worker_ids else None
            # A worker that has not beaten yet (just started, or an old `db_worker`) gets the same delay.
            recente = tache.started_at is not None and tache.started_at >= limite
            if dernier != travailleur and (dernier in vivants or recente):
                continue
            documents = DocumentGenere.objects.en_production().filter(tache=tache.id)
            if len(tache.worker_ids) < settings.DOCUMENTS_TENTATIVES:
                tache.status, tache.started_at = TaskResultStatus.READY, None
                tache.save(update_fields=["status", "started_at"])
                documents.update(statut=StatutDocument.EN_ATTENTE, progression=0, etape=REPRISE)
                reprises += 1
                logger.warning("Tâche %s reprise : son service (%s) s'est interrompu", tache.id, dernier)
            else:
                tache.status, tache.finished_at = TaskResultStatus.FAILED, timezone.now()
                tache.exception_class_path = "builtins.TimeoutError"
                tache.traceback = f"Service de tâches interrompu {len(tache.worker_ids)} fois : abandon."
                tache.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                documents.update(statut=StatutDocument.ECHEC, erreur=ECHEC_REPETE, termine_le=timezone.now())
                echecs += 1
                logger.error("Tâche %s abandonnée après %d tentatives", tache.id, len(tache.worker_ids))
    TravailleurDocuments.objects.filter(vu_le__lt=timezone.now() - OUBLI_DES_TRAVAILLEURS).delete()
    return reprises, echecs
