"""Attacks on the back-office by an administrator of another authority.

The attacker is a non-superuser administrator of Saint-Étienne-du-Rouvray; the victim is Saint-Etienne
Métropole. Every ModelAdmin of `admin.site._registry` is walked (a model registered later is covered):
its list, its pages, its forms and their inlines, posted with an id of the Métropole in each foreign
key and many-to-many. Whatever is refused must leave the database as it was (`empreinte`).
"""

from html.parser import HTMLParser

import pytest
from django.contrib import admin, messages
from django.contrib.admin.filters import RelatedFieldListFilter
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.urls import reverse

from contrat_ville.admin_cloisonne import AdminCloisonne, InlineCloisonne
from contrat_ville.models import Collectivite, User
from contrat_ville.roles import ADMINISTRATEURS
from programmation.models import Action, Cofinancement, Porteur, Tranche
from tests.empreinte import empreinte

pytestmark = pytest.mark.django_db

ENREGISTRES = sorted(admin.site._registry, key=lambda m: m._meta.label)
IDS = [m._meta.label for m in ENREGISTRES]
# The statuses of a refusal: not found (redirected to the index with a message), forbidden, missing.
REFUS = {302, 403, 404}


def url(modele, vue, *args):
    return reverse(f"admin:{modele._meta.app_label}_{modele._meta.model_name}_{vue}", args=args)


# --- The oracle: which authorities a row reaches, by ANY chain of foreign keys (not the admin's). ---


def _chemins(modele, prefixe="", vus=(), profondeur=5):
    if modele is Collectivite:
        yield prefixe + "pk" if not prefixe else prefixe.removesuffix("__")
        return
    if profondeur == 0:
        return
    for champ in modele._meta.concrete_fields:
        if champ.is_relation and (champ.many_to_one or champ.one_to_one):
            cible = champ.related_model
            if cible not in vus:
                yield from _chemins(cible, f"{prefixe}{champ.name}__", (*vus, modele), profondeur - 1)


def possedes(modele, collectivite):
    """The pks of this model's rows that reach this authority by any chain of foreign keys."""
    pks = set()
    for chemin in set(_chemins(modele)):
        pks |= set(modele._base_manager.filter(**{chemin: collectivite.pk}).values_list("pk", flat=True))
    return pks


def seulement(modele, de, pas_de):
    """Rows of `de` that do not also reach `pas_de`, in pk order."""
    return sorted(possedes(modele, de) - possedes(modele, pas_de))


# --- The browser: what a form posts, read from the page's HTML. ---


class _Formulaire(HTMLParser):
    """The fields the admin's main form would post (inputs, checked boxes, selected options, text)."""

    def __init__(self):
        super().__init__()
        self.donnees, self.dans_form, self.select, self.textarea = {}, False, None, None

    def _ajouter(self, nom, valeur):
        if "__prefix__" in nom:
            return  # the inlines' empty template rows
        self.donnees.setdefault(nom, []).append(valeur)

    def handle_starttag(self, balise, attrs):
        a = dict(attrs)
        if balise == "form" and (a.get("id") or "").endswith("_form"):
            self.dans_form = True
        if balise == "option" and self.select and "selected" in a:
            self._ajouter(self.select, a.get("value", ""))
        if not self.dans_form or not a.get("name"):
            return
        if balise == "input":
            genre = a.get("type", "text")
            if genre in {"submit", "button", "file", "image", "reset"}:
                return
            if genre in {"checkbox", "radio"} and "checked" not in a:
                return
            self._ajouter(a["name"], a.get("value", "on" if genre == "checkbox" else ""))
        elif balise == "select":
            self.select = a["name"]
            if "__prefix__" not in a["name"]:
                self.donnees.setdefault(a["name"], [])
        elif balise == "textarea":
            self.textarea = a["name"]
            self._ajouter(a["name"], "")

    def handle_endtag(self, balise):
        if balise == "form":
            self.dans_form = False
        elif balise == "select":
            self.select = None
        elif balise == "textarea":
            self.textarea = None

    def handle_data(self, texte):
        if self.dans_form and self.textarea and "__prefix__" not in self.textarea:
            self.donnees[self.textarea][-1] += texte

    def handle_startendtag(self, balise, attrs):
        self.handle_starttag(balise, attrs)


