"""An action's changes and their history, written in one place.

Whatever changes an action (the form, the import, a bulk operation, the vote, a modificative), each change
sets its fields, adds one to its version (the forms compare it: a colleague's change made in the meantime is
never overwritten) and writes one history row per field (Modification), with the texts the pages show.

Changes are gathered in memory, then written at once, in bulk and in batches (an import changes 20 000
actions). The writing goes through the vote's lock (bulk_update refuses a voted tranche's amounts, as save()
does, and PostgreSQL's triggers hold the same rule); a modificative, the one change a voted amount accepts,
says so (`modificative=True`) instead of going round it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Prefetch

from .garde import hors_verrou
from .historique import Modification

if TYPE_CHECKING:
    from contrat_ville.models import User

    from .actions import Action

# A history row's texts: (field, before, after).
Textes = Iterable[tuple[str, str, str]]

# Rows per INSERT or UPDATE, for the history and the import's own bulk writes (importation/chargement.py).
LOT = 2000
# What the modificative's opening of the lock lets through (Action.modifier(…, modificative=True)).
MODIFIABLES_PAR_MODIFICATIVE = {"contribution"}


class Changements:
    """The changes of one author's operation: `changer`, `creer`, `noter`, then `enregistrer`; or, for a
    change its caller writes itself, `suivre`."""

    def __init__(
        self, auteur: User | None, *, modificative: bool = False, date: datetime.datetime | None = None
    ) -> None:
        self.auteur = auteur
        self.modificative = modificative
        # One date for every row (an import's rows say they came together); else each row's own.
        self.date = date
        self._actions: dict[int, Action] = {}
        self._champs: set[str] = set()
        self._lignes: list[Modification] = []

    def changer(
        self, action: Action, textes: Textes | None = None, motif: str = "", **valeurs: Any
    ) -> list[Modification]:
        """One change of one action, in memory: `valeurs` set, one version more, one history row per field
        from its text before to its text after (Action.texte), the field named with the change's `motif`;
        or the rows `textes` [(champ, avant, après)] when the caller words them. Returns the rows."""
        if self.modificative and set(valeurs) - MODIFIABLES_PAR_MODIFICATIVE:
            # A modificative corrects a voted amount; anything else of a voted action stays as voted.
            raise ValueError(f"Une modificative ne change que {', '.join(MODIFIABLES_PAR_MODIFICATIVE)}.")
        if textes is None:
            textes = []
            for champ, valeur in valeurs.items():
                avant = action.texte(champ)
                setattr(action, champ, valeur)
                textes.append((f"{champ} ({motif})" if motif else champ, avant, action.texte(champ)))
        else:
            for champ, valeur in valeurs.items():
                setattr(action, champ, valeur)
        self._champs.update(valeurs)
        action.version += 1
        self._actions[id(action)] = action
        return self._noter(action, textes)

    @contextmanager
    def suivre(self, actions: Iterable[Action], *, ecrites: bool = True) -> Iterator[dict[int, Action]]:
        """A change its caller writes itself (a form, the back-office), followed from end to end.

        On entering, the actions' rows are read and locked (one query) and each action is set one version
        past its row, so that the caller's own save writes the version with the fields (one UPDATE, not a
        second for the version); `ecrites=False` when the caller writes none of the actions (a
        cofinancement's page): their versions are written here, in bulk. On leaving without an error, one
        history row per followed value (Action.instantane, cofinancements included) that differs, and all
        that was gathered (`creer`, `noter` inside the block too) is written. Yields the rows as they were,
        by key (a form compares its version)."""
        from .actions import Action  # actions.py builds on this module
        from .cofinancements import Cofinancement

        actions = list(actions)
        cofinancements = Cofinancement.objects.select_related("financeur")
        with transaction.atomic():
            lues = (
                Action.objects.select_for_update(of=("self",))
                .select_related("porteur", "axe__contrat", "tranche__contrat")
                .prefetch_related(Prefetch("cofinancements", cofinancements))
                .order_by()
                .in_bulk([a.pk for a in actions])
                if actions
                else {}
            )
            avant = {pk: ligne.instantane() for pk, ligne in lues.items()}
            for action in actions:
                action.version = lues[action.pk].version + 1
            yield lues
            for action in actions:
                self._ecarts(action, avant[action.pk])
                if not ecrites:
                    self._actions[id(action)] = action
            self.enregistrer()

    def _ecarts(self, action: Action, avant: dict[str, str]) -> list[Modification]:
        """One row per followed value of `action` that differs from `avant`."""
        apres = action.instantane()
        return self._noter(
            action,
            [
                (champ, avant.get(champ, ""), apres.get(champ, ""))
                # A cofinancement removed is in `avant` only.
                for champ in [*apres, *(c for c in avant if c not in apres)]
                if avant.get(champ, "") != apres.get(champ, "")
            ],
        )

    def creer(self, action: Action, origine: str = "") -> list[Modification]:
        """A new action's first row (its version is the first)."""
        return self.noter(action, "création", apres=f"{action} ({origine})" if origine else str(action))

    def noter(self, action: Action, champ: str, avant: str = "", apres: str = "") -> list[Modification]:
        """A history row that changes no field of `action` (a creation, a reconduction, a deleted draft)."""
        return self._noter(action, [(champ, avant, apres)])

    def _noter(self, action: Action, textes: Textes) -> list[Modification]:
        date = {"date": self.date} if self.date else {}
        lignes = [
            Modification(action=action, auteur=self.auteur, champ=champ, avant=avant, apres=apres, **date)
            for champ, avant, apres in textes
        ]
        self._lignes += lignes
        return lignes

    def enregistrer(self) -> None:
        """Writes the changed actions (their changed fields and version) and the history, all or nothing;
        nothing to write, no query. A refusal (the vote's lock) leaves the caller's transaction usable."""
        from .actions import Action  # actions.py builds on this module

        if not (self._actions or self._lignes):
            return
        porte = hors_verrou() if self.modificative else nullcontext()
        with porte, transaction.atomic():
            if self._actions:
                champs = [*sorted(self._champs), "version"]
                Action.objects.bulk_update(self._actions.values(), champs, batch_size=LOT)
            if self._lignes:
                Modification.objects.bulk_create(self._lignes, batch_size=LOT)
        self._actions, self._champs, self._lignes = {}, set(), []
