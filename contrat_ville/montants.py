"""Amounts typed the French way: « 12 345,67 € » in, Decimal("12345.67") out, and back.

What is read (`lire_montant`):
- digits, with a comma or a point before at most two decimals: « 12345,67 », « 12345.67 », « 0,5 »;
- thousands grouped by three with a space, a no-break space (U+00A0) or a narrow no-break space
  (U+202F): « 12 345,67 », « 1 234 567 »;
- the French « . » between thousands, only in the one reading that cannot be taken for anything
  else: groups of three digits AND a comma before one or two decimals, « 12.345,67 »
  (`\\d{1,3}(\\.\\d{3})+,\\d{1,2}`). Without the comma, « 12.345 » has three decimals: refused;
- a trailing « € » or « EUR », a leading « - » (the model's rules then decide whether a negative
  amount is allowed).
Everything else is refused with a French message on the field, never reinterpreted: two commas,
a comma and a point elsewhere than above, three decimals or more (« 12,345 » : « 12 345 » or
« 12,35 » ?), spaces not grouping by three, letters (NaN, inf, 1e5…).

What is shown (`WidgetMontant`): a stored amount as `formats.euros` writes it on the pages, without
the « € »: thousands separated by a narrow no-break space (U+202F), no decimals when the amount is
whole, two otherwise: Decimal("91562.00") -> « 91 562 », Decimal("6000.50") -> « 6 000,50 ».
What the person typed is shown again as typed when the form comes back with an error.

Every ModelForm inheriting `FormulaireMontants` gets a `ChampMontant` for each money field of its
model (a DecimalField of `MONTANT`'s size), including fields added later; `AdminMontants` does the
same for the back-office. `somme` and `ZERO` are the same amounts in SQL.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce
from django.forms.models import ModelFormMetaclass

from .formats import ESPACE_INSECABLE
from .models import MONTANT

if TYPE_CHECKING:
    from django.db.models import Q
    from django.db.models.expressions import Combinable
    from django.http import HttpRequest

# Money in SQL: a zero of the amounts' type and a sum that is never None.
# MONTANT is a plain dict (contrat_ville/models), which the stubs cannot match to DecimalField's arguments.
ZERO = Value(0, output_field=DecimalField(**MONTANT))  # type: ignore[arg-type]


def somme(champ: str | Combinable, filtre: Q | None = None) -> Coalesce:
    """A database sum that is 0, never None, on an empty set."""
    return Coalesce(Sum(champ, filter=filtre), ZERO, output_field=DecimalField(**MONTANT))  # type: ignore[arg-type]


# The spaces a person, a browser or a copied page put between thousands.
ESPACES = " \u00a0\u202f"
_ESPACE = f"[{ESPACES}]"
_DEVISE = re.compile(r"\s*(?:€|eur)\s*$", re.IGNORECASE)
_SIGNE = re.compile(r"^([-\u2212+]?)\s*")
# The readings accepted, the whole text (without sign nor currency) being matched.
_SIMPLE = re.compile(r"^(?P<entier>\d+)(?:[,.](?P<decimales>\d{1,2}))?$")
_GROUPE_ESPACES = re.compile(
    rf"^(?P<entier>\d{{1,3}}(?:{_ESPACE}\d{{3}})+)(?:[,.](?P<decimales>\d{{1,2}}))?$"
)
_GROUPE_POINTS = re.compile(r"^(?P<entier>\d{1,3}(?:\.\d{3})+),(?P<decimales>\d{1,2})$")

CENTIME = Decimal("0.01")
EXEMPLE = f"12{ESPACE_INSECABLE}345,67"
MESSAGES = {
    "invalide": f"Saisissez un nombre. Écrivez par exemple « {EXEMPLE} » ou « 12345,67 ».",
    "separateurs": (
        "Virgule et point mélangés : écrivez les milliers avec une espace et les centimes après "
        f"une virgule, par exemple « {EXEMPLE} »."
    ),
    "virgules": f"Une seule virgule, avant les centimes : écrivez par exemple « {EXEMPLE} ».",
    "points": "Plusieurs points : écrivez les milliers avec une espace, « {milliers} ».",
    "ambigu": (
        "« {saisi} » est ambigu (trois chiffres après la virgule) : écrivez « {milliers} » ou « {arrondi} »."
    ),
    "centimes": "Au plus deux chiffres après la virgule (les centimes) : écrivez par exemple « {arrondi} ».",
    "espaces": "Les espaces séparent les chiffres par groupes de trois : écrivez par exemple « {milliers} ».",
}


def _erreur(code: str, **valeurs: str) -> ValidationError:
    return ValidationError(MESSAGES[code].format(**valeurs), code="invalid" if code == "invalide" else code)


def _grouper(chiffres: str) -> str:
    chiffres = chiffres.lstrip("0") or "0"
    groupes: list[str] = []
    while chiffres:
        groupes.insert(0, chiffres[-3:])
        chiffres = chiffres[:-3]
    return ESPACE_INSECABLE.join(groupes)


def _avec_centimes(valeur: Decimal) -> str:
    entier, _, centimes = f"{valeur.quantize(CENTIME, rounding=ROUND_HALF_UP):f}".partition(".")
    return f"{_grouper(entier)},{centimes}"


def ecrire_montant(montant: Decimal | int | str) -> str:
    """Decimal("91562.00") -> « 91 562 », Decimal("6000.5") -> « 6 000,50 »: as the pages write
    amounts (formats.euros), without the « € »; narrow no-break spaces between thousands."""
    valeur = Decimal(montant)
    if not valeur.is_finite():
        return str(montant)
    signe = "-" if valeur < 0 else ""
    valeur = abs(valeur)
    if valeur == valeur.to_integral_value():
        return signe + _grouper(f"{valeur.to_integral_value():f}")
    return signe + _avec_centimes(valeur)


def lire_montant(texte: object) -> Decimal | None:
    """« 12 345,67 € » -> Decimal("12345.67"); ValidationError with a French message otherwise.
    An empty text gives None."""
    saisi = str(texte).strip()
    corps = _DEVISE.sub("", saisi)
    # _SIGNE matches every text (its parts are optional).
    signe, corps = _SIGNE.match(corps).group(1), _SIGNE.sub("", corps, count=1)  # type: ignore[union-attr]
    if not corps:
        if saisi:
            raise _erreur("invalide")
        return None
    if not re.fullmatch(rf"[\d,.{ESPACES}]+", corps) or not re.search(r"\d", corps):
        raise _erreur("invalide")  # letters, NaN, inf, 1e5, a stray sign…
    for motif in (_SIMPLE, _GROUPE_ESPACES, _GROUPE_POINTS):
        trouve = motif.match(corps)
        if trouve:
            entier = re.sub(rf"[.{ESPACES}]", "", trouve["entier"])
            nombre = f"{entier}.{trouve['decimales']}" if trouve["decimales"] else entier
            try:
                valeur = Decimal(nombre)
            except InvalidOperation:  # pragma: no cover - the patterns only let digits through
                raise _erreur("invalide") from None
            return -valeur if signe in ("-", "\u2212") else valeur
    raise _diagnostic(saisi, corps)


def _diagnostic(saisi: str, corps: str) -> ValidationError:
    """Why a text made of digits, spaces, commas and points is not read: the message says what to write."""
    chiffres = re.sub(rf"[{ESPACES}]", "", corps)
    if "," in corps and "." in corps:
        return _erreur("separateurs")
    if corps.count(",") > 1:
        return _erreur("virgules")
    if corps.count(".") > 1:
        return _erreur("points", milliers=_grouper(chiffres.replace(".", "")))
    entier, separateur, decimales = chiffres.partition("," if "," in chiffres else ".")
    if separateur and entier.isdigit() and decimales.isdigit() and len(decimales) > 2:
        arrondi = Decimal(f"{entier}.{decimales}").quantize(CENTIME, rounding=ROUND_HALF_UP)
        if len(decimales) == 3:
            return _erreur(
                "ambigu", saisi=saisi, milliers=_grouper(entier + decimales), arrondi=_avec_centimes(arrondi)
            )
        return _erreur("centimes", arrondi=_avec_centimes(arrondi))
    if re.search(rf"[{ESPACES}]", corps) and entier.replace(" ", "").isdigit():
        return _erreur("espaces", milliers=_grouper(entier))
    return _erreur("invalide")


class WidgetMontant(forms.TextInput):
    """A text input: a number input refuses the comma in some browsers, spaces in all, and shows
    « 91562.00 »."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false", **(attrs or {})}
        )

    def format_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            return ecrire_montant(Decimal(str(value)))
        return str(value)  # what was typed, shown again as typed


