import re

from django import template
from django.template.defaultfilters import linebreaksbr

from contrat_ville.formats import euros as formater_euros
from contrat_ville.formats import nombre as formater_nombre
from contrat_ville.formats import taux as formater_taux
from contrat_ville.models import majuscules as en_majuscules

register = template.Library()


@register.filter
def euros(montant):
    return formater_euros(montant)


NON_RENSEIGNE = "non renseigné"


@register.filter
def euros_connus(montant):
    """An amount, or « non renseigné » when unknown (None): never 0 € for an unknown figure."""
    return NON_RENSEIGNE if montant is None or montant == "" else formater_euros(montant)


@register.filter
def cout_total(ensemble):
    """The cost total of a set of actions, saying what it leaves out.

    `ensemble` gives `nombre`, `couts_connus` and `cout` (the annex, an axe's table, an aggregate),
    or is a tranche annotated by `TrancheQuerySet.with_totaux()`.
    « non renseigné » when no cost is known; « 12 000 € (dont 1 coût non renseigné) » when some are.
    """
    if ensemble is None or ensemble == "":
        return ""
    if hasattr(ensemble, "total_cout"):  # a tranche annotated by with_totaux()
        nombre_, connus, cout = ensemble.nombre_actions, ensemble.couts_connus, ensemble.total_cout
    else:
        lire = ensemble.get if isinstance(ensemble, dict) else lambda cle: getattr(ensemble, cle, None)
        nombre_, connus, cout = lire("nombre"), lire("couts_connus"), lire("cout")
    if nombre_ and connus is not None and not connus:
        return NON_RENSEIGNE
    texte = formater_euros(cout)
    if nombre_ and connus is not None and nombre_ > connus:
        texte += f" ({dont_non_renseignes(nombre_ - connus)})"
    return texte


def dont_non_renseignes(inconnus):
    pluriel = "s" if inconnus > 1 else ""
    return f"dont {inconnus} coût{pluriel} non renseigné{pluriel}"


@register.filter
def taux(valeur):
    return formater_taux(valeur)


@register.filter
def nombre(valeur):
    return formater_nombre(valeur)


@register.filter
def majuscules(texte):
    return en_majuscules(str(texte))


@register.filter(is_safe=True, needs_autoescape=True)
def lignes(texte, autoescape=True):
    """Line breaks kept, blank lines dropped: dense tables stay short (fewer pages to lay out)."""
    return linebreaksbr(re.sub(r"\n\s*\n", "\n", str(texte or "")), autoescape)
