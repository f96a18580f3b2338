"""Steps of the whole-year browser test (test_annee_complete.py), one function per person's task.

Each step drives the pages as a person would (labels, buttons, links) and never opens /admin/.
"""

import re
from collections import Counter

from playwright.sync_api import expect

VILLE = "Ville de Villeneuve-Test"
CONTRAT = "Contrat de ville de Villeneuve-Test"
OPTION_CONTRAT = f"{CONTRAT} (2024-2030)"
ANNEE = 2026
AXES = [
    (1, "Cohésion sociale et réussite éducative", "COHESION"),
    (2, "Emploi et développement économique", "EMPLOI"),
    (3, "Cadre de vie et renouvellement urbain", "CADRE"),
]
FINANCEURS = [
    ("Ville de Villeneuve-Test", "La collectivité elle-même"),
    ("État", "État"),
    ("Région Centre-Val de Loire", "Région"),
]
# Montant de chaque enveloppe (année × axe × financeur): large enough for the imported actions.
MONTANT_ENVELOPPE = "60 000"


def champ(page, libelle):
    """The field whose label starts with `libelle` (a required one's label ends with « * (obligatoire) »)."""
    return page.get_by_label(re.compile("^" + re.escape(libelle) + r"( \*.*)?$"))


class Compteur:
    """Counts the browser's page loads (documents) and form POSTs, per step; static files are not counted."""

    def __init__(self, page):
        self.etape = "connexion"
        self.requetes = Counter()  # pages and posts
        self.envois = Counter()  # posts only
        self.urls = []
        page.on("request", self._requete)

    def _requete(self, requete):
        self.urls.append(requete.url)
        if requete.resource_type == "document" or requete.method == "POST":
            self.requetes[self.etape] += 1
        if requete.method == "POST":
            self.envois[self.etape] += 1

    def __call__(self, etape):
        """What follows is counted under `etape`."""
        self.etape = etape


def soumettre(page, bouton="Enregistrer"):
    page.get_by_role("button", name=bouton, exact=True).click()
    page.wait_for_load_state()


def referentiels(page):
    """The référent's set-up of the empty authority: contract, axes, financeurs, envelopes, quartier."""
    base = page.base_url
    page.goto(base + "/referentiels/contrats/")
    expect(page.get_by_text(CONTRAT)).to_have_count(0)  # the demo creates the authority empty
    page.goto(base + "/referentiels/contrats/nouveau/")
    champ(page, "Intitulé").fill(CONTRAT)
    champ(page, "Nature").select_option(label="Contrat de ville")
    champ(page, "Première année").fill("2024")
    champ(page, "Dernière année").fill("2030")
    champ(page, "Nom du premier niveau").fill("Axe")
    soumettre(page)
    expect(page.get_by_text(CONTRAT).first).to_be_visible()
    for numero, intitule, court in AXES:
        page.goto(base + "/referentiels/axes/nouveau/")
        champ(page, "Contrat").select_option(label=OPTION_CONTRAT)
        champ(page, "Numéro").fill(str(numero))
        champ(page, "Intitulé").fill(intitule)
        champ(page, "Nom court").fill(court)
        champ(page, "Ordre").fill(str(numero))
        soumettre(page)
        expect(page.get_by_text(intitule).first).to_be_visible()
    for nom, nature in FINANCEURS:
        page.goto(base + "/referentiels/financeurs/nouveau/")
        champ(page, "Nom").fill(nom)
        champ(page, "Nature").select_option(label=nature)
        soumettre(page)
        expect(page.get_by_text(nom).first).to_be_visible()
    enveloppes_en_grille(page)
    quartier(page)