class ChampMontant(forms.DecimalField):
    """A DecimalField that reads amounts the French way (see the module's docstring)."""

    widget = WidgetMontant
    default_error_messages = {"invalid": MESSAGES["invalide"]}

    def __init__(self, *, max_digits: int = 14, decimal_places: int = 2, **kwargs: Any) -> None:
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)
        for validateur in self.validators:
            if isinstance(validateur, DecimalValidator):
                plafond = Decimal(10) ** (max_digits - decimal_places) - Decimal(1).scaleb(-decimal_places)
                trop = f"Montant trop élevé : au plus {ecrire_montant(plafond)} €."
                validateur.messages = {
                    "max_digits": trop,
                    "max_whole_digits": trop,
                    "max_decimal_places": "Au plus deux chiffres après la virgule (les centimes).",
                }
            elif isinstance(validateur, MinValueValidator) and validateur.limit_value == 0:
                validateur.message = "Le montant ne peut pas être négatif."
            elif isinstance(validateur, MinValueValidator):
                validateur.message = (
                    f"Saisissez un montant d'au moins {ecrire_montant(validateur.limit_value)} €."
                )
            elif isinstance(validateur, MaxValueValidator):
                validateur.message = (
                    f"Saisissez un montant d'au plus {ecrire_montant(validateur.limit_value)} €."
                )

    # The stubs have DecimalField inherit IntegerField's `int | None`; Django's own returns a Decimal.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Decimal(str(value))
        return lire_montant(value)


