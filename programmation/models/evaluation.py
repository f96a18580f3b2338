"""The bilans' due date, where programmation/models/conventions.py reads it (a module under mutation
testing, left unchanged for now). The evaluation's models live in programmation/evaluation/models.py."""

from ..evaluation.models import echeance

__all__ = ["echeance"]
