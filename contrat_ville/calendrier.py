"""Dates set by the rules of subsidies, shared by the programmation and the délibérations."""

import datetime


def echeance_compte_rendu(annee):
    """The compte rendu financier of a year's subsidy is due within six months of the year's end
    (loi 2000-321 art. 10, arrêté du 11 octobre 2006): 30 June of the next year."""
    return datetime.date(annee + 1, 6, 30)