def donnees_postees(reponse):
    """What a browser would post from this admin page, as it stands."""
    lecteur = _Formulaire()
    lecteur.feed(reponse.content.decode())
    return {nom: valeurs if len(valeurs) != 1 else valeurs[0] for nom, valeurs in lecteur.donnees.items()}


def champs_relationnels(reponse):
    """(posted name, target model, many?) of every relation a page's forms post, inlines included."""
    formulaires = [reponse.context["adminform"].form]
    for inline in reponse.context["inline_admin_formsets"]:
        formulaires += list(inline.formset.forms)
    champs = []
    for formulaire in formulaires:
        for nom, champ in formulaire.fields.items():
            if isinstance(champ, ModelChoiceField):
                champs.append(
                    (
                        formulaire.add_prefix(nom),
                        champ.queryset.model,
                        isinstance(champ, ModelMultipleChoiceField),
                    )
                )
    return champs


def erreurs_de(reponse):
    """Every field error of the page's forms, by posted name."""
    erreurs = {}
    formulaires = [reponse.context["adminform"].form]
    for inline in reponse.context["inline_admin_formsets"]:
        formulaires += list(inline.formset.forms)
    for formulaire in formulaires:
        for nom, liste in formulaire.errors.items():
            erreurs[formulaire.add_prefix(nom)] = liste
    return erreurs


# --- The people. ---


@pytest.fixture
def attaquant(administrateur_sedr):
    """An administrator of Saint-Étienne-du-Rouvray, also given the accounts' and authorities' rights
    (a generous deployment: the role alone answers 403 on those two lists)."""
    administrateur_sedr.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="contrat_ville", content_type__model__in=["user", "collectivite"]
        )
    )
    return User.objects.get(pk=administrateur_sedr.pk)


@pytest.fixture
def objets_sedr(sedr):
    """What the demo data of Saint-Étienne-du-Rouvray lacks for every list to have a row to attack."""
    from contrat_ville.models import Contrat, Dispositif, Enveloppe, Financeur
    from deliberations.models import Registre

    from ..adresses import creer
    from ..factories import DeliberationFactory, EluFactory, InstanceFactory, PresenceFactory, TrancheFactory

    contrat = Contrat.objects.filter(collectivite=sedr).order_by("pk").first()
    axe = contrat.axes.order_by("pk").first()
    TrancheFactory(contrat=contrat, annee=2025)
    Dispositif.objects.create(collectivite=sedr, contrat=contrat, axe=axe, intitule="Dispositif de test")
    Enveloppe.objects.create(
        contrat=contrat,
        annee=2025,
        axe=axe,
        financeur=Financeur.objects.filter(collectivite=sedr).first(),
        montant=1000,
    )
    Registre.objects.get_or_create(collectivite=sedr)
    instance = InstanceFactory(collectivite=sedr)
    elus = [EluFactory(collectivite=sedr) for _ in range(3)]
    instance.membres.set(elus)
    deliberation = DeliberationFactory(
        seance__instance=instance, seance__president=elus[0], seance__secretaire=elus[1], signataire=elus[0]
    )
    # The président and the secrétaire de séance are present (CGCT: both sign the extract).
    PresenceFactory(seance=deliberation.seance, elu=elus[0])
    PresenceFactory(seance=deliberation.seance, elu=elus[1])
    # Models of which the seeds give this authority no row: their change forms are attacked too.
    for label in (
        "contrat_ville.DocumentGenere",
        "programmation.Convention",
        "programmation.ModeleConvention",
        "programmation.Paiement",
        "deliberations.ModeleDeliberation",
    ):
        creer(label, sedr)


def _autorise(client, modele, vue, *args):
    return client.get(url(modele, vue, *args)).status_code == 200


# --- The walk. ---


