"""Conventions (loi 2000-321 art. 10): which actions need one, the PDF, the multi-year CPO, signature."""

import datetime
import html
import io
import os
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from programmation.controles import controler_tranche
from programmation.conventions import convention_html
from programmation.lettres import euros_en_lettres
from programmation.models import Action, Convention, ModeleConvention

from ..factories import ActionFactory

pytestmark = pytest.mark.django_db

CLS = "AESIO Santé (Mutualité Française Loire, Haute-Loire, Puy-de-Dôme)"


def texte_pdf(contenu):
    texte = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(contenu)).pages)
    # pypdf gives the narrow no-break space of French amounts back as various spaces.
    return " ".join(texte.replace("\u202f", " ").replace("\xa0", " ").split())


def a_etablir(client, annee):
    reponse = client.get(reverse("programmation:conventions"), {"annee": annee})
    assert reponse.status_code == 200
    # The table's rows, as the view gave them: (action, the reason it needs a convention).
    return [(ligne["action"], ligne["raison"]) for ligne in reponse.context["a_etablir"].data]


def test_it_lists_the_2024_conventions_to_establish_with_the_seed_amounts(client, agent):
    client.force_login(agent)
    lignes = {
        (action.porteur.nom, action.contrat.nature, action.contribution)
        for action, _ in a_etablir(client, 2024)
    }
    # Annex of délibération 2024.00230 and the CLS third tranche (2024.00417), as typed in the seeds.
    assert lignes == {
        ("AGASEF", "contrat_de_ville", Decimal("23500")),
        ("Centre social le Colibri", "contrat_de_ville", Decimal("26000")),
        ("Maison de quartier du Crêt de Roc", "contrat_de_ville", Decimal("26000")),
        ("Centre social du Babet", "contrat_de_ville", Decimal("26300")),
        ("Centre social Sisley", "contrat_de_ville", Decimal("25800")),
        (CLS, "contrat_de_ville", Decimal("12000")),
        (CLS, "cls", Decimal("94000")),
    }
    raisons = {
        action.contribution: raison for action, raison in a_etablir(client, 2024) if action.porteur.nom == CLS
    }
    assert "106\u202f000\u202f€ accordés en 2024" in raisons[Decimal("12000")].motif
    # A CPO too, but the law (a private body above 23 000 € that year) is the rule cited.
    assert raisons[Decimal("94000")].regle == (
        "loi n° 2000-321 du 12 avril 2000, art. 10 et décret n° 2001-495 du 6 juin 2001 "
        "(plus de 23\u202f000\u202f€ par an à un organisme de droit privé)"
    )


def test_it_needs_no_convention_for_pimms_at_22500_euros(client, agent):
    client.force_login(agent)
    pimms = Action.objects.get(annee=2024, porteur__nom__startswith="PIMM", contribution=Decimal("22500"))
    assert pimms not in [action for action, _ in a_etablir(client, 2024)]


def test_it_asks_for_the_ten_investment_subsidies_of_2019(client, agent):
    client.force_login(agent)
    investissement = [a for a, _ in a_etablir(client, 2019) if a.section == "investissement"]
    assert len(investissement) == 10
    # 3 of them also pass 23 000 € with their porteur's other subsidies of the year.
    assert (
        sum("au-delà de 23" in r.motif for a, r in a_etablir(client, 2019) if a.section == "investissement")
        == 3
    )


def agasef_2024():
    return Action.objects.get(annee=2024, porteur__nom="AGASEF", contribution=Decimal("23500"))


