"""Budget checks: each rule finds what it must, with the figures named, and nothing else."""

from decimal import Decimal

import pytest

from contrat_ville.models import Dispositif, Enveloppe, Quartier
from programmation.controles import controler_tranche
from programmation.models import Cofinancement, TotalDeclare, Tranche

from ..factories import ActionFactory, FinanceurFactory, TrancheFactory

pytestmark = pytest.mark.django_db

D = Decimal


def codes(tranche):
    return [c.code for c in controler_tranche(tranche)]


def messages(tranche, code):
    return [c.message for c in controler_tranche(tranche) if c.code == code]


# The seeds: figures typed from the documents.
def test_it_reports_the_2019_pilier_3_subtotal_that_omits_a_line():
    tranche = Tranche.objects.get(annee=2019, numero=1)
    constats = [c for c in controler_tranche(tranche) if c.bloquant]
    assert [c.code for c in constats] == ["total_declare_ecart"]
    message = constats[0].message
    assert "« TOTAL PRIORITE 3 »" in message and "Pilier 3" in message
    assert "coût énoncé 734\u202f229\u202f€" in message
    assert "somme des lignes 772\u202f169\u202f€" in message
    assert "écart 37\u202f940\u202f€" in message


def test_it_finds_every_total_of_the_2024_deliberation_consistent():
    tranche = Tranche.objects.get(annee=2024, numero=1, contrat__nature="contrat_de_ville")
    assert not [c for c in controler_tranche(tranche) if c.bloquant]


def test_it_asks_for_a_convention_above_23000_euros_a_year_per_porteur_across_contracts():
    tranche = Tranche.objects.get(annee=2024, numero=1, contrat__nature="contrat_de_ville")
    concernes = {
        c.objets[0].porteur.nom for c in controler_tranche(tranche) if c.code == "convention_requise"
    }
    # 23 500, 26 000, 26 000, 26 300 and 25 800 € in the 2024 annex; PIMM'S (22 500 €) needs none;
    # AESIO gets 12 000 € here plus 94 000 € from the CLS the same year.
    assert concernes == {
        "AGASEF",
        "Centre social le Colibri",
        "Maison de quartier du Crêt de Roc",
        "Centre social du Babet",
        "Centre social Sisley",
        "AESIO Santé (Mutualité Française Loire, Haute-Loire, Puy-de-Dôme)",
    }


def test_it_asks_for_a_convention_for_every_investment_subsidy_of_2019():
    tranche = Tranche.objects.get(annee=2019, numero=1)
    investissement = [c.objets[0] for c in controler_tranche(tranche) if c.code == "convention_requise"]
    assert sum(a.section == "investissement" for a in investissement) == 10


def test_it_says_the_cls_action_has_no_known_cost():
    tranche = Tranche.objects.get(contrat__nature="cls", annee=2024, numero=3)
    assert "cout_inconnu" in codes(tranche)
    assert "enveloppe_depassee" not in codes(tranche)  # 94 000 € of 981 000 €


# Each rule on its own, on synthetic data.
def test_it_names_the_gap_of_a_stated_count():
    action = ActionFactory()
    TotalDeclare.objects.create(
        tranche=action.tranche, nature="recapitulatif", libelle="TOTAL", nombre_actions=2, montant=D("2500")
    )
    assert messages(action.tranche, "total_declare_ecart") == [
        "Tableau récapitulatif de la délibération « TOTAL » : nombre d'actions énoncé 2, "
        "somme des lignes 1, écart -1."
    ]


def test_it_finds_an_envelope_overrun_counting_the_earlier_tranches_of_the_year():
    premiere = ActionFactory(contribution=D("6000"), tranche__annee=2025, tranche__numero=1)
    contrat = premiere.contrat
    seconde = TrancheFactory(contrat=contrat, annee=2025, numero=2)
    ActionFactory(tranche=seconde, axe=premiere.axe, contribution=D("5000"))
    Enveloppe.objects.create(contrat=contrat, annee=2025, montant=D("10000"))
    assert "enveloppe_depassee" not in codes(premiere.tranche)
    assert messages(seconde, "enveloppe_depassee") == [
        f"Enveloppe « {contrat.intitule} 2025 » : 11\u202f000\u202f€ programmés pour 10\u202f000\u202f€ "
        "alloués, dépassement de 1\u202f000\u202f€."
    ]


def test_it_measures_a_financeur_envelope_on_its_cofinancements():
    action = ActionFactory(cout=D("50000"), contribution=D("1000"))
    etat = FinanceurFactory(collectivite=action.contrat.collectivite, nature="etat")
    Cofinancement.objects.create(action=action, financeur=etat, montant_sollicite=D("9000"))
    Enveloppe.objects.create(contrat=action.contrat, annee=action.annee, financeur=etat, montant=D("8000"))
    assert "dépassement de 1\u202f000\u202f€" in messages(action.tranche, "enveloppe_depassee")[0]


def test_it_refuses_a_financing_above_the_cost():
    action = ActionFactory(cout=D("10000"), contribution=D("6000"))
    caf = FinanceurFactory(collectivite=action.contrat.collectivite, nature="caf")
    Cofinancement.objects.create(action=action, financeur=caf, montant_accorde=D("4000.50"))
    assert messages(action.tranche, "financement_superieur_au_cout") == [
        f"« {action} » : contribution et cofinancements (10\u202f000,50\u202f€) dépassent le coût "
        "de l'action (10\u202f000\u202f€) de 0,50\u202f€."
    ]


