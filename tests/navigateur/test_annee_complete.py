"""Issue 15's « done when », in Chromium: a whole year for the demo's empty authority (Ville de
Villeneuve-Test), by its référent and its agent, in the application's pages only — never /admin/.

The référent sets up the contract, axes, financeurs, envelopes, a quartier, the name used in acts, the
municipal council and its members (imported from the example CSV); the agent imports 42 actions,
instructs them in bulk, composes and submits the tranche, prepares the séance with attendance by
exception, writes the délibération from the model, records the vote and fetches the signed extract.
The budgets are asserted (attendance under 20 user actions, composition under 10 requests) and the
counts per step printed (`-s`)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from . import annee
from .conftest import capture, connexion

pytestmark = pytest.mark.navigateur
RACINE = Path(__file__).resolve().parents[2]


def test_it_runs_a_whole_year_for_a_new_authority_without_the_back_office(page, demo, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    compter = annee.Compteur(page)

    # 1. The référent sets the authority up.
    connexion(page, "referent-ville", "referent-ville-2024")
    compter("1. nom dans les actes")
    annee.nom_dans_les_actes(page)
    compter("1. contrat, axes, financeurs, enveloppes, quartier")
    annee.referentiels(page)
    page.goto(page.base_url + "/referentiels/enveloppes/")
    expect(page.locator("main")).to_contain_text("60\u202f000\u202f€")
    expect(page.get_by_role("heading", name="Historique récent")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Création")
    compter("1. instance et import des membres")
    annee.instance_et_membres(page, RACINE)
    compter("1. format du registre")
    annee.registre(page)
    page.context.clear_cookies()

    # 2. The agent runs the year.
    compter("2. connexion de l'agent")
    connexion(page, "agent-ville", "agent-ville-2024")
    compter("2. import de 42 actions")
    annee.importer_actions(page, tmp_path)
    compter("2. statuts en masse")
    annee.instruire(page)
    compter("2. composition de la tranche")
    annee.composer_la_tranche(page)
    capture(page, "annee-tranche-composee")
    compter("2. soumission de la tranche")
    annee.soumettre_la_tranche(page)
    compter("2. préparation de la séance")
    seance = annee.preparer_la_seance(page)
    compter("2. présences")
    gestes_presences = annee.presences(page, seance)
    capture(page, "annee-presences")
    compter("2. inscription de la délibération")
    deliberation = annee.inscrire(page, seance)
    compter("2. rédaction")
    annee.rediger(page, deliberation)
    compter("2. vote")
    annee.voter(page, deliberation)
    compter("2. extrait")
    texte = annee.extrait(page, deliberation)

    mots = " ".join(texte.split())
    for attendu in (
        "EXTRAIT DU REGISTRE DES DELIBERATIONS",
        "SEANCE DU CONSEIL MUNICIPAL DU 26 MARS 2026",
        "DELIBERATION N°2026.00001",
        annee.OBJET,
        "Nombre de membres en exercice : 34",
        "Nombre de présents : 29",
        "Nombre de pouvoirs : 2",
        "Nombre de voix : 31",
        "Président de séance : M. Bernard Fougerolle",
        "Secrétaire de séance : Mme Élodie Rousset",
        "M. Thierry Castagné donne pouvoir à Mme Chantal Duverney",
        "Mme Aïcha Diallo donne pouvoir à M. Karim Benali",
        "M. Julien Arnaud, Mme Hélène Coste, M. Lucas Ferrand",
        "Le Conseil municipal de la Ville de Villeneuve-Test, après en avoir délibéré",
        "pour un montant global de 63 000 €",
        "Ce dossier a été adopté à l'unanimité.",
        "Pour extrait",
        "Première adjointe, par délégation du Maire, Sylvie Marchetti",
        "La secrétaire de séance, Élodie Rousset",
        "TOTAL GÉNÉRAL — 42 actions 252 000 € 63 000 €",
    ):
        assert attendu in mots, attendu
    assert "PROJET" not in texte

    # 3. The rules still hold: the voted amounts are locked; the journal and the histories tell it all.
    compter("3. verrou des montants")
    annee.montants_verrouilles(page)
    page.goto(page.base_url + "/programmation/tranches/")
    page.get_by_role("link", name=f"{annee.ANNEE} T1").click()
    # The lock date is the séance's, not the day the vote was typed.
    expect(page.locator("main")).to_contain_text(f"Votée, votée le 26 mars {annee.ANNEE}")
    page.goto(page.base_url + "/deliberations/journal/")
    journal = page.locator("main")
    expect(journal).to_contain_text("Ce dossier a été adopté à l'unanimité.")
    expect(journal).to_contain_text("Mme Sylvie Marchetti")
    expect(journal).to_contain_text("Villeneuve-Test, quartier des Hauts")
    capture(page, "annee-journal")

    assert not [url for url in compter.urls if "/admin/" in url]
    requetes = compter.requetes
    envois = compter.envois
    print(
        "\nAnnée complète de la Ville de Villeneuve-Test — requêtes par étape (pages + envois, dont envois) :"
    )
    for etape, nombre in requetes.items():
        print(f"  {etape:<55} {nombre:>4}  dont {envois[etape]:>3} envois")
    print(f"  {'total':<55} {sum(requetes.values()):>4}  dont {sum(envois.values()):>3} envois")
    print(f"  gestes pour la liste de présence (34 membres) : {gestes_presences}")
    assert gestes_presences < 20
    assert requetes["2. composition de la tranche"] < 10