@pytest.mark.parametrize("modele", ENREGISTRES, ids=IDS)
def test_it_lists_none_of_the_other_authority_s_rows(client, attaquant, sem, sedr, modele):
    client.force_login(attaquant)
    reponse = client.get(url(modele, "changelist"))
    assert reponse.status_code in {200, 403}
    if reponse.status_code == 403:
        return
    liste = reponse.context["cl"]
    visibles = set(liste.queryset.values_list("pk", flat=True))
    assert not visibles & possedes(modele, sem)
    # Their own rows are all there: the partition hides nothing of theirs.
    attendus = set(seulement(modele, sedr, sem))
    if modele is User:
        attendus -= set(User.objects.filter(is_superuser=True).values_list("pk", flat=True))
    assert attendus <= visibles
    # The filters offer none of the Métropole's objects either.
    for filtre in liste.filter_specs:
        if isinstance(filtre, RelatedFieldListFilter):
            offerts = {pk for pk, _ in filtre.lookup_choices}
            assert not offerts & possedes(filtre.field.related_model, sem), filtre.title


@pytest.mark.parametrize("modele", ENREGISTRES, ids=IDS)
def test_it_opens_none_of_the_other_authority_s_objects(client, attaquant, sem, sedr, modele):
    client.force_login(attaquant)
    cibles = seulement(modele, sem, sedr)
    cibles = sorted({*cibles[:1], *cibles[-1:]})
    avant = empreinte()
    for pk in cibles:
        for vue, methode, donnees in [
            ("change", "get", None),
            ("history", "get", None),
            ("delete", "get", None),
            ("delete", "post", {"post": "yes"}),
            ("change", "post", {}),
        ]:
            reponse = getattr(client, methode)(url(modele, vue, pk), donnees)
            assert reponse.status_code in REFUS, (vue, methode, pk, reponse.status_code)
            if reponse.status_code == 302:
                assert reponse["Location"] == reverse("admin:index")
    # The bulk action of the list, with the Métropole's ids.
    if cibles:
        reponse = client.post(
            url(modele, "changelist"),
            {"action": "delete_selected", "_selected_action": cibles, "post": "yes"},
        )
        assert reponse.status_code in {200, 302, 403}
    assert empreinte() == avant


@pytest.mark.parametrize("modele", ENREGISTRES, ids=IDS)
def test_it_offers_none_of_the_other_authority_s_objects_in_a_drop_down(client, attaquant, sem, sedr, modele):
    client.force_login(attaquant)
    pages = [url(modele, "add")]
    propres = seulement(modele, sedr, sem)
    if propres:
        pages.append(url(modele, "change", propres[0]))
    for page in pages:
        reponse = client.get(page)
        assert reponse.status_code in {200, 403}
        if reponse.status_code == 403:
            continue
        formulaires = [reponse.context["adminform"].form]
        for inline in reponse.context["inline_admin_formsets"]:
            formulaires += [*inline.formset.forms, inline.formset.empty_form]
        for formulaire in formulaires:
            for nom, champ in formulaire.fields.items():
                if isinstance(champ, ModelChoiceField):
                    offerts = set(champ.queryset.values_list("pk", flat=True))
                    assert not offerts & possedes(champ.queryset.model, sem), (page, nom)


def _attaque(client, adresse, donnees, nom, cible, multiple):
    """Post the form with the Métropole's object in one field: refused, on that field, nothing written."""
    pirate = dict(donnees)
    if multiple:
        existants = pirate.get(nom) or []
        pirate[nom] = [*([existants] if isinstance(existants, str) else existants), str(cible)]
    else:
        pirate[nom] = str(cible)
    reponse = client.post(adresse, pirate)
    assert reponse.status_code == 200, (adresse, nom, reponse.status_code)
    assert nom in erreurs_de(reponse), (adresse, nom, erreurs_de(reponse))


def _cible(modele, sem, sedr):
    cibles = seulement(modele, sem, sedr)
    return cibles[0] if cibles else None


COMPTEUR = {"formulaires": set(), "attaques": 0}


