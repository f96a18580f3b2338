from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404


def choisi(queryset, valeur):
    """The object a query parameter names, or None whatever was typed."""
    return queryset.filter(pk=valeur).first() if str(valeur or "").isdecimal() else None


def entier_parmi(valeur, possibles):
    """A query parameter as one of the possible numbers (a year offered), or None."""
    return int(valeur) if str(valeur or "").isdecimal() and int(valeur) in possibles else None


def selon_l_adresse(queryset, identifiant):
    """The object an id taken from the request names, or 404 whatever was typed instead of a number."""
    if not str(identifiant or "").isdecimal():
        raise Http404("Identifiant invalide.")
    return get_object_or_404(queryset, pk=identifiant)


def appliquer(request, operation, succes):
    """Runs one change in a transaction and tells the user what happened; None when refused.

    succes(result) gives the confirmation message; a refusal's ValidationError is shown as is.
    """
    try:
        with transaction.atomic():
            resultat = operation()
    except ValidationError as erreur:
        for message in erreur.messages:
            messages.error(request, message)
        return None
    messages.success(request, succes(resultat))
    return resultat
