"""Money in SQL: the amount a cofinancement counts for; the zero and the never-None sum of every amount
live in contrat_ville.montants (re-exported here for programmation's callers)."""

from django.db.models.functions import Coalesce

from contrat_ville.montants import ZERO, somme

__all__ = ["MONTANT_RETENU", "ZERO", "somme"]

# A cofinancement counts for its granted amount, else the requested one (SQL; see Cofinancement).
MONTANT_RETENU = Coalesce("montant_accorde", "montant_sollicite")
