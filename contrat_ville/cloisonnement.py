"""One authority's rows never point at another's: the rule, for Python and for PostgreSQL.

A row's links are its foreign keys to anything that belongs to an authority (users excepted: an
author is provenance, not data). Every link of a row must lead to the same authority, and an update
never moves a row from one authority to another. The links are read from the model graph, so a
model added later is held by the same rule as soon as it declares `CloisonnementCollectivite`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Iterator
from contextvars import ContextVar
from functools import cache
from typing import TYPE_CHECKING, Any, cast

import pgtrigger
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

if TYPE_CHECKING:
    from django.apps.registry import Apps
    from django.db import migrations
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor
    from pgtrigger import compiler

MESSAGE = "« {objet} » appartient à une autre collectivité."
_DEJA_VERIFIES = ContextVar("cloisonnement_deja_verifie", default=False)
MESSAGE_SQL = "Cloisonnement : une ligne de % relierait les données de deux collectivités."


COLLECTIVITE = "contrat_ville.Collectivite"


def _est_collectivite(modele: type[models.Model]) -> bool:
    # By label: migrations compile the triggers with historical model classes.
    return modele._meta.label == COLLECTIVITE


def chemin_vers_la_collectivite(modele: type[models.Model]) -> str | None:
    """The shortest lookup ("contrat__collectivite") from a model to its authority, or None.

    Through required foreign keys first: a row whose nullable key is empty would be left out."""
    if _est_collectivite(modele):
        return "pk"
    return _chemin(modele, nullables=False) or _chemin(modele, nullables=True)


def _cible(champ: models.Field) -> type[models.Model]:
    """The model a relation leads to (the type checker's `related_model` may be None: not a relation)."""
    return cast("type[models.Model]", champ.related_model)


def _chemin(modele: type[models.Model], nullables: bool) -> str | None:
    a_voir, vus = deque([(modele, "")]), {modele}
    while a_voir:
        courant, chemin = a_voir.popleft()
        for champ in courant._meta.concrete_fields:
            if not champ.is_relation or champ.related_model in vus or (champ.null and not nullables):
                continue
            suite = f"{chemin}__{champ.name}" if chemin else champ.name
            if _est_collectivite(_cible(champ)):
                return suite
            vus.add(_cible(champ))
            a_voir.append((_cible(champ), suite))
    return None


@cache
def liens(modele: type[models.Model]) -> list[tuple[models.Field, str]]:
    """[(foreign key, lookup from its target to the authority)] of a model."""
    return [
        (champ, chemin)
        for champ in modele._meta.concrete_fields
        if (champ.many_to_one or champ.one_to_one)
        and _cible(champ)._meta.label != settings.AUTH_USER_MODEL
        and (chemin := chemin_vers_la_collectivite(_cible(champ))) is not None
    ]


def _autorites(champ: models.Field, chemin: str, ids: Iterable[Any]) -> dict[Any, Any]:
    """{target id: its authority id} for the given targets of a foreign key, in one query."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    if chemin == "pk":
        return {i: i for i in ids}
    cibles = _cible(champ)._base_manager.filter(pk__in=ids)
    return dict(cibles.values_list("pk", chemin))


def verifier(objets: Iterable[models.Model], exclude: Collection[str] = ()) -> None:
    """Refuses (ValidationError) any object whose links lead to two authorities, or that would move
    an existing row to another authority. Two queries per link at most, whatever the number of objects."""
    objets = list(objets)
    if not objets:
        return
    modele = type(objets[0])
    cartes = [
        (champ, _autorites(champ, chemin, (getattr(o, champ.attname) for o in objets)))
        for champ, chemin in liens(modele)
    ]
    anciennes = _autorites_actuelles(modele, [o.pk for o in objets if o.pk is not None])
    for objet in objets:
        vues: dict[Any, models.Field | None] = {}
        for champ, carte in cartes:
            cible = getattr(objet, champ.attname)
            if cible is not None and cible in carte:
                vues.setdefault(carte[cible], champ)
        if objet.pk in anciennes:
            vues.setdefault(anciennes[objet.pk], None)
        if len(vues) > 1:
            fautif = list(vues.values())[-1]
            cle = fautif.name if fautif is not None and fautif.name not in exclude else NON_FIELD_ERRORS
            cible = getattr(objet, fautif.name) if fautif is not None else objet
            raise ValidationError({cle: MESSAGE.format(objet=cible)})


def _autorites_actuelles(modele: type[models.Model], pks: list[Any]) -> dict[Any, Any]:
    """{pk: authority id} of rows as stored, for updates."""
    chemin = chemin_vers_la_collectivite(modele)
    if not pks or chemin is None:
        return {}
    if chemin == "pk":
        return {pk: pk for pk in pks}
    return {pk: c for pk, c in modele._base_manager.filter(pk__in=pks).values_list("pk", chemin) if c}


class CloisonneQuerySet(models.QuerySet):
    """Bulk writes hold the rule too: bulk_create checks each object, update() the new targets
    against the rows it changes."""

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> list[Any]:
        objs = list(objs)
        verifier(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs: Iterable[Any], fields: Iterable[str], batch_size: int | None = None) -> int:
        objs = list(objs)
        verifier(objs)
        # Django's bulk_update goes through update() with CASE expressions: the objects are checked.
        jeton = _DEJA_VERIFIES.set(True)
        try:
            return super().bulk_update(objs, fields, batch_size=batch_size)
        finally:
            _DEJA_VERIFIES.reset(jeton)

    def update(self, **valeurs: Any) -> int:
        if _DEJA_VERIFIES.get():
            return super().update(**valeurs)
        cibles = {
            champ: valeurs[cle]
            for champ, _ in liens(self.model)
            for cle in (champ.name, champ.attname)
            if cle in valeurs and valeurs[cle] is not None
        }
        if cibles:
            self._verifier_mise_a_jour(cibles)
        return super().update(**valeurs)

    def _verifier_mise_a_jour(self, cibles: dict[models.Field, Any]) -> None:
        # A model with links reaches its authority through them.
        chemin = cast(str, chemin_vers_la_collectivite(self.model))
        actuelles = set(self.values_list(chemin, flat=True).order_by().distinct()) - {None}
        for champ, cible in cibles.items():
            cible_id = getattr(cible, "pk", cible)
            autorite = _autorites(champ, dict(liens(self.model))[champ], [cible_id]).get(cible_id)
            if autorite is not None and actuelles - {autorite}:
                raise ValidationError({champ.name: MESSAGE.format(objet=cible)})


class Cloisonne(models.Model):
    """A model whose rows belong to one authority through their links: checked on save and by
    full_clean (forms, the back-office), with a message on the faulty field."""

    objects = CloisonneQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        verifier([self])
        super().save(*args, **kwargs)

    def validate_constraints(self, exclude: Collection[str] | None = None) -> None:
        super().validate_constraints(exclude=exclude)
        verifier([self], exclude=exclude or ())


class CloisonnementCollectivite(pgtrigger.Trigger):
    """The same rule held by PostgreSQL, for every writer (raw SQL included)."""

    name = "cloisonnement"
    when = pgtrigger.Before
    operation = pgtrigger.Insert | pgtrigger.Update
    declare = [("autorites", "bigint[]")]

    # pgtrigger annotates `model` as an instance; it is given the model class.
    def get_func(self, model: type[models.Model]) -> str:  # type: ignore[override]
        nouvelles = [f"({sql_autorite(champ, chemin, 'NEW')})" for champ, chemin in liens(model)]
        anciennes = [f"({sql_autorite(champ, chemin, 'OLD')})" for champ, chemin in liens(model)]
        return f"""
            autorites := ARRAY[{", ".join(nouvelles)}]::bigint[];
            IF TG_OP = 'UPDATE' THEN
                autorites := autorites || ARRAY[{", ".join(anciennes)}]::bigint[];
            END IF;
            IF (SELECT count(DISTINCT a) FROM unnest(autorites) AS a WHERE a IS NOT NULL) > 1 THEN
                RAISE EXCEPTION '{MESSAGE_SQL}', TG_TABLE_NAME USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        """


def sql_autorite(champ: models.Field, chemin: str, ligne: str) -> str:
    """SQL giving the authority id that a row's foreign key leads to (NEW.contrat_id → its authority)."""
    colonne = f"{ligne}.{champ.column}"
    if chemin == "pk":
        return f"SELECT {colonne}"
    modele, alias = _cible(champ), "t0"
    sql = f"FROM {modele._meta.db_table} t0"
    etapes = chemin.split("__")
    for rang, etape in enumerate(etapes[:-1], start=1):
        # The lookup's steps are foreign keys (_chemin), the last one a column.
        lien = cast(models.ForeignKey, modele._meta.get_field(etape))
        suivant = _cible(lien)
        cle = suivant._meta.pk.column
        sql += f" JOIN {suivant._meta.db_table} t{rang} ON t{rang}.{cle} = {alias}.{lien.column}"
        modele, alias = suivant, f"t{rang}"
    dernier = cast(models.Field, modele._meta.get_field(etapes[-1])).column
    return f"SELECT {alias}.{dernier} {sql} WHERE t0.{_cible(champ)._meta.pk.column} = {colonne}"


def cloisonner_les_tables_de_liaison(*relations: tuple[str, str]) -> migrations.RunPython:
    """A migration operation putting the same trigger on many-to-many tables, which Django creates
    itself (no Meta to declare it in). relations: ("programmation.Action", "quartiers"), …"""
    from django.db import migrations

    def declencheurs(apps: Apps) -> Iterator[compiler.Trigger]:
        for label, champ in relations:
            liaison = apps.get_model(label)._meta.get_field(champ).remote_field.through
            yield CloisonnementCollectivite().compile(liaison)

    def installer(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for declencheur in declencheurs(apps):
                schema_editor.execute(declencheur.install_sql, params=None)

    def desinstaller(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for declencheur in declencheurs(apps):
                schema_editor.execute(declencheur.uninstall_sql, params=None)

    return migrations.RunPython(installer, desinstaller)
