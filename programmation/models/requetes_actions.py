"""The actions' queryset: what a list reads (visible rows, search, totals by axe and section), the lock it
keeps on voted tranches' amounts, and the bulk operations and reconductions it takes from its mixins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from contrat_ville.models import Contrat

from ..enums import AVANT_LE_VOTE
from ..recherche import contient
from .garde import _DEJA_VERIFIE, GardeVerrouQuerySet
from .masse import ActionsEnMasse
from .montants import MONTANT_RETENU, ZERO, somme
from .porteurs import Porteur
from .reconduction import Reconductions

if TYPE_CHECKING:
    from contrat_ville.models import User


class ActionQuerySet(ActionsEnMasse, Reconductions, GardeVerrouQuerySet):
    champs_verrouilles = (
        "contrat",
        "contrat_id",
        "annee",
        "tranche",
        "tranche_id",
        "axe",
        "axe_id",
        "cout",
        "contribution",
        "section",
        "maitrise_ouvrage_collectivite",
    )

    def update(self, **valeurs: Any) -> int:
        if valeurs.get("statut") in AVANT_LE_VOTE and not _DEJA_VERIFIE.get():
            self._refuser(self._verrouillees())
        return super().update(**valeurs)

    def visibles_par(self, user: User) -> Self:
        # The authority's contracts named by id rather than reached through a join: PostgreSQL then
        # knows how many actions they hold (one authority may hold a fifth of a national table) and picks
        # the indexes that fit; through the join it guessed 50 rows for 10 000 and unaccented every row of
        # a search (bench/programmation.py --lentes, 100 000 actions: 437 ms, 69 ms by id).
        contrats = (
            Contrat.objects.filter(collectivite=user.collectivite_id).order_by().values_list("pk", flat=True)
        )
        return self.filter(contrat__in=list(contrats))

    def for_table(self) -> Self:
        """Everything a list row shows, in one query."""
        return self.select_related("porteur", "axe__contrat", "tranche__contrat").with_cofinancements()

    def with_cofinancements(self) -> Self:
        # Imported here: cofinancements.py imports this module (a cofinancement's foreign key to Action).
        from .cofinancements import Cofinancement

        # A subquery, not a join: a join would multiply the rows that the totals add up.
        lignes = (
            Cofinancement.objects.filter(action=OuterRef("pk"))
            .order_by()
            .values("action")
            .annotate(total=Sum(MONTANT_RETENU))
            .values("total")
        )
        return self.annotate(total_cofinancements=Coalesce(Subquery(lignes), ZERO))

    def annees(self) -> list[int]:
        """The distinct years of these actions, in order, read from the (contrat, annee) index.

        order_by(): the default ordering joins four tables and would make every row distinct."""
        return list(self.order_by().values_list("annee", flat=True).distinct().order_by("annee"))

    def recherche(self, texte: str, collectivite: int | None = None) -> Self:
        """Title, objectives or porteur's name, whatever the accents and the case.

        One OR that PostgreSQL can read from three indexes at once (the two trigram indexes and the
        porteur's) or, after narrower filters, check on their few rows. The porteurs are read first, by
        their name's index, so that the OR holds no subquery: a subquery or a UNION forbids one plan or
        the other (bench/programmation.py --lentes, 100 000 actions: 1.7 s, or 0.75 s once filtered)."""
        porteurs = Porteur.objects.filter(contient("nom", texte))
        if collectivite is not None:
            porteurs = porteurs.filter(collectivite=collectivite)
        ids = list(porteurs.values_list("pk", flat=True))
        return self.filter(contient("intitule", texte) | contient("objectifs", texte) | Q(porteur__in=ids))

    def subventions(self) -> Self:
        """Actions granted to a porteur (excludes those the authority carries itself)."""
        return self.filter(maitrise_ouvrage_collectivite=False)

    def en_maitrise_ouvrage(self) -> Self:
        return self.filter(maitrise_ouvrage_collectivite=True)

    def totaux(self) -> dict[str, Any]:
        return self.aggregate(**self._agregats())

    def par_axe(self) -> models.QuerySet[Any, dict[str, Any]]:
        return (
            self.values("axe", "axe__numero")
            .annotate(**self._agregats())
            .order_by("axe__ordre", "axe__numero")
        )

    @staticmethod
    def _agregats() -> dict[str, Count | Coalesce]:
        # couts_connus tells a cost total of 0 € from a total of unknown costs.
        return {
            "nombre": Count("id"),
            "couts_connus": Count("cout"),
            "cout": somme("cout"),
            "contribution": somme("contribution"),
        }

    def par_section(self) -> models.QuerySet[Any, dict[str, Any]]:
        return (
            self.values("section")
            .annotate(nombre=Count("id"), contribution=somme("contribution"))
            .order_by("section")
        )
