"""A form sent back with its errors names, in each control's aria-describedby, only ids of the page: a
screen reader reads the error (and the help) with the field, row by row in the formsets too.

Django adds aria-describedby="<id>_error" (and "<id>_helptext") to every control in error: the template
must render an element with that id, or the reference points at nothing."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


class _Page(HTMLParser):
    """The page's ids, the controls' aria-describedby, and the values its main POST form would send."""

    def __init__(self):
        super().__init__()
        self.ids = set()
        self.references = []  # (control's id or name, referenced id)
        self.valeurs = {}
        self._formulaire = 0  # 0 before the form, 1 inside, 2 after
        self._select = None
        self._textarea = None
        self._dans_main = False

    def handle_starttag(self, balise, attributs):
        a = dict(attributs)
        if a.get("id"):
            self.ids.add(a["id"])
        for ident in (a.get("aria-describedby") or "").split():
            self.references.append((a.get("id") or a.get("name"), ident))
        if balise == "main":
            self._dans_main = True
        # The header's logout form comes first: the page's own form is the first one in <main>.
        if balise == "form" and (a.get("method") or "").lower() == "post" and self._formulaire == 0:
            self._formulaire = 1 if self._dans_main else 0
        if self._formulaire != 1 or not a.get("name"):
            return
        if balise == "input":
            genre = a.get("type", "text")
            if genre in ("checkbox", "radio"):
                if "checked" in a:
                    self.valeurs.setdefault(a["name"], []).append(a.get("value", "on"))
            elif genre not in ("submit", "button", "file"):
                self.valeurs[a["name"]] = [a.get("value", "")]
        elif balise == "select":
            self._select = a["name"]
            self.valeurs.setdefault(a["name"], [])
        elif balise == "textarea":
            self._textarea = a["name"]
            self.valeurs[a["name"]] = [""]

    def handle_startendtag(self, balise, attributs):
        self.handle_starttag(balise, attributs)

    def handle_data(self, texte):
        if self._textarea:
            self.valeurs[self._textarea][0] += texte

    def handle_endtag(self, balise):
        if balise == "form" and self._formulaire == 1:
            self._formulaire = 2
        elif balise == "select":
            self._select = None
        elif balise == "textarea":
            self._textarea = None


def _option_choisie(html, nom):
    """Selected options are read apart: HTMLParser sees <option> outside the select's attributes."""
    bloc = re.search(rf'<select[^>]*name="{re.escape(nom)}"[^>]*>(.*?)</select>', html, re.S)
    if not bloc:
        return []
    return re.findall(r'<option[^>]*value="([^"]*)"[^>]*\sselected', bloc.group(1))


def _lire(html):
    page = _Page()
    page.feed(html)
    for nom in list(page.valeurs):
        if re.search(rf'<select[^>]*name="{re.escape(nom)}"', html):
            page.valeurs[nom] = _option_choisie(html, nom)
    return page


def _references_cassees(html):
    page = _lire(html)
    return [(controle, ident) for controle, ident in page.references if ident not in page.ids]


def _envoyer_avec_erreurs(client, adresse, erreurs):
    """Posts the page's form as displayed, with `erreurs` (name: bad value) in place of some values."""
    reponse = client.get(adresse)
    assert reponse.status_code == 200, adresse
    html = reponse.content.decode()
    assert not _references_cassees(html), adresse
    donnees = {nom: valeurs for nom, valeurs in _lire(html).valeurs.items() if valeurs}
    donnees.update({nom: [valeur] for nom, valeur in erreurs.items()})
    reponse = client.post(adresse, donnees)
    assert reponse.status_code in (200, 400), (adresse, reponse.status_code)
    return reponse.content.decode()


def _verifier(html, champs_en_erreur):
    assert not _references_cassees(html), _references_cassees(html)
    page = _lire(html)
    for ident in champs_en_erreur:
        assert (ident, f"{ident}_error") in page.references, f"{ident} n'est pas relié à son erreur"
        assert f"{ident}_error" in page.ids


