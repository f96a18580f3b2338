from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction


def appliquer(request, operation, succes):
    """Runs one change in a transaction and tells the user what happened; None when refused.

    succes(result) gives the confirmation message; a refusal's ValidationError is shown as is.
    """
    try:
        with transaction.atomic():
            resultat = operation()
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
        return None
    messages.success(request, succes(resultat))
    return resultat