def est_montant(champ: object) -> bool:
    """A money field of a model: a DecimalField of MONTANT's size (percentages and indicators are not)."""
    return (
        isinstance(champ, models.DecimalField)
        and champ.max_digits == MONTANT["max_digits"]
        and champ.decimal_places == MONTANT["decimal_places"]
    )


def champ_de_modele(champ: models.Field, **kwargs: Any) -> forms.Field | None:
    """The `formfield_callback` of forms with amounts: a ChampMontant for money fields."""
    if est_montant(champ):
        kwargs["form_class"] = ChampMontant
    return champ.formfield(**kwargs)


class _MetaMontants(ModelFormMetaclass):
    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> _MetaMontants:
        meta = attrs.get("Meta")
        if meta is not None and getattr(meta, "formfield_callback", None) is None:
            meta.formfield_callback = staticmethod(champ_de_modele)
        return super().__new__(mcs, name, bases, attrs)


class FormulaireMontants(forms.ModelForm, metaclass=_MetaMontants):
    """A ModelForm whose money fields, present and future, are read and shown the French way.
    Also the `form=` of model formsets (`inlineformset_factory(..., form=FormulaireMontants)`)."""


class AdminMontants:
    """For the back-office's ModelAdmin and inlines: the same fields as the agents' forms."""

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if est_montant(db_field):
            return champ_de_modele(db_field, **kwargs)
        # A mixin: the ModelAdmin or inline it comes before holds the method.
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