def test_it_creates_the_convention_in_one_post_and_its_pdf_states_the_terms(client, agent, tmp_path):
    client.force_login(agent)
    action = agasef_2024()
    reponse = client.post(reverse("programmation:convention_creer", args=[action.pk]))
    assert reponse.status_code == 302
    convention = Convention.objects.get(action=action)
    assert (convention.annee_debut, convention.duree_annees, convention.pourcentage_avance) == (2024, 1, 50)
    assert convention.reference_deliberation.startswith("Délibération n°2024.00230")
    assert action not in [a for a, _ in a_etablir(client, 2024)]
    assert "convention_requise" not in {
        c.code for c in controler_tranche(action.tranche) if c.objets and c.objets[0] == action
    }

    pdf = client.get(reverse("programmation:convention_pdf", args=[convention.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    (tmp_path / "convention.pdf").write_bytes(pdf.content)
    if os.environ.get("GARDER_PDF"):  # to look at it: pdftoppm -png -r 50
        Path(os.environ["GARDER_PDF"]).write_bytes(pdf.content)
    texte = texte_pdf(pdf.content)
    assert "Saint-Etienne Métropole" in texte and "SIREN 244200770" in texte
    assert "AGASEF" in texte and "SIRET et RNA à compléter avant signature" in texte
    assert "23 500 € (vingt-trois mille cinq cents euros)" in texte
    assert "durée de 1 an, de l'exercice 2024 à l'exercice 2024" in texte
    assert "avance de 50 % du montant annuel à la signature" in texte
    assert "le solde de 50 % après réception et examen du compte rendu financier" in texte
    assert "dans les six mois suivant la fin de chaque exercice" in texte and "CERFA n° 15059" in texte
    assert "Communication" in texte and "Contrôle de l'utilisation de la subvention" in texte
    assert "agissant en vertu de la délibération n°2024.00230 du Bureau Métropolitain du 16 mai 2024" in texte
    assert "décidée par la délibération n°2024.00230" in texte
    assert "PROJET" in texte  # not signed yet


def test_it_makes_the_cls_a_four_year_convention_with_yearly_amounts(client, agent):
    client.force_login(agent)
    action = Action.objects.get(contrat__nature="cls", annee=2024, contribution=Decimal("94000"))
    client.post(reverse("programmation:convention_creer", args=[action.pk]))
    convention = Convention.objects.get(action=action)
    # CLS 2024-2027: « cofinancement de ces postes pour une durée de 4 ans ».
    assert (convention.annee_debut, convention.annee_fin, convention.duree_annees) == (2024, 2027, 4)
    assert [(e.annee, e.montant) for e in convention.echeances.all()] == [
        (2024, Decimal("23500")),
        (2025, Decimal("23500")),
        (2026, Decimal("23500")),
        (2027, Decimal("23500")),
    ]
    texte = texte_pdf(client.get(reverse("programmation:convention_pdf", args=[convention.pk])).content)
    assert "94 000 € (quatre-vingt-quatorze mille euros)" in texte
    assert "durée de 4 ans, de l'exercice 2024 à l'exercice 2027" in texte
    for annee in (2024, 2025, 2026, 2027):
        assert f"{annee} 23 500 € 11 750 €" in texte
    assert "délibération n°2024.00417" in texte


def test_it_splits_an_odd_amount_to_the_cent_without_losing_one():
    action = ActionFactory(statut="votee", contribution=Decimal("1000"), convention_pluriannuelle=True)
    action.contrat.annee_fin = action.annee + 2
    action.contrat.save()
    convention = Convention.objects.creer_pour(action)
    montants = [e.montant for e in convention.echeances.all()]
    assert montants == [Decimal("333.34"), Decimal("333.33"), Decimal("333.33")]


def test_it_fills_the_contract_s_own_model_text():
    action = ActionFactory(statut="votee", cout=Decimal("60000"), contribution=Decimal("30000"))
    ModeleConvention.objects.create(
        contrat=action.contrat,
        titre="Convention de partenariat",
        publicite="Le logo de {collectivite} figure sur les supports de {porteur}.",
    )
    convention = Convention.objects.creer_pour(action)
    html = unescape(convention_html(convention))
    assert "CONVENTION DE PARTENARIAT" in html
    assert (
        f"Le logo de {action.contrat.collectivite.nom} figure sur les supports de {action.porteur.nom}."
        in html
    )


def test_it_names_an_unknown_placeholder_of_a_model():
    modele = ModeleConvention(contrat=ActionFactory().contrat, objet="Pour {benefciaire}.")
    with pytest.raises(ValidationError) as erreur:
        modele.full_clean()
    assert "Champ(s) inconnu(s) : {benefciaire}" in str(erreur.value)


def test_it_refuses_a_second_convention_and_one_for_the_authority_s_own_action(client, agent):
    action = agasef_2024()
    Convention.objects.creer_pour(action)
    with pytest.raises(ValidationError, match="a déjà une convention"):
        Convention.objects.creer_pour(action)
    propre = Action.objects.filter(maitrise_ouvrage_collectivite=True).first()
    with pytest.raises(ValidationError, match="portée par la collectivité"):
        Convention.objects.creer_pour(propre)


def test_it_records_the_signature_and_the_action_becomes_conventionnee(client, agent):
    client.force_login(agent)
    action = agasef_2024()
    assert action.statut == "votee"
    convention = Convention.objects.creer_pour(action)
    reponse = client.post(
        reverse("programmation:convention_signer", args=[convention.pk]), {"date_signature": "2024-06-20"}
    )
    assert reponse.status_code == 302
    convention.refresh_from_db()
    action.refresh_from_db()
    assert (convention.statut, convention.date_signature) == ("signee", datetime.date(2024, 6, 20))
    assert action.statut == "conventionnee"
    assert "PROJET" not in texte_pdf(
        client.get(reverse("programmation:convention_pdf", args=[convention.pk])).content
    )


@pytest.mark.parametrize(
    "date, message",
    [
        ("2099-01-01", "La date de signature ne peut pas être dans le futur."),
        ("pas une date", "Date de signature invalide : saisissez une date (jj/mm/aaaa)."),
        ("", "Date de signature invalide : saisissez une date (jj/mm/aaaa)."),
    ],
)
def test_it_refuses_a_bad_signature_date_with_a_message(client, agent, date, message):
    client.force_login(agent)
    convention = Convention.objects.creer_pour(agasef_2024())
    reponse = client.post(
        reverse("programmation:convention_signer", args=[convention.pk]),
        {"date_signature": date},
        follow=True,
    )
    assert reponse.status_code == 200
    assert message in html.unescape(reponse.content.decode())
    convention.refresh_from_db()
    assert convention.statut == "a_signer" and convention.date_signature is None


def test_it_shows_an_elu_the_page_and_the_pdf_but_answers_403_to_every_post(client, elu):
    action = agasef_2024()
    convention = Convention.objects.creer_pour(action)
    client.force_login(elu)
    page = client.get(reverse("programmation:conventions"), {"annee": 2024})
    assert page.status_code == 200 and "Créer la convention" not in page.content.decode()
    assert client.get(reverse("programmation:convention_pdf", args=[convention.pk])).status_code == 200
    assert (
        "Enregistrer le versement"
        not in client.get(reverse("programmation:action", args=[action.pk])).content.decode()
    )
    for url, donnees in [
        (reverse("programmation:convention_creer", args=[action.pk]), {}),
        (reverse("programmation:convention_signer", args=[convention.pk]), {"date_signature": "2024-06-20"}),
        (
            reverse("programmation:paiement_creer", args=[action.pk]),
            {"nature": "avance", "date": "2024-07-01", "montant": "100"},
        ),
        (reverse("deliberations:donnees_ouvertes_siret"), {"siret": "24420077000017"}),
    ]:
        assert client.post(url, donnees).status_code == 403, url
    assert not action.paiements.exists()


def test_it_keeps_the_convention_out_of_reach_of_another_authority_s_agent(client, agent):
    convention = Convention.objects.creer_pour(
        ActionFactory(statut="votee", cout=Decimal("60000"), contribution=Decimal("30000"))
    )
    client.force_login(agent)
    assert client.get(reverse("programmation:convention_pdf", args=[convention.pk])).status_code == 404
    assert client.post(reverse("programmation:convention_signer", args=[convention.pk])).status_code == 404


def _remplir(collectivite, nombre):
    tranche = None
    for _ in range(nombre):
        action = ActionFactory(
            statut="votee",
            cout=Decimal("60000"),
            contribution=Decimal("30000"),
            **({"tranche": tranche} if tranche else {"tranche__contrat__collectivite": collectivite}),
        )
        tranche = action.tranche
        ActionFactory(statut="votee", cout=Decimal("60000"), contribution=Decimal("24000"), tranche=tranche)
        convention = Convention.objects.creer_pour(action)
        convention.signer(datetime.date(2025, 3, 1), None)


def test_it_makes_the_same_queries_for_the_conventions_page_whatever_the_rows(
    client, agent, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ..factories import CollectiviteFactory

    collectivite = CollectiviteFactory()
    agent.collectivite = collectivite
    agent.save()
    client.force_login(agent)
    url = f"{reverse('programmation:conventions')}?annee=2025"
    _remplir(collectivite, 1)
    # session, user, permissions, the authority's contracts, years, actions to establish, annual totals,
    # conventions with payments
    with CaptureQueriesContext(connection) as peu:
        client.get(url)
    assert len(peu.captured_queries) <= 8
    _remplir(collectivite, 14)
    with django_assert_num_queries(len(peu.captured_queries)):
        reponse = client.get(url)
    assert len(reponse.context["signees"].rows) == 15
    assert len(reponse.context["a_etablir"].rows) == 15


@pytest.mark.parametrize(
    ("montant", "lettres"),
    [
        ("23500", "vingt-trois mille cinq cents euros"),
        ("26300", "vingt-six mille trois cents euros"),
        ("25800", "vingt-cinq mille huit cents euros"),
        ("106000", "cent six mille euros"),
        ("94000", "quatre-vingt-quatorze mille euros"),
        ("80", "quatre-vingts euros"),
        ("71", "soixante et onze euros"),
        ("200000", "deux cent mille euros"),
        ("1000000", "un million d'euros"),
        ("1", "un euro"),
        ("333.34", "trois cent trente-trois euros et trente-quatre centimes"),
    ],
)
def test_it_writes_amounts_in_french_words(montant, lettres):
    assert euros_en_lettres(Decimal(montant)) == lettres


@pytest.mark.parametrize("annee", ["99999999999999999999", "-1", "abc", "1900"])
def test_it_answers_any_year_in_the_address_with_the_latest_one(client, agent, annee):
    client.force_login(agent)
    reponse = client.get(reverse("programmation:conventions"), {"annee": annee})
    assert reponse.status_code == 200 and reponse.context["annee"] == 2024


def test_it_gives_the_conventions_forms_columns_to_the_agent_only_with_the_same_rows(client, agent, elu):
    Convention.objects.creer_pour(agasef_2024())
    adresse = reverse("programmation:conventions")
    pages = {}
    for compte in (agent, elu):
        client.force_login(compte)
        reponse = client.get(adresse, {"annee": 2024})
        pages[compte.username] = (reponse.content.decode(), reponse.context)
    page_agent, contexte = pages[agent.username]
    page_elu, _ = pages[elu.username]
    a_etablir, a_signer = len(contexte["a_etablir"].rows), len(contexte["a_signer"].rows)
    assert a_etablir > 1 and a_signer == 1
    # Each row's form carries its CSRF token (a form without one would be refused at its first use).
    jeton = '" class="en-ligne"><input type="hidden" name="csrfmiddlewaretoken" value="'
    assert page_agent.count("/convention/" + jeton) == a_etablir
    assert page_agent.count("/signer/" + jeton) == 1
    assert page_agent.count("Créer la convention</button>") == a_etablir
    assert page_agent.count('name="date_signature"') == 1
    assert "Créer la convention" not in page_elu and 'name="date_signature"' not in page_elu
    assert page_elu.count("<tr><td") == page_agent.count("<tr><td")