@pytest.mark.parametrize(
    "statut_tranche, statut_action, attendu",
    [
        ("brouillon", "proposee", False),
        ("brouillon", "refusee", True),
        ("votee", "votee", False),
        ("votee", "deposee", True),
        ("soumise", "en_instruction", True),
    ],
)
def test_it_checks_statuses_against_the_tranche(statut_tranche, statut_action, attendu):
    action = ActionFactory(tranche__statut=statut_tranche, statut=statut_action)
    assert ("statut_incompatible" in codes(action.tranche)) is attendu


def test_it_blocks_an_action_without_axe():
    action = ActionFactory(axe=None, statut="proposee")
    assert messages(action.tranche, "sans_axe") == [f"« {action} » n'est rattachée à aucun défi."]


def test_it_keeps_the_convention_threshold_strict():
    action = ActionFactory(cout=D("90000"), contribution=D("23000"))
    assert "convention_requise" not in codes(action.tranche)
    action.contribution = D("23000.01")
    action.save()
    assert "convention_requise" in codes(action.tranche)


def test_it_applies_the_cite_de_l_emploi_rules():
    cite = Dispositif.objects.get(intitule="Cité de l'emploi")
    action = ActionFactory(
        tranche__contrat__collectivite=cite.collectivite,
        porteur__nature="entreprise",
        territoire="QPV et territoires vulnérables",
    )
    action.dispositif = cite
    action.save()
    assert set(codes(action.tranche)) >= {"porteur_non_eligible", "territoire_a_verifier"}
    veille = Quartier.objects.create(
        collectivite=action.contrat.collectivite,
        nom="La Chapelle",
        commune="Andrézieux-Bouthéon",
        nature="tv",
    )
    action.quartiers.add(veille)
    assert messages(action.tranche, "quartier_non_eligible") == [
        f"« {action} » : le dispositif « Cité de l'emploi » est réservé aux habitants des QPV ; "
        "hors QPV : Andrézieux-Bouthéon : La Chapelle."
    ]


def test_it_finds_nothing_to_block_on_a_clean_tranche():
    action = ActionFactory(statut="proposee", porteur__siret="73282932000074")
    assert controler_tranche(action.tranche) == []


def test_it_lists_the_porteurs_without_identifier_in_one_finding():
    tranche = Tranche.objects.get(contrat__nature="cls", annee=2024, numero=3)
    assert messages(tranche, "porteur_sans_identifiant") == [
        "1 porteur(s) sans SIRET ni numéro RNA, requis pour la convention, le versement et la publication "
        "des données : AESIO Santé (Mutualité Française Loire, Haute-Loire, Puy-de-Dôme)."
    ]
    constat = next(
        c
        for c in controler_tranche(Tranche.objects.get(contrat__nature="contrat_de_ville", annee=2024))
        if c.code == "porteur_sans_identifiant"
    )
    # The 49 rows of the 2024 annex (seed 000) name 36 distinct organisations, none with a SIRET or RNA.
    assert len(constat.objets) == 36


def test_it_checks_a_whole_year_against_its_envelopes():
    from programmation.controles import controler_annee

    premiere = ActionFactory(
        contribution=D("6000"), tranche__annee=2025, tranche__numero=1, statut="proposee"
    )
    seconde = TrancheFactory(contrat=premiere.contrat, annee=2025, numero=2)
    ActionFactory(tranche=seconde, axe=premiere.axe, contribution=D("5000"), statut="proposee")
    Enveloppe.objects.create(contrat=premiere.contrat, annee=2025, montant=D("10000"))
    assert [c.code for c in controler_annee(premiere.contrat, 2025) if c.bloquant] == ["enveloppe_depassee"]
    assert [c.code for c in controler_annee(premiere.contrat, 2026)] == []


def test_it_names_the_cap_as_it_was_typed_to_the_hundredth():
    action = ActionFactory(cout=D("10000"), contribution=D("2000"), statut="proposee")
    etat = FinanceurFactory(collectivite=action.contrat.collectivite, nom="État", nature="etat")
    Enveloppe.objects.create(
        contrat=action.contrat,
        annee=action.annee,
        financeur=etat,
        montant=D("490500"),
        taux_maximum=D("33.33"),
    )
    Cofinancement.objects.create(action=action, financeur=etat, montant_accorde=D("3334"))
    assert messages(action.tranche, "taux_depasse") == [
        f"« {action} » : la part de État (3\u202f334\u202f€) atteint 33,3\u202f% du coût "
        "(10\u202f000\u202f€), au-delà du plafond de 33,33\u202f%."
    ]


def test_it_caps_a_financeur_share_of_the_cost():
    action = ActionFactory(cout=D("10000"), contribution=D("2000"), statut="proposee")
    etat = FinanceurFactory(collectivite=action.contrat.collectivite, nom="État", nature="etat")
    Enveloppe.objects.create(
        contrat=action.contrat, annee=action.annee, financeur=etat, montant=D("490500"), taux_maximum=D("50")
    )
    Cofinancement.objects.create(action=action, financeur=etat, montant_accorde=D("5000"))
    assert "taux_depasse" not in codes(action.tranche)  # exactly 50 %
    Cofinancement.objects.filter(action=action).update(montant_accorde=D("6000"))
    assert messages(action.tranche, "taux_depasse") == [
        f"« {action} » : la part de État (6\u202f000\u202f€) atteint 60\u202f% du coût (10\u202f000\u202f€), "
        "au-delà du plafond de 50\u202f%."
    ]