@pytest.fixture(scope="module", autouse=True)
def bilan():
    """With -s: how many forms and posted fields were attacked."""
    yield
    print(
        f"\n{len(COMPTEUR['formulaires'])} formulaires, {COMPTEUR['attaques']} champs attaqués, tous refusés"
    )


@pytest.mark.parametrize("modele", ENREGISTRES, ids=IDS)
def test_it_refuses_a_change_that_points_at_the_other_authority(
    client, attaquant, objets_sedr, sem, sedr, modele
):
    client.force_login(attaquant)
    propres = seulement(modele, sedr, sem)
    if not propres:
        pytest.skip("no object of this authority in the demo data (see the add attack)")
    adresse = url(modele, "change", propres[0])
    page = client.get(adresse)
    if page.status_code == 403:
        return
    donnees = donnees_postees(page)
    # The page as it stands is a valid post: the refusals below come from the attacked field only.
    with transaction.atomic():
        assert client.post(adresse, donnees).status_code == 302, erreurs_de(client.post(adresse, donnees))
        transaction.set_rollback(True)
    attaques = 0
    avant = empreinte()
    for nom, cible_modele, multiple in champs_relationnels(page):
        if nom not in donnees:
            continue  # not posted by this page (hidden by a permission)
        cible = _cible(cible_modele, sem, sedr)
        if cible is not None:
            _attaque(client, adresse, donnees, nom, cible, multiple)
            attaques += 1
    assert empreinte() == avant
    COMPTEUR["attaques"] += attaques
    COMPTEUR["formulaires"].add((modele._meta.label, "change"))


@pytest.mark.parametrize("modele", ENREGISTRES, ids=IDS)
def test_it_refuses_to_add_a_copy_of_the_other_authority_s_object(
    client, admin_user, attaquant, sem, sedr, modele
):
    """The attacker posts, to the add page, the Métropole's object as its own page shows it to a superuser."""
    client.force_login(attaquant)
    if not _autorise(client, modele, "add"):
        return
    victimes = seulement(modele, sem, sedr)
    if not victimes:
        return
    client.force_login(admin_user)
    page = client.get(url(modele, "change", victimes[0]))
    donnees = donnees_postees(page)
    for inline in page.context["inline_admin_formsets"]:
        prefixe = inline.formset.prefix
        donnees = {k: v for k, v in donnees.items() if not k.startswith(f"{prefixe}-")}
        donnees |= {f"{prefixe}-TOTAL_FORMS": "0", f"{prefixe}-INITIAL_FORMS": "0"}
    relations = [
        (nom, cible_modele)
        for nom, cible_modele, _ in champs_relationnels(page)
        if nom in donnees and "-" not in nom
    ]
    client.force_login(attaquant)
    avant = empreinte()
    reponse = client.post(url(modele, "add"), donnees)
    assert reponse.status_code == 200
    erreurs = erreurs_de(reponse)
    for nom, cible_modele in relations:
        valeurs = donnees[nom] if isinstance(donnees[nom], list) else [donnees[nom]]
        if {int(v) for v in valeurs if v} & possedes(cible_modele, sem):
            assert nom in erreurs, (nom, erreurs)
            COMPTEUR["attaques"] += 1
    assert empreinte() == avant
    COMPTEUR["formulaires"].add((modele._meta.label, "add"))


AUTOCOMPLETES = [
    (modele, champ)
    for modele, modele_admin in admin.site._registry.items()
    for inline in [modele_admin, *modele_admin.inlines]
    for champ in inline.autocomplete_fields
]


@pytest.mark.parametrize(
    "modele,champ", AUTOCOMPLETES, ids=[f"{m._meta.label}.{c}" for m, c in AUTOCOMPLETES]
)
def test_it_completes_with_none_of_the_other_authority_s_objects(client, attaquant, sem, sedr, modele, champ):
    client.force_login(attaquant)
    proprietaire = next(
        i.model
        for i in [admin.site._registry[modele], *admin.site._registry[modele].inlines]
        if champ in i.autocomplete_fields
    )
    cible = proprietaire._meta.get_field(champ).related_model
    propositions = set()
    for terme in ["", "a", "e"]:
        reponse = client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": proprietaire._meta.app_label,
                "model_name": proprietaire._meta.model_name,
                "field_name": champ,
                "term": terme,
            },
        )
        assert reponse.status_code == 200
        propositions |= {int(r["id"]) for r in reponse.json()["results"]}
    assert not propositions & possedes(cible, sem)
    assert propositions or not seulement(cible, sedr, sem)