def test_it_links_each_cofinancement_row_error_to_its_control(client, agent):
    client.force_login(agent)
    html = _envoyer_avec_erreurs(
        client,
        reverse("programmation:action_creer"),
        {
            "intitule": "",
            "cofinancements-0-montant_sollicite": "beaucoup",
            "cofinancements-1-montant_accorde": "1,2,3",
        },
    )
    _verifier(
        html,
        ["id_intitule", "id_cofinancements-0-montant_sollicite", "id_cofinancements-1-montant_accorde"],
    )


def test_it_links_the_errors_of_an_existing_action_to_their_controls(client, agent, sem):
    from programmation.models import Action

    action = Action.objects.filter(contrat__collectivite=sem).exclude(statut="votee").first()
    if action is None:  # the seeds' actions are all voted: their form keeps the amounts locked
        action = Action.objects.filter(contrat__collectivite=sem).first()
    client.force_login(agent)
    html = _envoyer_avec_erreurs(
        client, reverse("programmation:action_modifier", args=[action.pk]), {"intitule": ""}
    )
    _verifier(html, ["id_intitule"])


def test_it_links_the_errors_of_the_seance_form_to_their_controls(client, agent, sem):
    from deliberations.models import Seance

    client.force_login(agent)
    html = _envoyer_avec_erreurs(
        client, reverse("deliberations:seance_creer"), {"date": "pas une date", "membres_en_exercice": "-1"}
    )
    _verifier(html, ["id_date", "id_membres_en_exercice"])
    seance = Seance.objects.filter(instance__collectivite=sem).first()
    html = _envoyer_avec_erreurs(
        client, reverse("deliberations:seance_modifier", args=[seance.pk]), {"date": "31/02/2025"}
    )
    assert not _references_cassees(html)


@pytest.mark.parametrize(
    ("nom_url", "erreurs", "champs"),
    [
        ("referentiels:contrat_creer", {"intitule": "", "annee_debut": "abc"}, ["id_intitule"]),
        ("referentiels:financeur_creer", {"nom": ""}, ["id_nom"]),
        ("referentiels:enveloppe_creer", {"annee": "abc", "montant": "beaucoup"}, ["id_montant"]),
        ("referentiels:quartier_creer", {"nom": ""}, ["id_nom"]),
        ("referentiels:axe_creer", {"intitule": ""}, ["id_intitule"]),
        ("referentiels:theme_creer", {"intitule": ""}, ["id_intitule"]),
        ("deliberations:instance_creer", {"nom": ""}, ["id_nom"]),
        ("deliberations:elu_creer", {"nom": ""}, ["id_nom"]),
    ],
)
def test_it_links_the_errors_of_the_referentiel_forms_to_their_controls(
    client, referent, nom_url, erreurs, champs
):
    client.force_login(referent)
    html = _envoyer_avec_erreurs(client, reverse(nom_url), erreurs)
    page = _lire(html)
    presents = [c for c in champs if c in page.ids]
    assert presents, f"{nom_url} : aucun des champs {champs} sur la page"
    _verifier(html, presents)


def test_it_links_the_errors_of_a_bilan_row_to_their_controls(client, agent, sem):
    from programmation.models import Action

    action = Action.objects.filter(contrat__collectivite=sem, statut="votee").first()
    client.force_login(agent)
    html = _envoyer_avec_erreurs(
        client,
        reverse("programmation:bilan_saisir", args=[action.pk]),
        {"financements-0-montant": "beaucoup", "quartiers-0-nombre": "-3"},
    )
    assert not _references_cassees(html), _references_cassees(html)


def test_it_keeps_the_references_of_the_modifiable_modeles_and_the_registre(client, referent, sem):
    from contrat_ville.models import Contrat

    client.force_login(referent)
    contrat = Contrat.objects.filter(collectivite=sem).first()
    for adresse in [
        reverse("deliberations:modele", args=[contrat.pk]),
        reverse("deliberations:registre"),
        reverse("parametres"),
    ]:
        html = client.get(adresse).content.decode()
        assert not _references_cassees(html), (adresse, _references_cassees(html))