def enveloppes_en_grille(page):
    """The year's envelopes (axe × financeur) typed in one grid, saved in one request."""
    page.goto(page.base_url + "/referentiels/enveloppes/")
    page.get_by_role("link", name=re.compile("Saisir les enveloppes de .* en grille")).click()
    page.get_by_label("Année", exact=True).select_option(str(ANNEE))
    page.get_by_label("Section", exact=True).select_option(label="Fonctionnement")
    page.get_by_role("button", name="Afficher").click()
    for numero, _, _ in AXES:
        for nom, _ in FINANCEURS:
            libelle = re.compile(rf"^Axe {numero} : .* — {re.escape(nom)}$")
            page.get_by_label(libelle).fill(MONTANT_ENVELOPPE)
    soumettre(page, "Enregistrer la grille")
    expect(page.locator("[role=alert].erreurs-resume")).to_have_count(0)
    expect(page.get_by_text("Enveloppes enregistrées : 9 modifications.")).to_be_visible()


def quartier(page):
    page.goto(page.base_url + "/referentiels/quartiers/nouveau/")
    champ(page, "Nom").fill("Les Hauts de Villeneuve")
    champ(page, "Commune").fill("Villeneuve-Test")
    champ(page, "Nature").select_option(label="Quartier prioritaire (QPV)")
    champ(page, "Code quartier").fill("QN09901M")
    soumettre(page)
    expect(page.get_by_text("Les Hauts de Villeneuve").first).to_be_visible()


MEMBRES = "fixtures/exemples/membres_conseil.csv"


def nom_dans_les_actes(page):
    """The acts must read « Le Conseil municipal de la Ville de Villeneuve-Test »: the default, deduced
    from the commune's name and nature, gives it — the référent has nothing to type."""
    page.goto(page.base_url + "/parametres/")
    expect(champ(page, "Nom dans les actes")).to_have_value("")
    expect(page.locator("#exemple")).to_have_text(
        f"Le Conseil municipal de la {VILLE}, après en avoir délibéré"
    )


def instance_et_membres(page, racine):
    page.goto(page.base_url + "/deliberations/instances/nouvelle/")
    champ(page, "Nom").fill("Conseil municipal")
    champ(page, "Nature").select_option(label="Conseil municipal")
    soumettre(page, "Enregistrer l'instance")
    expect(page.get_by_role("heading", name="Conseil municipal", level=1)).to_be_visible()
    page.get_by_label("Fichier des membres (.csv ou .xlsx)").set_input_files(str(racine / MEMBRES))
    soumettre(page, "Voir l'aperçu")
    expect(page.get_by_role("heading", name="Import des membres : Conseil municipal")).to_be_visible()
    expect(page.locator("main")).to_contain_text("« membres_conseil.csv » : 35 lignes, 35 nouveaux élus")
    expect(page.locator("main")).to_contain_text(re.compile(r"0 lignes? en erreur"))
    expect(page.get_by_text("34 élus dont le mandat est en cours deviendront")).to_be_visible()
    soumettre(page, "Importer")
    expect(
        page.get_by_text("Import terminé : 35 élu(s) créé(s), 0 élu(s) mis à jour, 34 membre(s) en exercice.")
    ).to_be_visible()
    expect(page.get_by_text("Conseil municipal — 34 membres en exercice.")).to_be_visible()


def registre(page):
    page.goto(page.base_url + "/deliberations/registre/")
    expect(page.get_by_role("heading", name="Numérotation du registre des délibérations")).to_be_visible()
    soumettre(page, "Voir l'exemple sans enregistrer")
    # The default formats, for the current year (the page's clock, not ANNEE): the first number.
    expect(page.get_by_role("status")).to_contain_text(
        re.compile(
            r"Pour (\d{4}), le prochain numéro sera \1\.00001\.\s*Numéro interne ACTES : D\1(?:00001)10\."
        )
    )


ENTETES = [
    "N° dossier DAUPHIN",
    "Intitulé de l'action",
    "Porteur",
    "SIRET",
    "RNA",
    "Axe",
    "Territoire concerné",
    "Quartier(s)",
    "Objectifs de l'action",
    "Coût total de l'action",
    "Montant sollicité",
    "Cofinanceurs",
]
NOMBRE_ACTIONS = 42
# SIRETs checked by hand (Luhn); the other porteurs have none yet.
PORTEURS = [
    ("Centre social des Hauts", "73282932000074"),
    ("Association Lire et Faire Lire Villeneuve", None),
    ("Mission locale du Val", None),
    ("Régie de quartier Villeneuve-Test", None),
    ("Club sportif des Hauts", None),
    ("Maison de l'emploi du Val", None),
]