def test_it_puts_every_registered_admin_and_inline_behind_the_partition():
    for modele, modele_admin in admin.site._registry.items():
        if modele._meta.app_label in {"contrat_ville", "programmation", "deliberations"}:
            assert isinstance(modele_admin, AdminCloisonne), modele._meta.label
            for inline in modele_admin.inlines:
                assert issubclass(inline, InlineCloisonne), (modele._meta.label, inline.__name__)


# --- The attacks the audit found, one by one. ---


def test_it_refuses_a_porteur_or_an_elu_added_to_the_other_authority(client, attaquant, sem):
    from deliberations.models import Elu

    client.force_login(attaquant)
    avant = empreinte()
    reponse = client.post(
        url(Porteur, "add"), {"nom": "Association pirate", "nature": "association", "collectivite": sem.pk}
    )
    assert reponse.status_code == 200 and "collectivite" in reponse.context["adminform"].form.errors
    reponse = client.post(
        url(Elu, "add"), {"nom": "Pirate", "prenom": "Paul", "civilite": "M.", "collectivite": sem.pk}
    )
    assert reponse.status_code == 200 and "collectivite" in reponse.context["adminform"].form.errors
    assert empreinte() == avant
    assert not Porteur.objects.filter(nom="Association pirate").exists()


def test_it_refuses_to_move_an_action_into_the_other_authority_s_contract(client, attaquant, sem, sedr):
    client.force_login(attaquant)
    action = Action.objects.filter(contrat__collectivite=sedr).order_by("pk").first()
    tranche_votee = Tranche.objects.get(
        annee=2024, numero=1, contrat__nature="contrat_de_ville", contrat__collectivite=sem
    )
    adresse = url(Action, "change", action.pk)
    donnees = donnees_postees(client.get(adresse))
    avant = empreinte()
    for champ, valeur in [("contrat", tranche_votee.contrat_id), ("tranche", tranche_votee.pk)]:
        reponse = client.post(adresse, {**donnees, champ: valeur})
        assert reponse.status_code == 200
        assert "Sélectionnez un choix valide" in str(reponse.context["adminform"].form.errors[champ])
    # Nor added straight into the Métropole's voted tranche.
    reponse = client.post(
        url(Action, "add"), {**donnees, "contrat": tranche_votee.contrat_id, "tranche": tranche_votee.pk}
    )
    assert reponse.status_code == 200
    assert {"contrat", "tranche"} <= set(reponse.context["adminform"].form.errors)
    assert empreinte() == avant
    assert action.contrat.collectivite_id == sedr.pk


def test_it_still_shows_everything_to_a_superuser(client, admin_user, sem, sedr):
    client.force_login(admin_user)
    liste = client.get(url(Action, "changelist")).context["cl"]
    assert liste.queryset.count() == Action.objects.count()
    formulaire = client.get(url(Porteur, "add")).context["adminform"].form
    assert set(formulaire.fields["collectivite"].queryset) >= {sem, sedr}


# --- The accounts. ---


