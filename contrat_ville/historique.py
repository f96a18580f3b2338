"""The history of reference data changed in the application's pages: Django's admin log, so that the
back-office's « Historique » and the pages' history are one and the same."""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

AJOUT, MODIFICATION, SUPPRESSION = ADDITION, CHANGE, DELETION
NATURES = {AJOUT: "Ajout", MODIFICATION: "Modification", SUPPRESSION: "Suppression"}


def noter(auteur, objet, nature, message=""):
    """One line of history; message says what changed (« Montant : 10 000 € → 12 000 € »).
    A deletion is noted before the row goes (the line keeps its id and its name)."""
    LogEntry.objects.log_actions(auteur.pk, [objet], nature, change_message=message, single_object=True)


def _lignes(modele, identifiants=None, collectivite=None):
    """The filter of a model's lines: all of them, or those of the given ids (a list, or a queryset of
    the model read as one subquery, whatever its size); with collectivite, also the deletions made by
    that authority's users (a deleted row no longer says whose it was)."""
    filtre = Q(content_type=ContentType.objects.get_for_model(modele, for_concrete_model=False))
    if identifiants is None:
        return filtre
    if isinstance(identifiants, QuerySet):
        # LogEntry.object_id is text: the ids are compared as text, in the database.
        ids = identifiants.order_by().annotate(_id_texte=Cast("pk", CharField())).values("_id_texte")
    else:
        ids = [str(i) for i in identifiants]
    des_lignes = Q(object_id__in=ids)
    if collectivite is not None:
        des_lignes |= Q(action_flag=SUPPRESSION, user__collectivite=collectivite)
    return filtre & des_lignes


def historique_de(modele, identifiants=None, collectivite=None):
    """The history of a model's rows (or of the given ids), newest first, with each author."""
    return historique_des([(modele, identifiants)], collectivite)


def historique_des(sources, collectivite=None):
    """The history of several models in one list and one query: sources = [(modele, identifiants), …]."""
    filtre = Q(pk__in=[])
    for modele, identifiants in sources:
        filtre |= _lignes(modele, identifiants, collectivite)
    return (
        LogEntry.objects.filter(filtre).select_related("user", "content_type").order_by("-action_time", "-pk")
    )
