from functools import lru_cache

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

SELECTIONNEE = " selected"


class SelectRapide(forms.Select):
    """The same HTML as Select, built in Python rather than one template per option:
    a list of a few hundred porteurs renders about twenty times faster. Options already written are
    kept: the attendance list repeats one list of 69 members on each of its 68 rows."""

    def render(self, name, value, attrs=None, renderer=None):
        choisies = {str(v) for v in self.format_value(value)}
        options = _options(tuple((str(v), str(libelle)) for v, libelle in self.choices))
        html = "".join(
            f"{debut}{SELECTIONNEE if valeur in choisies else ''}{fin}" for valeur, debut, fin in options
        )
        attributs = flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name}))
        return format_html("<select{}>{}</select>", attributs, mark_safe(html))


@lru_cache(maxsize=64)
def _options(choix):
    """(value, escaped '<option value="…"', escaped '>label</option>') of each choice."""
    return tuple(
        (valeur, format_html('<option value="{}"', valeur), format_html(">{}</option>", libelle))
        for valeur, libelle in choix
    )