def test_it_lets_an_administrator_manage_only_their_authority_s_accounts(client, attaquant, sem, sedr):
    client.force_login(attaquant)
    User.objects.create_superuser("super-sedr", "s@example.org", "x", collectivite=sedr)
    liste = client.get(url(User, "changelist")).context["cl"]
    assert set(liste.queryset.values_list("collectivite", flat=True)) == {sedr.pk}
    assert not liste.queryset.filter(is_superuser=True).exists()
    compte = (
        User.objects.get(username="agent-sedr")
        if User.objects.filter(username="agent-sedr").exists()
        else None
    )
    compte = compte or User.objects.create_user("compte-sedr", password="x", collectivite=sedr)
    adresse = url(User, "change", compte.pk)
    page = client.get(adresse)
    formulaire = page.context["adminform"].form
    assert "is_superuser" not in formulaire.fields and "user_permissions" not in formulaire.fields
    assert set(formulaire.fields["groups"].queryset.values_list("name", flat=True)) <= {
        "Agents",
        "Élus",
        ADMINISTRATEURS,
    }
    assert list(formulaire.fields["collectivite"].queryset) == [sedr]
    donnees = donnees_postees(page)
    avant = empreinte()
    reponse = client.post(adresse, {**donnees, "collectivite": sem.pk})
    assert reponse.status_code == 200 and "collectivite" in reponse.context["adminform"].form.errors
    autre = Group.objects.create(name="Groupe hors rôles")
    avant = empreinte()
    reponse = client.post(adresse, {**donnees, "groups": [autre.pk]})
    assert reponse.status_code == 200 and "groups" in reponse.context["adminform"].form.errors
    assert empreinte() == avant
    # A posted is_superuser is not a field of their form: ignored.
    reponse = client.post(
        adresse,
        {
            **donnees,
            "is_superuser": "on",
            "user_permissions": list(Permission.objects.values_list("pk", flat=True)[:5]),
        },
    )
    assert reponse.status_code == 302
    compte.refresh_from_db()
    assert not compte.is_superuser and not compte.user_permissions.exists()
    # The superuser of their own authority is out of reach (password, rights).
    superutilisateur = User.objects.get(username="super-sedr")
    assert client.get(url(User, "change", superutilisateur.pk)).status_code == 302
    assert (
        client.get(reverse("admin:auth_user_password_change", args=[superutilisateur.pk])).status_code
        in REFUS
    )
    # And a new account is of their authority only.
    avant = empreinte()
    reponse = client.post(
        url(User, "add"),
        {
            "username": "pirate",
            "password1": "Pirate-Tres-Long-2024",
            "password2": "Pirate-Tres-Long-2024",
            "usable_password": "true",
            "collectivite": sem.pk,
        },
    )
    assert reponse.status_code == 200 and "collectivite" in reponse.context["adminform"].form.errors
    assert empreinte() == avant


# --- A refused save or delete: a message, never a 500, nothing half-saved. ---


def _tranche_votee(sem):
    return Tranche.objects.get(
        annee=2024, numero=1, contrat__nature="contrat_de_ville", contrat__collectivite=sem
    )


def _messages(reponse):
    return [str(m) for m in reponse.wsgi_request._messages]


def test_it_answers_the_delete_of_a_voted_action_with_a_message(client, administrateur, sem):
    client.force_login(administrateur)
    action = _tranche_votee(sem).actions.order_by("pk").first()
    avant = empreinte()
    reponse = client.post(url(Action, "delete", action.pk), {"post": "yes"})
    assert reponse.status_code in {200, 302}
    assert any("vot" in m.lower() for m in _messages(reponse)), _messages(reponse)
    assert empreinte() == avant
    # The same through the list's bulk "delete selected", with an action that may be deleted beside it.
    reponse = client.post(
        url(Action, "changelist"),
        {"action": "delete_selected", "_selected_action": [action.pk], "post": "yes"},
    )
    assert reponse.status_code in {200, 302}
    assert any("vot" in m.lower() for m in _messages(reponse)), _messages(reponse)
    assert empreinte() == avant
    assert Action.objects.filter(pk=action.pk).exists()


def test_it_rolls_back_a_bulk_delete_when_one_object_refuses(client, administrateur, sem):
    from ..factories import ActionFactory

    client.force_login(administrateur)
    votee = _tranche_votee(sem).actions.order_by("pk").first()
    libre = ActionFactory(tranche__contrat=votee.contrat, axe=votee.axe)
    avant = empreinte()
    selection = sorted([libre.pk, votee.pk], key=lambda pk: pk != libre.pk)  # the free one first
    reponse = client.post(
        url(Action, "changelist"), {"action": "delete_selected", "_selected_action": selection, "post": "yes"}
    )
    assert reponse.status_code in {200, 302}
    assert Action.objects.filter(pk=libre.pk).exists()
    assert empreinte() == avant


