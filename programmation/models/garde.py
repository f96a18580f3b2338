"""The model side of a voted tranche's lock: the message, the bulk paths' guard and the one door through it
(hors_verrou). PostgreSQL's triggers holding the same rule are in verrou.py."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Self

import pgtrigger
from django.core.exceptions import ValidationError
from django.db import models, transaction

from contrat_ville.cloisonnement import CloisonneQuerySet

from ..enums import StatutTranche
from .verrou import VerrouAction, VerrouCofinancement

MESSAGE_VERROU = (
    "La tranche {tranche} est votée : ses montants sont verrouillés. "
    "Une correction passe par une nouvelle délibération (modificative)."
)


_DEJA_VERIFIE = ContextVar("verrou_deja_verifie", default=False)
_MODIFICATIVE = ContextVar("hors_verrou", default=False)


@contextmanager
def hors_verrou() -> Iterator[None]:
    """The one door through a voted tranche's lock: a modificative applying its voted lines (see
    Action.modifier(…, modificative=True)), or acts voted elsewhere being recorded as they were voted (tests).

    Opens the model's guards and PostgreSQL's triggers for this thread only, inside one transaction."""
    jeton = _MODIFICATIVE.set(True)
    try:
        with transaction.atomic(), pgtrigger.ignore(*VerrouAction.uris(), *VerrouCofinancement.uris()):
            yield
    finally:
        _MODIFICATIVE.reset(jeton)


class GardeVerrouQuerySet(CloisonneQuerySet):
    """Bulk paths (update, bulk_create, bulk_update, delete: imports, scripts) refuse to touch a voted
    tranche's content, as the forms and save() do. PostgreSQL's triggers hold the same rule."""

    # The lookup from this model to the tranche, and the fields that are locked with it.
    chemin_tranche = "tranche"
    champs_verrouilles: tuple[str, ...] = ()

    def _verrouillees(self) -> Self:
        return self.filter(**{f"{self.chemin_tranche}__statut": StatutTranche.VOTEE})

    def _refuser(self, lignes: models.QuerySet) -> None:
        if _MODIFICATIVE.get():
            return
        premiere = lignes.select_related(self.chemin_tranche).first()
        if premiere is not None:
            tranche = premiere
            for etape in self.chemin_tranche.split("__"):
                tranche = getattr(tranche, etape)
            raise ValidationError(MESSAGE_VERROU.format(tranche=tranche))

    def update(self, **valeurs: Any) -> int:
        if not _DEJA_VERIFIE.get():
            if set(valeurs) & set(self.champs_verrouilles):
                self._refuser(self._verrouillees())
            self._refuser_l_entree(valeurs)
        return super().update(**valeurs)

    # The foreign key through which a row enters a tranche, and the lookup from its target to the
    # tranche ("" when the target is the tranche): update(tranche=…) or update(action=…).
    entree: tuple[str, str] = ("tranche", "")

    def _refuser_l_entree(self, valeurs: dict[str, Any]) -> None:
        """An update that would put rows into a voted tranche."""
        champ, vers_tranche = self.entree
        cible = valeurs.get(champ, valeurs.get(f"{champ}_id"))
        cible_id = getattr(cible, "pk", cible)
        if cible_id is None or _MODIFICATIVE.get():
            return
        statut = f"{vers_tranche}__statut" if vers_tranche else "statut"
        # The model the foreign key leads to (an action, a tranche), with its default manager `objects`.
        modele: Any = self.model._meta.get_field(champ).related_model
        trouvee = modele.objects.filter(pk=cible_id, **{statut: StatutTranche.VOTEE}).first()
        if trouvee is not None:
            tranche = getattr(trouvee, vers_tranche) if vers_tranche else trouvee
            raise ValidationError(MESSAGE_VERROU.format(tranche=tranche))

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        objs = list(objs)
        self.model.verifier_verrou(objs)  # type: ignore[attr-defined]  # Action's and Cofinancement's rule
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs: Iterable[Any], fields: Iterable[str], batch_size: int | None = None) -> int:
        objs = list(objs)
        self.model.verifier_verrou(objs)  # type: ignore[attr-defined]  # Action's and Cofinancement's rule
        # Django's bulk_update goes through update(): the objects were checked above, in two queries.
        jeton = _DEJA_VERIFIE.set(True)
        try:
            return super().bulk_update(objs, fields, batch_size=batch_size)
        finally:
            _DEJA_VERIFIE.reset(jeton)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._refuser(self._verrouillees())
        return super().delete()
