"""Bilans: entry by the agent (all or nothing), refusals in French, due date, lists, dashboard."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from contrat_ville.models import Financeur
from programmation.evaluation.models import echeance
from programmation.models import Action, Bilan, BilanFinancement

from ..factories import ActionFactory, CollectiviteFactory, FinanceurFactory


def test_it_makes_a_year_s_bilans_due_on_30_june_of_the_next_year():
    assert echeance(2020) == datetime.date(2021, 6, 30)
    assert echeance(2024) == datetime.date(2025, 6, 30)


@pytest.fixture
def action_sans_bilan(sedr):
    """A 2020 action of Saint-Étienne-du-Rouvray whose bilan is to enter again."""
    action = Action.objects.get(contrat__collectivite=sedr, intitule="Culture pour tous")
    action.bilan.delete()
    return Action.objects.get(pk=action.pk)


def _donnees(sedr, **autres):
    ville = Financeur.objects.get(collectivite=sedr, nom="Ville")
    anct = Financeur.objects.get(collectivite=sedr, nom="ANCT")
    donnees = {
        "realisation": "Promotion, coordination et mise en place d'actions de médiation culturelle",
        "public_total": "1977",
        "public_femmes": "1044",
        "public_hommes": "933",
        "public_qpv": "1805",
        "etp": "0,5",
        "cout_prevu": "19900",
        "cout_realise": "18900",
        "financements-TOTAL_FORMS": "2",
        "financements-INITIAL_FORMS": "0",
        "financements-0-financeur": str(anct.pk),
        "financements-0-prevu": "8030",
        "financements-0-realise": "8030",
        "financements-1-financeur": str(ville.pk),
        "financements-1-prevu": "11870",
        "financements-1-realise": "10870",
        "indicateurs-TOTAL_FORMS": "1",
        "indicateurs-INITIAL_FORMS": "0",
        "indicateurs-0-libelle": "Habitants des QPV parmi les bénéficiaires (%)",
        "indicateurs-0-cible": "80",
        "indicateurs-0-realise": "91",
        "quartiers-TOTAL_FORMS": "0",
        "quartiers-INITIAL_FORMS": "0",
    }
    donnees.update(autres)
    return donnees


def _saisir(client, action, donnees):
    return client.post(reverse("programmation:bilan_saisir", args=[action.pk]), donnees)


@pytest.mark.django_db
def test_it_lets_the_agent_enter_a_bilan_with_its_financial_account(
    client, agent_sedr, action_sans_bilan, sedr
):
    client.force_login(agent_sedr)
    formulaire = client.get(reverse("programmation:bilan_saisir", args=[action_sans_bilan.pk]))
    assert formulaire.status_code == 200
    # A new bilan starts from the programmed amounts (ANCT 8 030, ARS 1 000, Ville 10 870 in the seed).
    initiaux = {f.initial["prevu"] for f in formulaire.context["s"].financements.forms if f.initial}
    assert initiaux == {Decimal("8030"), Decimal("1000"), Decimal("10870")}

    reponse = _saisir(client, action_sans_bilan, _donnees(sedr))

    assert reponse.status_code == 302
    bilan = Bilan.objects.get(action=action_sans_bilan)
    assert (bilan.public_total, bilan.public_femmes, bilan.public_hommes, bilan.public_qpv) == (
        1977,
        1044,
        933,
        1805,
    )
    assert bilan.etp == Decimal("0.5")
    assert sorted(bilan.financements.values_list("realise", flat=True)) == [Decimal("8030"), Decimal("10870")]
    assert bilan.indicateurs.get().realise == Decimal("91")


REFUS = [
    (
        {"public_hommes": "900"},
        "Femmes (1044) + hommes (900) = 1944 : la somme doit être égale au public total (1977).",
    ),
    ({"public_qpv": "2000"}, "Les habitants des QPV (2000) ne peuvent pas dépasser le public total (1977)."),
    ({"public_total": "-5"}, "Assurez-vous que cette valeur est supérieure ou égale à 0."),
    ({"etp": "-1"}, "Ce montant ne peut pas être négatif."),
    ({"financements-1-realise": "-10"}, "Ce montant ne peut pas être négatif."),
    (
        {"cout_realise": "20000"},
        "Compte rendu déséquilibré : le coût réalisé est de 20\u202f000\u202f€ "
        "mais les financements réalisés font 18\u202f900\u202f€ (écart 1\u202f100\u202f€).",
    ),
    ({"cout_realise": ""}, "Indiquez le coût réalisé : des financements réalisés sont saisis."),
    ({"public_total": ""}, "Indiquez le nombre total de personnes touchées avant sa répartition."),
    (
        {"financements-1-financeur": "ANCT"},
        "Le financeur « ANCT » figure deux fois dans le compte rendu financier.",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("changement", "message"), REFUS)
def test_it_refuses_a_bad_bilan_in_french_and_saves_nothing(
    client, agent_sedr, action_sans_bilan, sedr, changement, message
):
    if changement.get("financements-1-financeur") == "ANCT":
        changement = {
            "financements-1-financeur": str(Financeur.objects.get(collectivite=sedr, nom="ANCT").pk)
        }
    client.force_login(agent_sedr)
    avant = (Bilan.objects.count(), BilanFinancement.objects.count())

    reponse = _saisir(client, action_sans_bilan, _donnees(sedr, **changement))

    assert reponse.status_code == 400
    assert message in reponse.content.decode()
    assert "Rien n'a été enregistré" in reponse.content.decode()
    assert (Bilan.objects.count(), BilanFinancement.objects.count()) == avant


@pytest.mark.django_db
def test_it_keeps_the_old_bilan_whole_when_a_change_is_refused(client, agent_sedr, sedr):
    action = Action.objects.get(contrat__collectivite=sedr, intitule="Maison de la justice et du droit")
    client.force_login(agent_sedr)
    donnees = _donnees(sedr, public_total="1311", public_femmes="792", public_hommes="10", public_qpv="490")
    donnees.update({"financements-TOTAL_FORMS": "0", "cout_realise": ""})
    reponse = _saisir(client, action, donnees)
    assert reponse.status_code == 400
    bilan = Bilan.objects.get(action=action)
    assert (bilan.public_total, bilan.public_femmes, bilan.public_hommes) == (1311, 792, None)
    assert bilan.financements.count() == 2  # Métropole and Ville, as in the seed


@pytest.mark.django_db
def test_it_forbids_officials_to_enter_bilans(client, elu_sedr, sedr):
    action = Action.objects.filter(contrat__collectivite=sedr).first()
    client.force_login(elu_sedr)
    assert client.get(reverse("programmation:bilan_saisir", args=[action.pk])).status_code == 403
    assert client.post(reverse("programmation:bilan_saisir", args=[action.pk]), {}).status_code == 403
    page = client.get(reverse("programmation:bilans"), {"annee": 2020})
    assert page.status_code == 200
    assert "Saisir" not in page.content.decode()


@pytest.mark.django_db
def test_it_shows_late_bilans(client, agent_sedr, action_sans_bilan):
    client.force_login(agent_sedr)
    page = client.get(reverse("programmation:bilans"), {"annee": 2020}).content.decode()
    assert "30 juin 2021" in page
    ligne = page[page.index(">Culture pour tous<") :].split("</tr>")[0]
    assert "En retard" in ligne
    assert page.count("En retard") == 1  # the 24 others have their bilan


@pytest.mark.django_db
def test_it_tells_a_bilan_received_after_its_due_date(sedr):
    bilan = Bilan.objects.filter(action__contrat__collectivite=sedr).first()
    bilan.depose_le = datetime.date(2021, 7, 1)
    assert bilan.en_retard
    bilan.depose_le = datetime.date(2021, 6, 30)
    assert not bilan.en_retard


@pytest.mark.django_db
def test_it_adds_up_the_officials_indicators(client, elu_sedr):
    client.force_login(elu_sedr)
    reponse = client.get(reverse("programmation:indicateurs"), {"annee": 2020})
    assert reponse.status_code == 200
    # Seed: « Atelier de vie quotidienne… » 26-64 ans : 37, +65 ans : 7; DDTM 76 and OFII fund one action.
    ages = {ligne["libelle"]: ligne["nombre"] for ligne in reponse.context["ages"]}
    assert ages["26-64 ans"] == 37 and ages["65 ans et plus"] == 7
    financeurs = {ligne["libelle"]: ligne["montant"] for ligne in reponse.context["financeurs"]}
    assert financeurs["DDTM 76"] == Decimal("35474")
    assert financeurs["État (OFII)"] == Decimal("43500")
    assert [ligne["annee"] for ligne in reponse.context["evolution"]] == [2020]


@pytest.mark.django_db
def test_it_refuses_nothing_with_a_500_on_odd_years(client, elu_sedr):
    client.force_login(elu_sedr)
    for annee in ("abc", "99999999999", "-3", "0"):
        assert client.get(reverse("programmation:bilans"), {"annee": annee}).status_code == 200
        assert client.get(reverse("programmation:indicateurs"), {"annee": annee}).status_code == 200


def _remplir(nombre, collectivite=None):
    collectivite = collectivite or CollectiviteFactory()
    financeur = FinanceurFactory(collectivite=collectivite)
    premiere = ActionFactory(porteur__collectivite=collectivite, tranche__contrat__collectivite=collectivite)
    actions = [premiere] + [
        ActionFactory(tranche=premiere.tranche, porteur=premiere.porteur, axe=premiere.axe)
        for _ in range(nombre - 1)
    ]
    for action in actions:
        bilan = Bilan.objects.create(action=action, public_total=10, public_femmes=6, public_hommes=4)
        BilanFinancement.objects.create(bilan=bilan, financeur=financeur, prevu=Decimal(100))
    return premiere


def _requetes(fonction):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as requetes:
        fonction()
    return len(requetes)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page", ["programmation:bilans", "programmation:indicateurs", "programmation:rapports"]
)
def test_it_makes_the_same_queries_for_the_evaluation_pages_with_1_or_40_rows(
    client, elu, page, django_assert_num_queries
):
    from programmation.models import RapportAnnuel

    premiere = _remplir(1)
    RapportAnnuel.objects.create(
        collectivite=premiere.contrat.collectivite,
        contrat=premiere.contrat,
        annee=premiere.annee,
        intitule="R",
    )
    elu.collectivite = premiere.contrat.collectivite
    elu.save()
    client.force_login(elu)
    client.get(reverse(page))  # warms the session and the permission cache
    peu = _requetes(lambda: client.get(reverse(page), {"annee": premiere.annee}))
    # Session, user, permissions, the authority's contracts (read once: Action.visibles_par), the page's own.
    assert peu <= 13
    _remplir(39, collectivite=elu.collectivite)
    for annee in range(2000, 2039):  # 39 more reports, each with its contract
        contrat = premiere.contrat.__class__.objects.create(
            collectivite=elu.collectivite,
            nature="contrat_de_ville",
            intitule=f"C{annee}",
            annee_debut=annee,
            annee_fin=annee,
        )
        RapportAnnuel.objects.create(
            collectivite=elu.collectivite, contrat=contrat, annee=annee, intitule=f"R{annee}"
        )
    with django_assert_num_queries(peu):
        reponse = client.get(reverse(page), {"annee": premiere.annee})
    assert reponse.status_code == 200


def test_it_makes_the_same_queries_for_the_bilan_form_with_1_or_6_financeurs(
    client, agent_sedr, action_sans_bilan, django_assert_num_queries
):
    from programmation.models import Cofinancement

    client.force_login(agent_sedr)
    adresse = reverse("programmation:bilan_saisir", args=[action_sans_bilan.pk])
    client.get(adresse)
    Cofinancement.objects.filter(action=action_sans_bilan).delete()
    peu = _requetes(lambda: client.get(adresse))
    for n in range(5):
        financeur = FinanceurFactory(collectivite=action_sans_bilan.contrat.collectivite, nom=f"Fonds {n}")
        Cofinancement.objects.create(action=action_sans_bilan, financeur=financeur, montant_accorde=100)
    with django_assert_num_queries(peu):
        page = client.get(adresse).content.decode()
    assert page.count('name="financements-') > page.count("Fonds 4") > 0


@pytest.mark.django_db
def test_it_makes_the_same_queries_for_the_report_with_1_or_40_rows(django_assert_num_queries):
    from programmation.evaluation.rapport import construire_rapport
    from programmation.models import RapportAnnuel

    premiere = _remplir(1)
    rapport = RapportAnnuel.objects.create(
        collectivite=premiere.contrat.collectivite,
        contrat=premiere.contrat,
        annee=premiere.annee,
        intitule="R",
    )
    peu = _requetes(lambda: construire_rapport(rapport))
    _remplir(39, collectivite=rapport.collectivite)
    Action.objects.filter(contrat__collectivite=rapport.collectivite).update(contrat=rapport.contrat)
    with django_assert_num_queries(peu):
        r = construire_rapport(rapport)
    assert sum(len(axe.lignes) for axe in r.axes) == 40


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changement",
    [
        {"public_total": "99999999999999"},
        {"public_femmes": "¹"},
        {"etp": "12345678,5"},
        {"cout_realise": "1e400"},
        {"depose_le": "2021-13-45"},
        {"financements-0-financeur": "999999999"},
        {"financements-TOTAL_FORMS": "abc"},
        {"indicateurs-0-cible": "NaN"},
    ],
)
def test_it_never_fails_on_hostile_input(client, agent_sedr, action_sans_bilan, sedr, changement):
    client.force_login(agent_sedr)
    reponse = _saisir(client, action_sans_bilan, _donnees(sedr, **changement))
    assert reponse.status_code == 400
    assert not Bilan.objects.filter(action=action_sans_bilan).exists()