def test_it_answers_the_delete_of_a_voted_action_s_cofinancement_with_a_message(client, administrateur, sem):
    client.force_login(administrateur)
    # The demo data's cofinancements of the Métropole are in its voted 2019 tranche.
    cofinancement = (
        Cofinancement.objects.filter(action__contrat__collectivite=sem, action__tranche__statut="votee")
        .order_by("pk")
        .first()
    )
    adresse = url(Action, "change", cofinancement.action_id)
    page = client.get(adresse)
    donnees = donnees_postees(page)
    prefixe = next(
        i.formset.prefix for i in page.context["inline_admin_formsets"] if i.formset.model is Cofinancement
    )
    ligne = next(
        k.removesuffix("-id")
        for k, v in donnees.items()
        if k.startswith(prefixe) and k.endswith("-id") and v == str(cofinancement.pk)
    )
    avant = empreinte()
    reponse = client.post(adresse, {**donnees, f"{ligne}-DELETE": "on"})
    assert reponse.status_code in {200, 302}
    if reponse.status_code == 302:
        assert any("vot" in m.lower() for m in _messages(reponse)), _messages(reponse)
    assert empreinte() == avant
    assert Cofinancement.objects.filter(pk=cofinancement.pk).exists()


def test_it_turns_a_refused_save_into_a_message_and_saves_nothing_of_the_page(
    client, administrateur_sedr, sedr, monkeypatch
):
    """The action is saved first, then its cofinancement refuses: neither is kept."""
    client.force_login(administrateur_sedr)
    cofinancement = Cofinancement.objects.filter(action__contrat__collectivite=sedr).order_by("pk").first()
    adresse = url(Action, "change", cofinancement.action_id)
    page = client.get(adresse)
    donnees = donnees_postees(page)
    ligne = next(
        k.removesuffix("-id") for k, v in donnees.items() if k.endswith("-id") and v == str(cofinancement.pk)
    )
    montant = next(k for k in donnees if k.startswith(ligne) and k.endswith("montant_sollicite"))

    def refuser(self, *args, **kwargs):
        raise ValidationError("Refusé par le modèle pour le test.")

    monkeypatch.setattr(Cofinancement, "save", refuser)
    avant = empreinte()
    reponse = client.post(adresse, {**donnees, "intitule": "Intitulé à moitié enregistré", montant: "1"})
    assert reponse.status_code == 302 and reponse["Location"] == adresse
    assert "Refusé par le modèle pour le test." in _messages(reponse)
    assert empreinte() == avant
    assert not Action.objects.filter(intitule="Intitulé à moitié enregistré").exists()
    # The message is on the page the user comes back to.
    assert "Refusé par le modèle pour le test." in client.get(adresse).content.decode()


def test_it_turns_a_refused_add_or_custom_action_into_a_message(client, administrateur, sem, monkeypatch):
    client.force_login(administrateur)

    def refuser(self, *args, **kwargs):
        raise ValidationError("Porteur refusé.")

    monkeypatch.setattr(Porteur, "save", refuser)
    avant = empreinte()
    reponse = client.post(
        url(Porteur, "add"), {"nom": "Nouveau", "nature": "association", "collectivite": sem.pk}
    )
    assert reponse.status_code == 302 and "Porteur refusé." in _messages(reponse)
    assert empreinte() == avant
    # A custom action of a list that raises.
    from programmation import admin as programmation_admin

    def action_refusee(self, request, queryset):
        raise ValidationError("Action refusée.")

    monkeypatch.setattr(programmation_admin.TrancheAdmin, "telecharger_annexe_pdf", action_refusee)
    tranche = _tranche_votee(sem)
    reponse = client.post(
        url(Tranche, "changelist"), {"action": "telecharger_annexe_pdf", "_selected_action": [tranche.pk]}
    )
    assert reponse.status_code == 302 and "Action refusée." in _messages(reponse)
    assert messages.ERROR in [m.level for m in reponse.wsgi_request._messages]
    assert empreinte() == avant
