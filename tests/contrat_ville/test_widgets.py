"""SelectRapide writes the HTML Django's Select writes, without a template per option."""

from html.parser import HTMLParser

from django import forms

from contrat_ville.widgets import SelectRapide

CHOIX = [("", "—"), (1, "Dupont & fils"), (2, '<b>"Martin"</b>'), (3, "Élise Durand")]


class _Elements(HTMLParser):
    """The tags, their attributes (in any order) and their texts: what a browser reads."""

    def __init__(self, html):
        super().__init__()
        self.elements = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, sorted(attrs, key=lambda a: a[0])))

    def handle_data(self, data):
        if data.strip():
            self.elements.append(("texte", data.strip()))


def _deux(valeur, **attrs):
    lent = forms.Select(choices=CHOIX, attrs=attrs).render("mandataire", valeur, {"id": "id_m"})
    rapide = SelectRapide(choices=CHOIX, attrs=attrs).render("mandataire", valeur, {"id": "id_m"})
    return _Elements(lent).elements, _Elements(rapide).elements, rapide


def test_it_writes_the_same_options_as_django_with_the_value_selected():
    lent, rapide_lu, rapide = _deux(2, **{"data-mandataire": "", "required": True})
    assert rapide_lu == lent
    assert (
        "select",
        [("data-mandataire", ""), ("id", "id_m"), ("name", "mandataire"), ("required", None)],
    ) in lent
    assert '<option value="2" selected>&lt;b&gt;&quot;Martin&quot;&lt;/b&gt;</option>' in rapide
    assert rapide.count(" selected") == 1


def test_it_selects_nothing_but_the_empty_choice_when_there_is_no_value():
    lent, rapide_lu, rapide = _deux(None)
    assert rapide_lu == lent
    assert '<option value="" selected>—</option>' in rapide


def test_it_does_not_keep_a_selection_from_one_row_to_the_next():
    # The options are written once and kept: each row marks its own choice only.
    premiere = SelectRapide(choices=CHOIX).render("a", 1)
    seconde = SelectRapide(choices=CHOIX).render("b", 3)
    assert '<option value="1" selected>' in premiere and '<option value="3" selected>' not in premiere
    assert '<option value="3" selected>' in seconde and '<option value="1" selected>' not in seconde
