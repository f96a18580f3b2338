"""Money in SQL: a zero of the amounts' type, the amount a cofinancement counts for, a never-None sum."""

from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce

from contrat_ville.models import MONTANT

ZERO = Value(0, output_field=DecimalField(**MONTANT))


# A cofinancement counts for its granted amount, else the requested one (SQL; see Cofinancement).
MONTANT_RETENU = Coalesce("montant_accorde", "montant_sollicite")


def somme(champ, filtre=None):
    """A database sum that is 0, never None, on an empty set."""
    return Coalesce(Sum(champ, filter=filtre), ZERO, output_field=DecimalField(**MONTANT))
