from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from ..models import Action


def choisi(queryset, valeur):
    """The object a query parameter names, or None whatever was typed."""
    return queryset.filter(pk=valeur).first() if str(valeur or "").isdecimal() else None


def entier_parmi(valeur, possibles):
    """A query parameter as one of the possible numbers (a year offered), or None."""
    texte = str(valeur or "")
    # A bounded length: int() refuses strings of more than 4 300 digits (a 500, not a miss).
    return int(texte) if len(texte) < 10 and texte.isdecimal() and int(texte) in possibles else None


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


def contrat_courant(contrats):
    """The contract whose actions go furthest in time (`derniere`: that year); the (contrat, annee) index."""
    derniere = Action.objects.filter(contrat=OuterRef("pk")).order_by("-annee").values("annee")[:1]
    return (
        contrats.annotate(derniere=Subquery(derniere))
        .filter(derniere__isnull=False)
        # Two contracts in force the same year (a contrat de ville and a CLS): the most recent, the longest.
        .order_by("-derniere", "-annee_debut", "-annee_fin", "pk")
        .first()
    )


def consultation_par_defaut(user, contrats):
    """{contrat, annee} a list opens on: the user's last choice while its contract is still theirs, else
    the current contract and its latest year. "" means all; {} when the authority has no action yet."""
    memo = user.consultation if isinstance(user.consultation, dict) else {}
    contrat = memo.get("contrat")
    if contrat == "" or choisi(contrats, contrat):
        annee = str(memo.get("annee", ""))
        return {"contrat": contrat, "annee": annee if _nombre_court(annee) else ""}
    courant = contrat_courant(contrats)
    return {"contrat": str(courant.pk), "annee": str(courant.derniere)} if courant else {}


def _nombre_court(valeur):
    return valeur.isascii() and valeur.isdecimal() and len(valeur) <= 10


def retenir_consultation(user, donnees):
    """Keeps the contract and year just chosen ("" = all), in one UPDATE when they change.

    `donnees`: the filter form's cleaned values, already checked against the authority's own lists."""
    choix = {cle: str(donnees.get(cle) or "") for cle in ("contrat", "annee")}
    if all(v == "" or _nombre_court(v) for v in choix.values()) and choix != user.consultation:
        user.consultation = choix
        get_user_model().objects.filter(pk=user.pk).update(consultation=choix)
