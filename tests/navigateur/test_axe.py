"""In Chromium: axe-core finds no WCAG 2.1 AA violation on any page that each role can reach.

The pages are listed from the urls.py files, with real rows of the demo (plus a 2025 draft tranche, a
submitted one and its séance, so that the forms of a year in progress are there too). Forms are also
checked once sent empty, with their error messages shown."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import Error as PlaywrightError

from contrat_ville.cloisonnement import chemin_vers_la_collectivite
from contrat_ville.models import (
    Axe as AxeContrat,
)
from contrat_ville.models import (
    Collectivite,
    Dispositif,
    Enveloppe,
    Financeur,
    Quartier,
    Theme,
    User,
)
from deliberations.models import Deliberation, Elu, Instance, Seance
from programmation.models import Tranche

from .conftest import connexion

pytestmark = pytest.mark.navigateur

OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
APPS = {"contrat_ville", "programmation", "deliberations"}
# What axe no longer reports but the issue asks for: ids given twice, an option twice in one list, an
# empty label, a control straight in a table row (outside any cell).
HTML_INVALIDE = """() => {
  const defauts = [];
  const ids = new Map();
  document.querySelectorAll('[id]').forEach(e => ids.set(e.id, (ids.get(e.id) || 0) + 1));
  ids.forEach((n, id) => { if (n > 1) defauts.push(`id « ${id} » ×${n}`); });
  document.querySelectorAll('select').forEach(s => {
    const vues = new Set();
    for (const o of s.options) {
      if (vues.has(o.value)) defauts.push(`option « ${o.value} » deux fois dans ${s.name || s.id}`);
      vues.add(o.value);
    }
  });
  document.querySelectorAll('label').forEach(l => {
    // Named by its text, or by an image's alt or an aria-label inside it (the back-office's search icons).
    const nom = l.textContent.trim()
      || l.querySelector('img[alt]:not([alt=""]), [aria-label]:not([aria-label=""])');
    if (!nom) defauts.push(`label vide pour « ${l.htmlFor} »`);
  });
  document.querySelectorAll('tr > input, tr > select, tr > textarea, tbody > input, table > input')
    .forEach(c => defauts.push(`« ${c.name} » directement dans une ligne`));
  return defauts;
}"""
COMPTES = {
    "elu": "elu-demo-2024",
    "agent": "agent-demo-2024",
    "referent": "referent-demo-2024",
    "admin": "admin-demo-2024",
}
SIREN_SEM = "244200770"


def _premier(modele, **filtres):
    return modele.objects.filter(**filtres).order_by("pk").first()


def _pages_de_l_application(donnees):
    """Every page reached by a GET, as (name, address); forms sent empty are listed apart."""
    sem = Collectivite.objects.get(siren=SIREN_SEM)
    contrat = donnees["brouillon"].contrat
    votee = donnees["votee"]
    tranche_votee = _premier(Tranche, contrat__collectivite=sem, statut="votee")
    seance_votee = _premier(Seance, instance__collectivite=sem, deliberations__tranche=tranche_votee)
    deliberation_votee = _premier(Deliberation, tranche=tranche_votee)
    instance = _premier(Instance, collectivite=sem)
    r = reverse
    pages = [
        ("programmation", r("programmation:programmation")),
        ("programmation 2024 filtrée", r("programmation:programmation") + "?annee=2024&statut=votee"),
        ("tableau de bord", r("programmation:tableau_de_bord")),
        ("nouvelle action", r("programmation:action_creer")),
        ("action votée", r("programmation:action", args=[votee.pk])),
        ("action proposée", r("programmation:action", args=[donnees["actions"]["brouillon"].pk])),
        ("action déposée", r("programmation:action", args=[donnees["actions"]["deposee"].pk])),
        ("modifier une action", r("programmation:action_modifier", args=[donnees["actions"]["deposee"].pk])),
        ("modifier une action votée", r("programmation:action_modifier", args=[votee.pk])),
        ("reconduction", r("programmation:reconduction")),
        ("porteur", r("programmation:porteur", args=[votee.porteur_id])),
        ("dispositif", r("programmation:dispositif", args=[_premier(Dispositif, collectivite=sem).pk])),
        ("conventions", r("programmation:conventions")),
        ("conventions 2024", r("programmation:conventions") + "?annee=2024"),
        ("import", r("programmation:importation_deposer")),
        ("tranches", r("programmation:tranches")),
        ("tranche votée", r("programmation:tranche", args=[tranche_votee.pk])),
        ("tranche brouillon", r("programmation:tranche", args=[donnees["brouillon"].pk])),
        ("tranche soumise", r("programmation:tranche", args=[donnees["soumise"].pk])),
        ("composer la tranche", r("programmation:tranche_composer", args=[donnees["brouillon"].pk])),
        ("bilans", r("programmation:bilans")),
        ("bilans 2024", r("programmation:bilans") + "?annee=2024"),
        ("bilan", r("programmation:bilan", args=[votee.pk])),
        ("saisir un bilan", r("programmation:bilan_saisir", args=[votee.pk])),
        ("rapports annuels", r("programmation:rapports")),
        ("indicateurs", r("programmation:indicateurs")),
        ("indicateurs 2024", r("programmation:indicateurs") + "?annee=2024"),
        ("délibérations", r("deliberations:liste")),
        ("délibération votée", r("deliberations:deliberation", args=[deliberation_votee.pk])),
        ("délibération en projet", r("deliberations:deliberation", args=[donnees["projet"].pk])),
        ("rédiger la délibération", r("deliberations:rediger", args=[donnees["projet"].pk])),
        ("modèles de délibération", r("deliberations:modeles")),
        ("modèle de délibération", r("deliberations:modele", args=[contrat.pk])),
        ("données ouvertes", r("deliberations:donnees_ouvertes")),
        ("journal", r("deliberations:journal")),
        ("instances", r("deliberations:instances")),
        ("nouvelle instance", r("deliberations:instance_creer")),
        ("instance", r("deliberations:instance", args=[instance.pk])),
        ("modifier l'instance", r("deliberations:instance_modifier", args=[instance.pk])),
        ("élus", r("deliberations:elus")),
        ("nouvel élu", r("deliberations:elu_creer")),
        ("modifier un élu", r("deliberations:elu_modifier", args=[_premier(Elu, collectivite=sem).pk])),
        ("registre", r("deliberations:registre")),
        ("séances", r("deliberations:seances")),
        ("nouvelle séance", r("deliberations:seance_creer")),
        ("séance votée", r("deliberations:seance", args=[seance_votee.pk])),
        ("séance à venir", r("deliberations:seance", args=[donnees["seance"].pk])),
        ("modifier la séance", r("deliberations:seance_modifier", args=[donnees["seance"].pk])),
        ("référentiels", r("referentiels:index")),
        ("contrats", r("referentiels:contrats")),
        ("nouveau contrat", r("referentiels:contrat_creer")),
        ("modifier un contrat", r("referentiels:contrat_modifier", args=[contrat.pk])),
        ("financeurs", r("referentiels:financeurs")),
        ("nouveau financeur", r("referentiels:financeur_creer")),
        (
            "modifier un financeur",
            r("referentiels:financeur_modifier", args=[_premier(Financeur, collectivite=sem).pk]),
        ),
        ("enveloppes", r("referentiels:enveloppes")),
        ("enveloppes d'un contrat", r("referentiels:enveloppes") + f"?contrat={contrat.pk}&annee=2025"),
        ("nouvelle enveloppe", r("referentiels:enveloppe_creer")),
        (
            "modifier une enveloppe",
            r("referentiels:enveloppe_modifier", args=[_premier(Enveloppe, contrat__collectivite=sem).pk]),
        ),
        ("grille des enveloppes", r("referentiels:enveloppes_grille", args=[contrat.pk]) + "?annee=2025"),
        ("quartiers", r("referentiels:quartiers")),
        ("nouveau quartier", r("referentiels:quartier_creer")),
        (
            "modifier un quartier",
            r("referentiels:quartier_modifier", args=[_premier(Quartier, collectivite=sem).pk]),
        ),
        ("axes", r("referentiels:axes")),
        ("nouvel axe", r("referentiels:axe_creer")),
        (
            "modifier un axe",
            r("referentiels:axe_modifier", args=[_premier(AxeContrat, contrat__collectivite=sem).pk]),
        ),
        ("nouveau thème", r("referentiels:theme_creer")),
        ("paramètres", r("parametres")),
        ("accessibilité", r("accessibilite")),
        ("mentions légales", r("mentions_legales")),
        ("page introuvable", "/programmation/actions/999999/"),
    ]
    theme = _premier(Theme, axe__contrat__collectivite=sem)
    if theme is not None:
        pages.append(("modifier un thème", r("referentiels:theme_modifier", args=[theme.pk])))
    return pages


# Forms sent empty (the browser's own checks switched off), to see their error messages.
FORMULAIRES_EN_ERREUR = [
    "nouvelle action",
    "modifier une action",
    "nouvelle séance",
    "modifier la séance",
    "rédiger la délibération",
    "nouveau contrat",
    "nouveau financeur",
    "nouvelle enveloppe",
    "nouveau quartier",
    "nouvel axe",
    "nouveau thème",
    "nouvelle instance",
    "nouvel élu",
    "saisir un bilan",
    "paramètres",
]


def _pages_du_back_office():
    sem = Collectivite.objects.get(siren=SIREN_SEM)
    pages = [("back-office", reverse("admin:index"))]
    for modele in admin.site._registry:
        meta = modele._meta
        if meta.app_label not in APPS:
            continue
        nom = f"{meta.app_label}.{meta.model_name}"
        pages.append((f"liste {nom}", reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")))
        # One of the demo authority's rows when the model has one, as the administrator would open.
        chemin = chemin_vers_la_collectivite(modele)
        lignes = modele._base_manager.order_by("pk")
        objet = (lignes.filter(**{chemin: sem.pk}).first() if chemin else None) or lignes.first()
        if objet is not None:
            adresse = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[objet.pk])
            pages.append((f"fiche {nom}", adresse))
        else:
            pages.append((f"ajout {nom}", reverse(f"admin:{meta.app_label}_{meta.model_name}_add")))
    return pages


def _pages_anonymes():
    user = User.objects.get(username="agent")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    jeton = default_token_generator.make_token(user)
    return [
        ("connexion", reverse("login")),
        ("mot de passe oublié", reverse("password_reset")),
        ("mot de passe : message envoyé", reverse("password_reset_done")),
        ("mot de passe : nouveau", reverse("password_reset_confirm", args=[uid, jeton])),
        ("mot de passe : lien périmé", reverse("password_reset_confirm", args=[uid, "0-0"])),
        ("mot de passe : fait", reverse("password_reset_complete")),
        ("accessibilité (anonyme)", reverse("accessibilite")),
        ("mentions légales (anonyme)", reverse("mentions_legales")),
    ]


class Controle:
    """Runs axe on each page; an error page (403, 404) is checked once per role, not at each address."""

    def __init__(self, page):
        self.page = page
        self.axe = Axe()
        self.violations = []
        self.statuts_vus = set()
        self.pannes = []
        self.vues = []

    def visiter(self, nom, adresse):
        try:
            reponse = self.page.goto(self.page.base_url + adresse)
        except PlaywrightError as erreur:
            self.pannes.append(f"{nom} ({adresse}) : {erreur.message.splitlines()[0]}")
            return False
        statut = reponse.status if reponse else 0
        if statut >= 500:
            self.pannes.append(f"{nom} ({adresse}) : {statut}")
            return False
        if "text/html" not in (reponse.headers.get("content-type", "") if reponse else ""):
            return False
        if statut >= 400 and statut != 400:
            if statut in self.statuts_vus:
                return False
            self.statuts_vus.add(statut)
        self.verifier(f"{nom} [{statut}]", adresse)
        return statut < 400

    def verifier(self, nom, adresse):
        self.vues.append(nom)
        for defaut in self.page.evaluate(HTML_INVALIDE):
            self.violations.append(f"{nom} ({adresse}) : html [{defaut}]")
        resultats = self.axe.run(self.page, options=OPTIONS).response
        for violation in resultats["violations"]:
            cibles = [", ".join(map(str, n["target"])) for n in violation["nodes"][:3]]
            self.violations.append(
                f"{nom} ({adresse}) : {violation['id']} [{violation['impact']}] "
                f"×{len(violation['nodes'])} — {' | '.join(cibles)}"
            )

    def envoyer_vide(self, nom, adresse):
        """Sends the page's main form without the browser's checks: the server answers with its errors."""
        formulaire = self.page.locator("main form[method=post]:has(button[type=submit], input[type=submit])")
        if formulaire.count() == 0:
            return
        formulaire = formulaire.last
        formulaire.evaluate("f => { f.noValidate = true; }")
        formulaire.evaluate(
            """f => f.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio])'
                   + ':not([readonly]), textarea').forEach(c => { c.value = ''; })"""
        )
        with self.page.expect_navigation():
            formulaire.evaluate("f => f.requestSubmit(f.querySelector('[type=submit]:not([formaction])'))")
        self.verifier(f"{nom} envoyé vide", adresse)

    def rapport(self):
        lignes = self.pannes + self.violations
        return f"{len(lignes)} problème(s) sur {len(self.vues)} pages :\n" + "\n".join(lignes)


# The administrator's back-office apart from its application pages: two halves of one length that the
# test workers share.
@pytest.mark.parametrize("role", ["anonyme", "elu", "agent", "referent", "admin", "admin (back-office)"])
def test_it_gives_axe_no_wcag_21_aa_violation_to_find_on_any_page(page, annee_en_cours, role):
    controle = Controle(page)
    if role == "admin (back-office)":
        connexion(page, "admin", COMPTES["admin"])
        for nom, adresse in _pages_du_back_office():
            controle.visiter(nom, adresse)
    elif role == "anonyme":
        for nom, adresse in _pages_anonymes():
            controle.visiter(nom, adresse)
        page.goto(page.base_url + reverse("login"))
        page.get_by_label("Identifiant").fill("agent")
        page.get_by_label("Mot de passe").fill("pas le bon")
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()
        controle.verifier("connexion refusée", reverse("login"))
    else:
        connexion(page, role, COMPTES[role])
        for nom, adresse in _pages_de_l_application(annee_en_cours):
            if controle.visiter(nom, adresse) and nom in FORMULAIRES_EN_ERREUR:
                controle.envoyer_vide(nom, adresse)
    print("Pages vérifiées :", " ; ".join(controle.vues))
    print(controle.rapport())
    assert not controle.pannes and not controle.violations, controle.rapport()
