"""Which actions a bulk request names: the ticked ids, or « all the filtered ones » (the page's filters,
sent back with the form, applied again to the same set of actions).

An id of another authority's action, or one that is not a number: 404, nothing done."""

from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict

from .filters import ActionFilter


def actions_choisies(request, offertes):
    """The actions a POST names. offertes: the set the page offered (the filtered list, a tranche's
    candidates); ticked ids are looked up among all the user's actions, so that the model's rules,
    not a 404, say why an action of the authority cannot move."""
    from .models import Action

    if request.POST.get("seule"):  # a row's own button: that action alone, whatever else is ticked
        ids = {request.POST["seule"]}
    elif request.POST.get("toutes"):
        return _toutes_les_filtrees(request, offertes)
    else:
        ids = set(request.POST.getlist("action"))
    if not ids:
        raise ValidationError("Aucune action n'est sélectionnée : cochez-en au moins une.")
    if not all(i.isdecimal() for i in ids):
        raise Http404("Identifiant d'action invalide.")
    choisies = Action.objects.visibles_par(request.user).filter(pk__in=ids)
    if choisies.count() != len(ids):
        raise Http404("Action introuvable.")
    return choisies


def _toutes_les_filtrees(request, offertes):
    filtre = ActionFilter(QueryDict(request.POST.get("filtres", "")), queryset=offertes, request=request)
    if not filtre.is_valid():
        raise ValidationError("Les filtres de la liste ne sont pas valides : corrigez-les, puis recommencez.")
    # The page said « the N filtered actions »: if the list changed since, the user did not see it.
    annonce = request.POST.get("nombre", "")
    if annonce.isdecimal() and (nombre := filtre.qs.count()) != int(annonce):
        raise ValidationError(
            f"La liste a changé depuis son affichage ({annonce} actions annoncées, "
            f"{nombre} aujourd'hui) : vérifiez la sélection, puis recommencez."
        )
    return filtre.qs
