"""Writing a délibération in the app: the Rédiger page, the contract's model text and its placeholders, the
extract that shows it, and the vote that records nothing until it is confirmed."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from pypdf import PdfReader

from contrat_ville.models import Enveloppe
from deliberations.models import Deliberation, Elu, ModeleDeliberation, Trace
from deliberations.redaction import textes_du_modele
from programmation.models import Tranche

from ..factories import (
    ActionFactory,
    AxeFactory,
    CollectiviteFactory,
    ContratFactory,
    EluFactory,
    InstanceFactory,
    TrancheFactory,
    seance_avec_membres,
)

pytestmark = pytest.mark.django_db

TOUS_LES_CHAMPS = (
    "{collectivite} | {contrat} | {annee} | {tranche} | {nombre_actions} | {montant_total} | "
    "{instance} | {date_seance}"
)


def plat(texte):
    """Narrow and ordinary no-break spaces as plain spaces, as a reader types them."""
    return texte.replace("\u202f", " ").replace("\u00a0", " ")


def texte_pdf(contenu):
    texte = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(contenu)).pages)
    return re.sub(r"[\s\u202f\u00a0]+", " ", texte)


@pytest.fixture
def monde(sem):
    """A séance of the Métropole (4 members, 3 present, Mme ELUE présidente, M. secrétaire) and a submitted
    2025 tranche: 2 actions of 2 500 € in défi 1, 1 of 1 000,50 € in défi 2, 1 carried by the Métropole."""
    instance = InstanceFactory(collectivite=sem, nom="Bureau de test")
    seance, elus = seance_avec_membres(membres=4, presents=3, instance=instance)
    Elu.objects.filter(pk=elus[1].pk).update(civilite="M.", prenom="Paul")
    seance.president, seance.secretaire = elus[0], Elu.objects.get(pk=elus[1].pk)
    seance.save()
    contrat = ContratFactory(collectivite=sem, intitule="Contrat de ville de test", libelle_niveau="Défi")
    agir = AxeFactory(contrat=contrat, numero=1, intitule="Agir ensemble", ordre=1)
    emanciper = AxeFactory(contrat=contrat, numero=2, intitule="Émanciper", devise="NOS QUARTIERS", ordre=2)
    tranche = TrancheFactory(contrat=contrat, annee=2025, numero=1)
    for axe, montant in ((agir, "2500"), (agir, "2500"), (emanciper, "1000.50")):
        ActionFactory(tranche=tranche, axe=axe, contribution=Decimal(montant), statut="proposee")
    ActionFactory(
        tranche=tranche,
        axe=agir,
        contribution=Decimal("999"),
        maitrise_ouvrage_collectivite=True,
        statut="proposee",
    )
    Enveloppe.objects.create(contrat=contrat, annee=2025, montant=Decimal("10000"))
    Tranche.objects.filter(pk=tranche.pk).update(statut="soumise")
    deliberation = Deliberation.objects.inscrire(
        seance, "Programmation", tranche=Tranche.objects.get(pk=tranche.pk)
    )
    return deliberation, elus


def _texte(elus, **champs):
    return {
        "objet": "Programmation 2025 du contrat de ville de test",
        "expose": "Premier paragraphe.\n\nSecond paragraphe.",
        "expose_suite": "Un récapitulatif est annexé.",
        "tableau_recapitulatif": "on",
        "decisions": "approuve la programmation ;\nautorise la signature des conventions.",
        "chapitres_budgetaires": "chapitre 65",
        "rapporteur": elus[2].pk,
        "signataire": elus[0].pk,
        "qualite_signataire": "La Présidente",
        "qualite_secretaire": "Le secrétaire de séance",
        **champs,
    }


# --- the Rédiger page


def test_it_proposes_the_president_as_signatory_with_her_quality(client, agent, monde):
    deliberation, elus = monde
    client.force_login(agent)
    page = client.get(reverse("deliberations:rediger", args=[deliberation.pk])).content.decode()
    assert f'<option value="{elus[0].pk}" selected>' in page
    assert 'value="La Présidente"' in page and 'value="Le secrétaire de séance"' in page
    assert "Aperçu de l'extrait" in page and "Préremplir depuis le modèle" in page


def test_it_names_a_president_or_a_mayor_after_his_civility_and_the_instance():
    villeneuve = CollectiviteFactory(nom="Villeneuve", nature="commune")
    conseil = InstanceFactory(collectivite=villeneuve, nom="Conseil municipal", nature="conseil_municipal")
    seance, elus = seance_avec_membres(membres=2, presents=2, instance=conseil)
    deliberation = Deliberation.objects.inscrire(seance, "Point")
    monsieur = EluFactory(collectivite=villeneuve, civilite="M.")
    assert deliberation.qualite_de_signataire(elus[0]) == "La Maire"
    assert deliberation.qualite_de_signataire(monsieur) == "Le Maire"
    bureau, _ = seance_avec_membres(membres=2, presents=2)
    point = Deliberation.objects.inscrire(bureau, "Point")
    assert (point.qualite_de_signataire(elus[0]), point.qualite_de_signataire(monsieur)) == (
        "La Présidente",
        "Le Président",
    )


def test_it_lets_an_agent_write_the_text_from_the_page_and_journals_each_change(client, agent, monde):
    deliberation, elus = monde
    client.force_login(agent)
    reponse = client.post(reverse("deliberations:rediger", args=[deliberation.pk]), _texte(elus))
    assert reponse.status_code == 302
    deliberation.refresh_from_db()
    assert deliberation.objet == "Programmation 2025 du contrat de ville de test"
    assert deliberation.decisions == "approuve la programmation ;\nautorise la signature des conventions."
    assert (deliberation.rapporteur, deliberation.signataire) == (elus[2], elus[0])
    assert deliberation.qualite_signataire == "La Présidente"
    traces = {t.champ: (t.avant, t.apres, t.auteur) for t in Trace.objects.filter(deliberation=deliberation)}
    assert traces["objet"] == ("Programmation", "Programmation 2025 du contrat de ville de test", agent)
    assert traces["signataire"] == ("", f"Mme Camille {elus[0].nom}", agent)
    assert traces["chapitres budgétaires imputés"] == ("", "chapitre 65", agent)
    assert "tableau récapitulatif par axe dans le texte" not in traces  # unchanged: not journaled


def test_it_refuses_a_signatory_without_quality_and_saves_nothing(client, agent, monde):
    deliberation, elus = monde
    client.force_login(agent)
    reponse = client.post(
        reverse("deliberations:rediger", args=[deliberation.pk]), _texte(elus, qualite_signataire="")
    )
    assert reponse.status_code == 400 and "Indiquez la qualité du signataire" in reponse.content.decode()
    deliberation.refresh_from_db()
    assert (deliberation.objet, deliberation.signataire) == ("Programmation", None)


def test_it_refuses_an_elu_of_another_authority_or_outside_the_instance(client, agent, monde, sedr):
    deliberation, elus = monde
    client.force_login(agent)
    etranger = EluFactory(collectivite=sedr)
    hors_instance = EluFactory(collectivite=deliberation.collectivite)
    adresse = reverse("deliberations:rediger", args=[deliberation.pk])
    for intrus in (etranger, hors_instance):
        for champ in ("signataire", "rapporteur"):
            reponse = client.post(adresse, _texte(elus, **{champ: intrus.pk}))
            assert reponse.status_code == 400, (champ, intrus)
    deliberation.refresh_from_db()
    assert (deliberation.signataire, deliberation.rapporteur) == (None, None)
    # The model holds the rule for any other door.
    deliberation.signataire, deliberation.qualite_signataire = hors_instance, "Le Président"
    with pytest.raises(ValidationError, match="Le signataire doit être membre du Bureau de test"):
        deliberation.full_clean()


def test_it_does_not_find_another_authority_s_deliberation_and_contract(
    client, agent_sedr, referent_sedr, monde
):
    deliberation, elus = monde
    client.force_login(agent_sedr)
    adresse = reverse("deliberations:rediger", args=[deliberation.pk])
    assert client.get(adresse).status_code == 404
    assert client.post(adresse, _texte(elus)).status_code == 404
    assert client.post(adresse, {"preremplir": "tout"}).status_code == 404
    client.force_login(referent_sedr)
    contrat = deliberation.tranche.contrat
    assert client.get(reverse("deliberations:modele", args=[contrat.pk])).status_code == 404
    assert client.post(reverse("deliberations:modele", args=[contrat.pk]), {"objet": "x"}).status_code == 404
    deliberation.refresh_from_db()
    assert deliberation.objet == "Programmation" and not ModeleDeliberation.objects.exists()


def test_it_lets_an_elected_official_only_read(client, elu, monde):
    deliberation, elus = monde
    client.force_login(elu)
    assert client.get(reverse("deliberations:rediger", args=[deliberation.pk])).status_code == 403
    assert (
        client.post(reverse("deliberations:rediger", args=[deliberation.pk]), _texte(elus)).status_code == 403
    )
    assert client.get(reverse("deliberations:modeles")).status_code == 403


# --- after the vote, the text is the register's


def test_it_refuses_the_text_of_a_voted_deliberation_through_the_page_and_the_model(client, agent, monde):
    deliberation, elus = monde
    deliberation.voter("unanimite")
    client.force_login(agent)
    adresse = reverse("deliberations:rediger", args=[deliberation.pk])
    reponse = client.get(adresse, follow=True)
    assert "son texte est celui du registre" in reponse.content.decode()
    client.post(adresse, _texte(elus))
    client.post(adresse, {**_texte(elus), "preremplir": "tout"})
    deliberation.refresh_from_db()
    assert (deliberation.objet, deliberation.signataire) == ("Programmation", None)

    deliberation.objet = "Autre objet"
    with pytest.raises(ValidationError, match=r"est votée : son texte ne se modifie plus \(objet\)"):
        deliberation.full_clean()
    with pytest.raises(ValidationError, match="est votée"):
        deliberation.save()
    deliberation.objet = "Programmation"
    with pytest.raises(ValidationError, match="déjà votée"):
        deliberation.rediger()
    # What the vote leaves open stays open: the préfecture's stamp.
    deliberation.voie_transmission = "VIA DOTELEC - iXBus"
    deliberation.save()
    assert Deliberation.objects.get(pk=deliberation.pk).objet == "Programmation"


def test_it_refuses_a_voted_text_through_querysets(monde):
    deliberation, elus = monde
    deliberation.voter("unanimite")
    votee = Deliberation.objects.filter(pk=deliberation.pk)
    with pytest.raises(ValidationError, match="garde son texte"):
        votee.update(objet="Autre objet")
    deliberation.signataire = elus[0]
    # bulk_update writes inside its own transaction: the refusal rolls back the caller's.
    with pytest.raises(ValidationError, match="garde son texte"), transaction.atomic():
        Deliberation.objects.bulk_update([deliberation], ["signataire"])
    # What the vote leaves open stays open through querysets too.
    votee.update(voie_transmission="VIA DOTELEC - iXBus")
    assert votee.values_list("objet", "signataire", "voie_transmission").get() == (
        "Programmation",
        None,
        "VIA DOTELEC - iXBus",
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database's own rule (pgtrigger)")
def test_it_refuses_in_postgresql_a_voted_text_changed_in_raw_sql(monde):
    deliberation, _ = monde
    deliberation.voter("unanimite")
    sql = "UPDATE deliberations_deliberation SET decisions = 'x' WHERE id = %s"
    with (
        pytest.raises(IntegrityError, match="garde son texte"),
        transaction.atomic(),
        connection.cursor() as curseur,
    ):
        curseur.execute(sql, [deliberation.pk])
    assert Deliberation.objects.get(pk=deliberation.pk).decisions == deliberation.decisions


# --- the contract's model text


def test_it_fills_the_default_model_from_the_tranche(monde):
    deliberation, _ = monde
    textes = {k: plat(v) for k, v in textes_du_modele(deliberation).items()}
    assert textes["objet"] == "Contrat de ville de test — programmation 2025, tranche 1"
    assert (
        "il est proposé de soutenir financièrement 3 action(s) pour un montant total de 6 000,50 €"
        in (textes["expose"])
    )
    assert (
        "Contrat de ville de test 2025 : 10 000 € alloués, 6 000,50 € consommés, 3 999,50 € restants"
        in (textes["expose_suite"])
    )
    assert textes["decisions"].splitlines()[1] == (
        "approuve la participation financière apportée par Saint-Etienne Métropole à cette programmation, "
        "pour un montant global de 6 000,50 € ;"
    )
    assert textes["chapitres_budgetaires"] == "chapitre 65 du budget politique de la ville 2025"


def test_it_fills_every_placeholder_with_the_tranche_s_figures(monde):
    deliberation, _ = monde
    ModeleDeliberation.objects.create(
        contrat=deliberation.tranche.contrat,
        objet=TOUS_LES_CHAMPS,
        expose="{montants_par_axe}",
        expose_suite="{enveloppes}",
        decisions="approuve.",
        chapitres_budgetaires="",
    )
    textes = {k: plat(v) for k, v in textes_du_modele(deliberation).items()}
    assert textes["objet"] == (
        "Saint-Etienne Métropole | Contrat de ville de test | 2025 | tranche 1 | 3 | 6 000,50 € | "
        "Bureau de test | 20 mars 2025"
    )
    assert textes["expose"] == (
        "Défi 1 — Agir ensemble : 2 actions, 5 000 €\nDéfi 2 — NOS QUARTIERS : 1 action, 1 000,50 €"
    )
    assert (
        textes["expose_suite"]
        == "Contrat de ville de test 2025 : 10 000 € alloués, 6 000,50 € consommés, 3 999,50 € restants"
    )


def test_it_names_an_unknown_placeholder_in_the_model_and_at_prefill(client, agent, referent, monde):
    deliberation, elus = monde
    contrat = deliberation.tranche.contrat
    with pytest.raises(ValidationError, match=r"Champ\(s\) inconnu\(s\) : \{beneficiaire\}"):
        ModeleDeliberation(contrat=contrat, objet="Pour {beneficiaire}").full_clean()
    client.force_login(referent)
    reponse = client.post(
        reverse("deliberations:modele", args=[contrat.pk]), {"objet": "Pour {beneficiaire}"}
    )
    assert reponse.status_code == 400 and "{beneficiaire}" in reponse.content.decode()
    assert not ModeleDeliberation.objects.filter(contrat=contrat).exists()
    # A model stored without its checks (an old row, a script) is named at prefill, not half applied.
    modele = ModeleDeliberation.objects.create(contrat=contrat)
    ModeleDeliberation.objects.filter(pk=modele.pk).update(decisions="{montant_en_lettres}")
    client.force_login(agent)
    reponse = client.post(reverse("deliberations:rediger", args=[deliberation.pk]), {"preremplir": "vides"})
    assert "Champ(s) inconnu(s) : {montant_en_lettres}" in reponse.content.decode()


def test_it_lets_a_referent_edit_the_contract_s_model_and_keeps_it_in_the_history(client, referent, monde):
    deliberation, _ = monde
    contrat = deliberation.tranche.contrat
    client.force_login(referent)
    page = client.get(reverse("deliberations:modele", args=[contrat.pk])).content.decode()
    assert "{montants_par_axe}" in page and "texte par défaut" in page
    donnees = {
        "objet": "Programmation {annee} — {tranche}",
        "expose": "Exposé {annee}.",
        "expose_suite": "",
        "decisions": "approuve la programmation {annee}.",
        "chapitres_budgetaires": "chapitre 65",
    }
    assert client.post(reverse("deliberations:modele", args=[contrat.pk]), donnees).status_code == 302
    modele = ModeleDeliberation.objects.get(contrat=contrat)
    assert modele.objet == "Programmation {annee} — {tranche}"
    from contrat_ville.historique import historique_de

    assert historique_de(ModeleDeliberation, [modele.pk]).get().user == referent
    assert textes_du_modele(deliberation)["objet"] == "Programmation 2025 — tranche 1"


def test_it_prefills_the_empty_fields_then_all_of_them_once_confirmed(client, agent, monde):
    deliberation, elus = monde
    client.force_login(agent)
    adresse = reverse("deliberations:rediger", args=[deliberation.pk])
    saisi = _texte(elus, expose="", decisions="", objet="Mon objet")
    page = plat(client.post(adresse, {**saisi, "preremplir": "vides"}).content.decode())
    assert 'value="Mon objet"' in page
    assert "il est proposé de soutenir financièrement 3 action(s) pour un montant total de 6 000,50 €" in page
    assert "Ces champs déjà rédigés ont été gardés : Objet, Exposé (après le tableau récapitulatif)" in page
    assert "Remplacer aussi ces champs par le modèle" in page
    page = plat(client.post(adresse, {**saisi, "preremplir": "tout"}).content.decode())
    assert 'value="Contrat de ville de test — programmation 2025, tranche 1"' in page
    deliberation.refresh_from_db()
    assert (deliberation.objet, deliberation.expose) == ("Programmation", "")  # nothing saved yet


def test_it_makes_the_same_queries_for_the_models_page_with_1_and_6_contracts(
    client, referent, django_assert_num_queries
):
    ailleurs = CollectiviteFactory()
    client.force_login(referent)
    referent.collectivite = ailleurs
    referent.save()
    ContratFactory(collectivite=ailleurs)
    client.get(reverse("deliberations:modeles"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as peu:
        client.get(reverse("deliberations:modeles"))
    for _ in range(5):
        ContratFactory(collectivite=ailleurs, intitule="Contrat local des solidarités")
    with django_assert_num_queries(len(peu)):
        page = client.get(reverse("deliberations:modeles")).content.decode()
    assert page.count("Contrat local des solidarités") == 5


# --- the extract


def test_it_shows_the_written_text_and_the_signature_in_the_extract_before_the_vote(client, agent, monde):
    deliberation, elus = monde
    client.force_login(agent)
    client.post(reverse("deliberations:rediger", args=[deliberation.pk]), _texte(elus))
    page = client.get(reverse("deliberations:deliberation", args=[deliberation.pk])).content.decode()
    assert "Aperçu de l'extrait" in page
    texte = texte_pdf(client.get(reverse("deliberations:extrait_pdf", args=[deliberation.pk])).content)
    for attendu in [
        "PROJET",
        "Programmation 2025 du contrat de ville de test",
        f"Rapporteur : Mme Camille {elus[2].nom}",
        "Le Bureau de test de Saint-Etienne Métropole, après en avoir délibéré :",
        "approuve la programmation ;",
        "autorise la signature des conventions.",
        "Le secrétaire de séance",
        f"Paul {elus[1].nom}",
        "La Présidente",
        f"Camille {elus[0].nom}",
    ]:
        assert attendu in texte, attendu


def test_it_names_a_town_with_its_article_in_its_extract():
    from deliberations.documents import extrait_pdf

    villeneuve = CollectiviteFactory(nom="Villeneuve", nature="commune")
    conseil = InstanceFactory(collectivite=villeneuve, nom="Conseil municipal", nature="conseil_municipal")
    seance, _ = seance_avec_membres(membres=2, presents=2, instance=conseil)
    deliberation = Deliberation.objects.inscrire(seance, "Point")
    assert "Le Conseil municipal de la Ville de Villeneuve, après en avoir délibéré" in texte_pdf(
        extrait_pdf(deliberation)
    )


# --- the vote, confirmed


def _vote(**champs):
    return {"resultat": "majorite", "pour": 2, "contre": 1, "abstention": 0, **champs}


def test_it_records_nothing_for_a_vote_without_confirmation_and_shows_what_it_locks(client, agent, monde):
    deliberation, _ = monde
    client.force_login(agent)
    reponse = client.post(reverse("deliberations:voter", args=[deliberation.pk]), _vote())
    page = plat(reponse.content.decode())
    assert reponse.status_code == 200
    assert "Ce vote est définitif : les montants de la tranche seront verrouillés" in page
    assert "<dt>Nombre d'actions</dt><dd>3</dd>" in page.replace("&#x27;", "'")
    assert "<dd>6 000,50 €</dd>" in page and "3 999,50 €" in page
    assert 'name="confirmer" value="1"' in page
    deliberation.refresh_from_db()
    assert deliberation.resultat_vote == "" and deliberation.tranche.statut == "soumise"
    assert not Trace.objects.filter(deliberation=deliberation, champ="vote").exists()


def test_it_locks_the_tranche_on_the_seance_s_date_at_a_confirmed_adoption(client, agent, monde):
    deliberation, _ = monde
    client.force_login(agent)
    reponse = client.post(reverse("deliberations:voter", args=[deliberation.pk]), _vote(confirmer="1"))
    assert reponse.status_code == 302
    deliberation.refresh_from_db()
    tranche = Tranche.objects.get(pk=deliberation.tranche_id)
    assert (deliberation.resultat_vote, deliberation.vote_pour) == ("majorite", 2)
    assert tranche.statut == "votee" and tranche.votee_le == datetime.date(2025, 3, 20)


def test_it_explains_a_wrong_vote_before_any_confirmation(client, agent, monde):
    deliberation, _ = monde
    client.force_login(agent)
    reponse = client.post(reverse("deliberations:voter", args=[deliberation.pk]), _vote(pour=1))
    assert reponse.status_code == 400 and "le total doit être de 3" in reponse.content.decode()
    assert "Confirmer le vote" not in reponse.content.decode()


def test_it_needs_the_same_confirmation_for_a_rejection(client, agent, monde):
    deliberation, _ = monde
    client.force_login(agent)
    adresse = reverse("deliberations:voter", args=[deliberation.pk])
    page = client.post(adresse, _vote(resultat="rejet", pour=1, contre=2)).content.decode()
    assert "Ce vote est définitif" in page and "elle restera soumise" in page
    assert Deliberation.objects.get(pk=deliberation.pk).resultat_vote == ""
    client.post(adresse, _vote(resultat="rejet", pour=1, contre=2, confirmer="1"))
    deliberation.refresh_from_db()
    assert deliberation.resultat_vote == "rejet" and deliberation.tranche.statut == "soumise"


def test_it_does_not_find_the_vote_confirmation_of_another_authority(client, agent_sedr, monde):
    deliberation, _ = monde
    client.force_login(agent_sedr)
    adresse = reverse("deliberations:voter", args=[deliberation.pk])
    assert client.post(adresse, _vote()).status_code == 404
    assert client.post(adresse, _vote(confirmer="1")).status_code == 404
    assert Deliberation.objects.get(pk=deliberation.pk).resultat_vote == ""


def test_it_lists_the_user_s_own_contracts(client, referent, sedr):
    ContratFactory(collectivite=sedr, intitule="Contrat de Saint-Étienne-du-Rouvray secret")
    client.force_login(referent)
    page = client.get(reverse("deliberations:modeles")).content.decode()
    assert "secret" not in page and "Engagements Quartiers 2030" in page


def test_it_shows_in_a_modificative_s_confirmation_the_amounts_it_changes(client, agent, sem):
    from deliberations.models import Instance
    from programmation.models import Action

    tranche = Tranche.objects.get(contrat__nature="contrat_de_ville", annee=2024, numero=1)
    seance, _ = seance_avec_membres(membres=4, presents=3, instance=Instance.objects.get(collectivite=sem))
    modificative = Deliberation.objects.inscrire(
        seance, "Modification", nature="modificative", tranche_corrigee=tranche
    )
    # The seed's action 266422 (2024 annex): 10 000 € granted, lowered to 8 000 €.
    action = tranche.actions.get(numero_dauphin="266422")
    modificative.corriger(action, Decimal("8000"))
    client.force_login(agent)
    adresse = reverse("deliberations:voter", args=[modificative.pk])
    page = plat(client.post(adresse, {"resultat": "unanimite"}).content.decode())
    assert "les nouveaux montants seront appliqués aux actions de la tranche" in page
    assert "<dd>10 000 €</dd>" in page and "8 000 € (différence -2 000 €)" in page
    assert Action.objects.get(pk=action.pk).contribution == Decimal("10000")
    client.post(adresse, {"resultat": "unanimite", "confirmer": "1"})
    assert Action.objects.get(pk=action.pk).contribution == Decimal("8000")