def montant(rang):
    """The contribution asked: 1 500 € on axe 1, 2 000 € on axe 2, 1 000 € on axe 3 (rang 1 is on axe 1).
    14 actions per axe: 21 000 €, 28 000 € and 14 000 €, 63 000 € in all — each within its envelope."""
    return 1000 + 500 * (rang % 3)


def classeur(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Demandes"
    ws.append(ENTETES)
    for rang in range(1, NOMBRE_ACTIONS + 1):
        numero, intitule, _ = AXES[(rang - 1) % 3]
        porteur, siret = PORTEURS[rang % len(PORTEURS)]
        ws.append(
            [
                f"26-{rang:03d}",
                f"Action de quartier n°{rang:02d}",
                porteur,
                siret,
                None,
                f"Axe {numero} : {intitule}",
                "Villeneuve-Test",
                "Les Hauts de Villeneuve",
                "Des ateliers ouverts aux habitants du quartier.",
                montant(rang) * 4,
                montant(rang),
                None,
            ]
        )
    chemin = tmp_path / "demandes-2026.xlsx"
    wb.save(chemin)
    return chemin


def importer_actions(page, tmp_path):
    page.goto(page.base_url + "/programmation/import/")
    champ(page, "Contrat").select_option(label=OPTION_CONTRAT)
    champ(page, "Année").fill(str(ANNEE))
    champ(page, "Fichier (.xlsx ou .csv)").set_input_files(str(classeur(tmp_path)))
    soumettre(page, "Envoyer et voir l'aperçu")
    expect(page.get_by_role("heading", name="Aperçu de l'import : demandes-2026.xlsx")).to_be_visible()
    soumettre(page, f"Charger : {NOMBRE_ACTIONS} créations, 0 modifications")
    expect(
        page.get_by_text(f"Import chargé : {NOMBRE_ACTIONS} action(s) créée(s), 0 modifiée(s).")
    ).to_be_visible()


def filtrer_par_statut(page, statut):
    page.goto(page.base_url + "/programmation/")
    page.get_by_label("Statut", exact=True).select_option(label=statut)
    soumettre(page, "Filtrer")


def appliquer(page, statut):
    page.get_by_label(re.compile("^Opération")).select_option(label="Changer le statut")
    page.get_by_label("Nouveau statut").select_option(label=statut)
    soumettre(page, "Appliquer à la sélection")


def instruire(page):
    """Déposée → en instruction → proposée, in bulk: all the filtered actions, then two checked by hand
    before the rest."""
    filtrer_par_statut(page, "Déposée")
    page.get_by_label(f"Tout sélectionner (les {NOMBRE_ACTIONS} actions filtrées)").check()
    appliquer(page, "En instruction")
    expect(page.get_by_text(f"{NOMBRE_ACTIONS} actions passées en « En instruction ».")).to_be_visible()
    filtrer_par_statut(page, "En instruction")
    for rang in (1, 2):
        page.get_by_label(f"Sélectionner « Action de quartier n°{rang:02d} »").check()
    appliquer(page, "Proposée")
    expect(page.get_by_text("2 actions passées en « Proposée ».")).to_be_visible()
    page.get_by_label(f"Tout sélectionner (les {NOMBRE_ACTIONS - 2} actions filtrées)").check()
    appliquer(page, "Proposée")
    expect(page.get_by_text(f"{NOMBRE_ACTIONS - 2} actions passées en « Proposée ».")).to_be_visible()


def composer_la_tranche(page):
    """Creates the year's first tranche and adds the 42 actions in one request, then submits it."""
    page.goto(page.base_url + "/programmation/tranches/")
    page.get_by_label("Contrat").select_option(label=OPTION_CONTRAT)
    page.get_by_label("Année").fill(str(ANNEE))
    soumettre(page, "Créer une tranche en brouillon")
    expect(page.get_by_role("heading", name=f"Composer la tranche {ANNEE} T1")).to_be_visible()
    page.get_by_label(f"Tout sélectionner (les {NOMBRE_ACTIONS} actions filtrées)").check()
    soumettre(page, "Ajouter la sélection")
    expect(page.get_by_text(f"{NOMBRE_ACTIONS} actions ajoutées")).to_be_visible()
    expect(page.locator("#total-nombre")).to_have_text(str(NOMBRE_ACTIONS))
    expect(page.locator("#total-contribution")).to_have_text("63\u202f000\u202f€")
    # Envelopes are checked: the Ville's on axe 1 has 60 000 € − 21 000 € left; nothing blocks.
    ligne = page.get_by_role("row", name=re.compile(r"Axe 1 : .* · Ville de Villeneuve-Test"))
    expect(ligne).to_contain_text("21 000 €")
    expect(ligne).to_contain_text("39 000 €")
    expect(page.get_by_role("status").filter(has_text="bloquant")).to_contain_text("0 bloquant")


def soumettre_la_tranche(page):
    page.goto(page.base_url + "/programmation/tranches/")
    page.get_by_role("link", name=f"{ANNEE} T1").click()
    page.get_by_role("link", name="Composer la tranche").click()
    soumettre(page, "Soumettre la tranche à l'instance")
    expect(page.locator("main")).to_contain_text("Soumise à l'instance")


PRESIDENT = "M. Bernard Fougerolle"
SECRETAIRE = "Mme Élodie Rousset"


def preparer_la_seance(page):
    page.goto(page.base_url + "/deliberations/seances/nouvelle/")
    champ(page, "Instance").select_option(label="Conseil municipal")
    champ(page, "Date de la séance").fill(f"{ANNEE}-03-26")
    champ(page, "Date de convocation").fill(f"{ANNEE}-03-19")
    champ(page, "Président de séance").select_option(label=PRESIDENT)
    champ(page, "Secrétaire de séance").select_option(label=SECRETAIRE)
    soumettre(page, "Enregistrer la séance")
    expect(page.get_by_role("heading", name=f"Conseil municipal du 26 mars {ANNEE}")).to_be_visible()
    return page.url


class Gestes:
    """What the user does, counted as the attendance test does: a click, a key or a typed field is one
    action, picking in a drop-down two (open, choose)."""

    def __init__(self):
        self.nombre = 0

    def cliquer(self, cible):
        cible.click()
        self.nombre += 1

    def choisir(self, cible, **option):
        cible.select_option(**option)
        self.nombre += 2


EXCUSES = ["M. Julien Arnaud", "Mme Hélène Coste", "M. Lucas Ferrand"]
POUVOIRS = {"Mme Aïcha Diallo": "M. Karim Benali", "M. Thierry Castagné": "Mme Chantal Duverney"}


def membre(page, nom):
    # The président's and the secrétaire's labels add their role.
    return page.get_by_label(re.compile(rf"^{re.escape(nom)}( \(|$)"))


def presences(page, seance):
    """Attendance by exception on the séance's page; returns the number of user actions."""
    page.goto(seance)
    gestes = Gestes()
    gestes.cliquer(page.get_by_role("button", name="Tous présents"))
    expect(page.get_by_text("Tous les membres sont présents.")).to_be_visible()
    for nom in EXCUSES:
        gestes.choisir(membre(page, nom), value="excuse")
    for mandant, mandataire in POUVOIRS.items():
        gestes.choisir(membre(page, mandant), value="pouvoir")
        gestes.choisir(page.get_by_label(f"Mandataire de {mandant}", exact=True), label=mandataire)
    gestes.cliquer(page.get_by_role("button", name="Enregistrer la liste de présence"))
    expect(page.get_by_text("Liste de présence enregistrée.")).to_be_visible()
    # 34 members: 29 present, 2 pouvoirs, 3 excusés.
    expect(page.locator("#quorum")).to_contain_text("29 présents")
    return gestes.nombre


OBJET = f"Politique de la ville — programmation {ANNEE}, tranche 1"


def inscrire(page, seance):
    page.goto(seance)
    champ(page, "Objet").fill(OBJET)
    champ(page, "Nature").select_option(label="Délibération")
    champ(page, "Tranche adoptée").select_option(label=f"{CONTRAT} — {ANNEE} T1")
    soumettre(page, "Inscrire")
    expect(page.get_by_text("Délibération inscrite à l'ordre du jour.")).to_be_visible()
    page.get_by_role("row").filter(has_text=OBJET).get_by_role("link", name=f"{ANNEE}.00001").click()
    expect(page.get_by_role("link", name=re.compile("Aperçu de l'extrait"))).to_be_visible()
    return page.url


SIGNATAIRE = "Mme Sylvie Marchetti"


def rediger(page, deliberation):
    page.goto(deliberation)
    page.get_by_role("link", name="Rédiger le texte").click()
    page.get_by_role("button", name="Préremplir depuis le modèle").click()
    # The prefill keeps what was typed at the inscription and fills the rest.
    expect(champ(page, "Objet")).to_have_value(OBJET)
    expect(page.get_by_label("Décisions", exact=True)).to_have_value(re.compile(r"63\s000"))
    page.get_by_label("Signataire", exact=True).select_option(label=SIGNATAIRE)
    champ(page, "Qualité du signataire").fill("Première adjointe, par délégation du Maire")
    soumettre(page, "Enregistrer le texte")
    expect(page.get_by_text("Texte enregistré.")).to_be_visible()


def voter(page, deliberation):
    page.goto(deliberation)
    champ(page, "Résultat").select_option(label="Adopté à l'unanimité")
    soumettre(page, "Enregistrer le vote")
    expect(page.get_by_role("heading", name=re.compile("^Confirmer le vote"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("63\u202f000\u202f€")
    soumettre(page, "Confirmer le vote")
    expect(page.get_by_text("Vote enregistré : adopté à l'unanimité.")).to_be_visible()


def extrait(page, deliberation):
    """The voted extract's text: the link's address fetched with the browser's session (downloads do
    not reach the test in headless Chromium)."""
    from io import BytesIO

    from pypdf import PdfReader

    page.goto(deliberation)
    lien = page.get_by_role("link", name="Télécharger l'extrait du registre (PDF)")
    reponse = page.request.get(page.base_url + lien.get_attribute("href"))
    assert reponse.ok, reponse.status
    assert reponse.headers["content-type"] == "application/pdf"
    lecteur = PdfReader(BytesIO(reponse.body()))
    return "\n".join(feuille.extract_text() for feuille in lecteur.pages)


def montants_verrouilles(page):
    """A voted action: its amounts are shown disabled; its other fields still change; amounts posted
    anyway (the disabled attribute removed in the page) are not saved."""
    page.goto(page.base_url + "/programmation/?q=" + "Action de quartier n°01")
    page.get_by_role("link", name="Action de quartier n°01", exact=True).click()
    fiche = page.url
    page.get_by_role("link", name="Modifier", exact=True).click()
    contribution = champ(page, "Contribution de la collectivité")
    expect(contribution).to_be_disabled()
    expect(contribution).to_have_value(re.compile(r"^1\s500$"))
    expect(champ(page, "Coût de l'action")).to_be_disabled()
    champ(page, "Territoire concerné").fill("Villeneuve-Test, quartier des Hauts")
    contribution.evaluate("champ => { champ.disabled = false; champ.value = '9 999'; }")
    soumettre(page)
    page.goto(fiche)
    expect(page.locator("main")).to_contain_text("Villeneuve-Test, quartier des Hauts")
    expect(page.locator("main")).to_contain_text("1\u202f500\u202f€")
    expect(page.locator("main")).not_to_contain_text("9\u202f999")
    historique = page.get_by_role("table").filter(has_text="Changement").last
    expect(historique).to_contain_text("Déposée")
    expect(historique).to_contain_text("Proposée")
    expect(historique).to_contain_text(f"{ANNEE} T1")
