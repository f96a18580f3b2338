"""Budget checks of a tranche and of a year, rule by rule, with their figures (issue 20: mutants of
programmation/controles.py)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contrat_ville.models import Collectivite, Dispositif, Enveloppe, Quartier
from programmation.controles import (
    Constat,
    Gravite,
    constats_en_resume,
    controler_annee,
    controler_tranche,
    dont_non_renseignes,
    suivi_enveloppes,
    taux,
)
from programmation.models import Action, Cofinancement, Convention, Porteur, TotalDeclare
from programmation.obligations import raison_convention

from ..factories import ActionFactory, AxeFactory, ContratFactory, FinanceurFactory, TrancheFactory

pytestmark = pytest.mark.django_db

D = Decimal


def codes(constats):
    return [c.code for c in constats]


def messages(tranche, code):
    return [c.message for c in controler_tranche(tranche) if c.code == code]


# A year: the envelopes once, then each tranche's own findings; blocking ones first.
def test_it_checks_each_tranche_of_the_year_and_puts_blocking_findings_first():
    action = ActionFactory(axe=None, statut="proposee", tranche__annee=2025, contribution=D("2500"))
    Enveloppe.objects.create(contrat=action.contrat, annee=2025, montant=D("1000"))
    assert codes(controler_annee(action.contrat, 2025)) == [
        "enveloppe_depassee",
        "sans_axe",
        "porteur_sans_identifiant",
    ]


# « (dont 2 coûts non renseignés) »: singular for one, nothing for none.
def test_it_counts_the_unknown_costs_in_words():
    assert dont_non_renseignes(0) == ""
    assert dont_non_renseignes(1) == " (dont 1 coût non renseigné)"
    assert dont_non_renseignes(2) == " (dont 2 coûts non renseignés)"


# An envelope of one axe counts that axe's actions only.
def test_it_counts_only_the_actions_of_that_axe_in_an_envelope_of_an_axe():
    action = ActionFactory(contribution=D("2500"), statut="proposee")
    autre_axe = AxeFactory(contrat=action.contrat)
    ActionFactory(tranche=action.tranche, axe=autre_axe, contribution=D("2500"), statut="proposee")
    enveloppe = Enveloppe.objects.create(
        contrat=action.contrat, annee=action.annee, axe=action.axe, montant=D("3000")
    )
    assert messages(action.tranche, "enveloppe_depassee") == []
    enveloppe.montant = D("2000")
    enveloppe.save()
    assert messages(action.tranche, "enveloppe_depassee") == [
        f"Enveloppe « {enveloppe} » : 2\u202f500\u202f€ programmés pour 2\u202f000\u202f€ alloués, "
        "dépassement de 500\u202f€."
    ]


# An envelope of one section counts that section's actions only.
def test_it_counts_only_the_actions_of_that_section_in_an_envelope_of_a_section():
    action = ActionFactory(contribution=D("2500"), statut="proposee", section="investissement")
    ActionFactory(
        tranche=action.tranche, axe=action.axe, contribution=D("2500"), statut="proposee", cout=D("90000")
    )
    enveloppe = Enveloppe.objects.create(
        contrat=action.contrat, annee=action.annee, section="investissement", montant=D("3000")
    )
    assert messages(action.tranche, "enveloppe_depassee") == []
    enveloppe.montant = D("2000")
    enveloppe.save()
    assert messages(action.tranche, "enveloppe_depassee") == [
        f"Enveloppe « {enveloppe} » : 2\u202f500\u202f€ programmés pour 2\u202f000\u202f€ alloués, "
        "dépassement de 500\u202f€."
    ]


# The summary shown above the findings: blocking ones and warnings counted apart.
def test_it_sums_up_blocking_findings_and_warnings_apart():
    constats = [
        Constat(Gravite.BLOQUANT, "sans_axe", "a"),
        Constat(Gravite.AVERTISSEMENT, "cout_inconnu", "b"),
        Constat(Gravite.AVERTISSEMENT, "convention_requise", "c"),
    ]
    assert constats_en_resume(constats) == {"bloquants": 1, "avertissements": 2}
    assert constats_en_resume([]) == {"bloquants": 0, "avertissements": 0}


# Findings follow the annex: the axes' order first, then the actions' order within the tranche.
def test_it_lists_the_findings_in_the_order_of_the_axes_then_of_the_actions():
    premiere = ActionFactory(cout=None, ordre=1, axe__ordre=2, statut="proposee", intitule="Jardins")
    seconde = ActionFactory(
        tranche=premiere.tranche,
        axe=AxeFactory(contrat=premiere.contrat, ordre=1),
        cout=None,
        ordre=2,
        statut="proposee",
        intitule="Médiation",
    )
    assert [c.objets[0] for c in controler_tranche(premiere.tranche) if c.code == "cout_inconnu"] == [
        seconde,
        premiere,
    ]


def tranche_cite_de_l_emploi(nombre):
    """A tranche of `nombre` actions of the Cité de l'emploi, each with a quartier and a cofinancement."""
    cite = Dispositif.objects.get(intitule="Cité de l'emploi")
    tranche = TrancheFactory(contrat__collectivite=cite.collectivite)
    axe = AxeFactory(contrat=tranche.contrat)
    caf = FinanceurFactory(collectivite=cite.collectivite, nature="caf")
    quartier = Quartier.objects.create(
        collectivite=cite.collectivite, nom=f"Quartier {nombre}", commune="Saint-Étienne", nature="qpv"
    )
    for _ in range(nombre):
        action = ActionFactory(tranche=tranche, axe=axe, dispositif=cite, statut="proposee")
        action.quartiers.add(quartier)
        Cofinancement.objects.create(action=action, financeur=caf, montant_accorde=D("100"))
    return tranche


# Porteur, dispositif, quartiers and cofinancements read with the actions: as many queries for 3 as for 1.
def test_it_checks_a_tranche_in_as_many_queries_whatever_its_number_of_actions():
    une, trois = tranche_cite_de_l_emploi(1), tranche_cite_de_l_emploi(3)
    with CaptureQueriesContext(connection) as pour_une:
        controler_tranche(une)
    with CaptureQueriesContext(connection) as pour_trois:
        constats = controler_tranche(trois)
    assert codes(constats) == ["porteur_sans_identifiant"]
    assert len(pour_trois) == len(pour_une)


# Within a tranche too, blocking findings come before warnings, whatever the order of the rules.
def test_it_puts_the_blocking_findings_of_a_tranche_before_its_warnings():
    action = ActionFactory(axe=None, cout=None, statut="proposee")
    assert codes(controler_tranche(action.tranche)) == [
        "sans_axe",
        "cout_inconnu",
        "porteur_sans_identifiant",
    ]


# A stated cost against the known costs: the unknown ones said, the stated total's axe named.
def test_it_says_how_many_costs_are_unknown_in_a_cost_gap_of_an_axe():
    action = ActionFactory(cout=D("6000"), contribution=D("2500"), axe__numero=4, axe__intitule="Emploi")
    ActionFactory(tranche=action.tranche, axe=action.axe, cout=D("4000"), contribution=D("2500"))
    ActionFactory(tranche=action.tranche, axe=action.axe, cout=None, contribution=D("2500"))
    ActionFactory(tranche=action.tranche, cout=None)  # another axe: outside the stated total
    TotalDeclare.objects.create(
        tranche=action.tranche, nature="annexe", libelle="TOTAL DEFI 4", axe=action.axe, cout=D("12000")
    )
    assert messages(action.tranche, "total_declare_ecart") == [
        "Total d'une annexe « TOTAL DEFI 4 » (Défi 4 : Emploi) : coût énoncé 12 000 €, "
        "somme des lignes 10 000 € (dont 1 coût non renseigné), écart -2 000 €."
    ]


def tranche_aux_totaux_faux(nombre):
    """A tranche whose `nombre` stated totals, one per axe, each miss their axe's amount."""
    tranche = TrancheFactory()
    for i in range(nombre):
        action = ActionFactory(tranche=tranche, porteur__siret="73282932000074", statut="proposee")
        TotalDeclare.objects.create(
            tranche=tranche, nature="annexe", libelle=f"TOTAL {i}", axe=action.axe, montant=D("1"), ordre=i
        )
    return tranche


# The stated totals read with their axe and its contract: as many queries for 3 as for 1.
def test_it_names_the_axes_of_stated_totals_without_a_query_each():
    une, trois = tranche_aux_totaux_faux(1), tranche_aux_totaux_faux(3)
    with CaptureQueriesContext(connection) as pour_une:
        assert len(controler_tranche(une)) == 1
    with CaptureQueriesContext(connection) as pour_trois:
        assert len(controler_tranche(trois)) == 3
    assert len(pour_trois) == len(pour_une)


# A stated amount granted: named as such in the finding.
# (the unknown costs are said for a stated cost only), the stated total given as the finding's object.
def test_it_names_the_gap_of_a_stated_amount_granted():
    action = ActionFactory(contribution=D("2500"), cout=None)
    total = TotalDeclare.objects.create(
        tranche=action.tranche, nature="texte", libelle="Montant", montant=D("3000")
    )
    constat = next(c for c in controler_tranche(action.tranche) if c.code == "total_declare_ecart")
    assert constat.message == (
        "Montant énoncé dans le texte « Montant » : montant accordé énoncé 3\u202f000\u202f€, "
        "somme des lignes 2\u202f500\u202f€, écart -500\u202f€."
    )
    assert constat.objets == (total,)


# The envelopes of the contract and year only, each with what is consumed and what remains; the axe
# (with its contract) and the financeur read with them.
def test_it_follows_the_envelopes_of_the_contract_and_year_with_what_remains():
    action = ActionFactory(contribution=D("2500"), tranche__annee=2025)
    caf = FinanceurFactory(collectivite=action.contrat.collectivite, nature="collectivite")
    enveloppe = Enveloppe.objects.create(
        contrat=action.contrat, annee=2025, axe=action.axe, financeur=caf, montant=D("10000")
    )
    Enveloppe.objects.create(contrat=action.contrat, annee=2026, montant=D("1"))
    Enveloppe.objects.create(
        contrat=ContratFactory(collectivite=action.contrat.collectivite), annee=2025, montant=D("1")
    )
    suivi = suivi_enveloppes(action.contrat, 2025)
    assert suivi == [(enveloppe, D("2500"), D("7500"))]
    with CaptureQueriesContext(connection) as lectures:
        assert str(suivi[0][0].axe).startswith("Défi ")
        assert suivi[0][0].financeur == caf
    assert len(lectures) == 0


# An envelope used to the cent is not overrun; one cent more is.
def test_it_finds_an_envelope_consumed_exactly_not_overrun():
    action = ActionFactory(contribution=D("2500"), statut="proposee")
    enveloppe = Enveloppe.objects.create(contrat=action.contrat, annee=action.annee, montant=D("2500"))
    assert messages(action.tranche, "enveloppe_depassee") == []
    enveloppe.montant = D("2499.99")
    enveloppe.save()
    assert messages(action.tranche, "enveloppe_depassee") == [
        f"Enveloppe « {enveloppe} » : 2\u202f500\u202f€ programmés pour 2\u202f499,99\u202f€ alloués, "
        "dépassement de 0,01\u202f€."
    ]


def constat(tranche, code):
    (trouve,) = [c for c in controler_tranche(tranche) if c.code == code]
    return trouve


# An unknown cost: a warning naming the action, the action as its object.
def test_it_warns_of_an_unknown_cost_and_points_at_the_action():
    action = ActionFactory(cout=None, intitule="Jardins partagés", porteur__nom="Les Jardiniers")
    trouve = constat(action.tranche, "cout_inconnu")
    assert trouve.gravite == Gravite.AVERTISSEMENT
    assert trouve.message == (
        "« Jardins partagés / Les Jardiniers » : coût de l'action non renseigné, la part de la collectivité "
        "et des cofinanceurs ne peut pas être contrôlée."
    )
    assert trouve.objets == (action,)


# An overrun envelope: blocking, the envelope as its object.
def test_it_points_at_the_overrun_envelope():
    action = ActionFactory(contribution=D("2500"))
    enveloppe = Enveloppe.objects.create(contrat=action.contrat, annee=action.annee, montant=D("1000"))
    trouve = constat(action.tranche, "enveloppe_depassee")
    assert trouve.gravite == Gravite.BLOQUANT
    assert trouve.objets == (enveloppe,)


# Contribution and cofinancements exactly equal to the cost: not above it. One cent more: blocking.
def test_it_blocks_a_financing_above_the_cost_only_beyond_it():
    action = ActionFactory(cout=D("10000"), contribution=D("6000"))
    caf = FinanceurFactory(collectivite=action.contrat.collectivite, nature="caf")
    Cofinancement.objects.create(action=action, financeur=caf, montant_accorde=D("4000"))
    assert messages(action.tranche, "financement_superieur_au_cout") == []
    Cofinancement.objects.filter(action=action).update(montant_accorde=D("4000.01"))
    trouve = constat(action.tranche, "financement_superieur_au_cout")
    assert trouve.gravite == Gravite.BLOQUANT
    assert trouve.objets == (action,)


def plafond(contrat, annee, financeur, taux="50"):
    return Enveloppe.objects.create(
        contrat=contrat, annee=annee, financeur=financeur, montant=D("100000"), taux_maximum=D(taux)
    )


# A cap applies to the contract and year of its envelope only; a cap without financeur caps nobody.
def test_it_applies_the_caps_of_the_tranche_s_contract_and_year_only():
    action = ActionFactory(cout=D("10000"), contribution=D("2000"), tranche__annee=2025)
    etat = FinanceurFactory(collectivite=action.contrat.collectivite, nature="etat")
    Cofinancement.objects.create(action=action, financeur=etat, montant_accorde=D("6000"))
    plafond(action.contrat, 2026, etat)
    plafond(ContratFactory(collectivite=action.contrat.collectivite), 2025, etat)
    Enveloppe.objects.create(contrat=action.contrat, annee=2025, montant=D("100000"), taux_maximum=D("10"))
    assert messages(action.tranche, "taux_depasse") == []
    plafond(action.contrat, 2025, etat)
    assert len(messages(action.tranche, "taux_depasse")) == 1


def tranche_plafonnee(nombre):
    """A tranche of one action cofinanced by `nombre` financeurs, each capped at 10 % and above it."""
    action = ActionFactory(cout=D("10000"), contribution=D("100"), porteur__siret="73282932000074")
    for _ in range(nombre):
        financeur = FinanceurFactory(collectivite=action.contrat.collectivite, nature="caf")
        Cofinancement.objects.create(action=action, financeur=financeur, montant_accorde=D("1500"))
        plafond(action.contrat, action.annee, financeur, taux="10")
    return action.tranche


# The caps read with their financeur, in one query whatever their number.
def test_it_reads_the_caps_with_their_financeur_in_one_query():
    tranche = tranche_plafonnee(3)
    actions = list(tranche.actions.select_related("porteur").prefetch_related("cofinancements"))
    with CaptureQueriesContext(connection) as lectures:
        assert len(list(taux(tranche, actions))) == 3
    assert len(lectures) == 1


# A cap skips the actions the financeur does not fund and those of unknown cost, and goes on to the next.
def test_it_caps_each_action_the_financeur_funds_and_points_at_the_action_and_its_envelope():
    sans_part = ActionFactory(cout=D("10000"), contribution=D("100"), ordre=1)
    tranche, contrat = sans_part.tranche, sans_part.contrat
    etat = FinanceurFactory(collectivite=contrat.collectivite, nature="etat")
    sans_cout = ActionFactory(tranche=tranche, axe=sans_part.axe, cout=None, contribution=D("100"), ordre=2)
    Cofinancement.objects.create(action=sans_cout, financeur=etat, montant_accorde=D("6000"))
    au_dela = ActionFactory(
        tranche=tranche, axe=sans_part.axe, cout=D("10000"), contribution=D("100"), ordre=3
    )
    Cofinancement.objects.create(action=au_dela, financeur=etat, montant_accorde=D("6000"))
    enveloppe = plafond(contrat, tranche.annee, etat)
    trouve = constat(tranche, "taux_depasse")
    assert trouve.gravite == Gravite.BLOQUANT
    assert trouve.objets == (au_dela, enveloppe)


# Each rule's finding: its severity, its message and what it points at.
def test_it_blocks_a_status_the_tranche_does_not_expect():
    action = ActionFactory(statut="refusee", intitule="Jardins", porteur__nom="Les Jardiniers")
    trouve = constat(action.tranche, "statut_incompatible")
    assert (trouve.gravite, trouve.message, trouve.objets) == (
        Gravite.BLOQUANT,
        "« Jardins / Les Jardiniers » est « Refusée » dans une tranche « Brouillon ».",
        (action,),
    )


def test_it_blocks_an_action_without_axe_and_points_at_it():
    action = ActionFactory(axe=None, statut="proposee")
    trouve = constat(action.tranche, "sans_axe")
    assert (trouve.gravite, trouve.objets) == (Gravite.BLOQUANT, (action,))


# An action carried by the authority itself needs no axe.
def test_it_asks_no_axe_of_an_action_carried_by_the_authority():
    action = ActionFactory(axe=None, statut="proposee", maitrise_ouvrage_collectivite=True)
    assert messages(action.tranche, "sans_axe") == []


# Porteurs without SIRET nor RNA: each named once, in the order of the actions, as the objects.
def test_it_names_each_porteur_without_identifier_once():
    premiere = ActionFactory(porteur__nom="Les Jardiniers", ordre=1)
    tranche = premiere.tranche
    ActionFactory(tranche=tranche, axe=premiere.axe, porteur=premiere.porteur, ordre=2)
    seconde = ActionFactory(tranche=tranche, axe=premiere.axe, porteur__nom="Médiaterre", ordre=3)
    ActionFactory(tranche=tranche, axe=premiere.axe, porteur__siret="73282932000074", ordre=4)
    trouve = constat(tranche, "porteur_sans_identifiant")
    assert (trouve.gravite, trouve.message, trouve.objets) == (
        Gravite.AVERTISSEMENT,
        "2 porteur(s) sans SIRET ni numéro RNA, requis pour la convention, le versement et la publication "
        "des données : Les Jardiniers, Médiaterre.",
        (premiere.porteur, seconde.porteur),
    )


LOI_2000 = (
    "loi n° 2000-321 du 12 avril 2000, art. 10 et décret n° 2001-495 du 6 juin 2001 "
    "(plus de 23\u202f000\u202f€ par an à un organisme de droit privé)"
)


def action_de(nature="association", **champs):
    """An action of 2025 (not saved) of a porteur named « Les Jardiniers » of this nature."""
    return Action(annee=2025, porteur=Porteur(nom="Les Jardiniers", nature=nature), **champs)


def raison(action, annuel, **regles):
    return raison_convention(action, D(annuel), Collectivite(**regles))


# The law: above 23 000 € a year to a private body, strictly; never for the authority's own actions.
def test_it_asks_by_law_a_convention_of_a_private_body_above_23000_euros():
    assert raison(action_de(), "23000") is None
    obligation = raison(action_de(), "23000.01")
    assert (obligation.code, obligation.motif, obligation.regle, obligation.legale) == (
        "loi",
        "23\u202f000,01\u202f€ accordés en 2025 à « Les Jardiniers », au-delà de 23\u202f000\u202f€",
        LOI_2000,
        True,
    )
    assert str(obligation) == (
        "23\u202f000,01\u202f€ accordés en 2025 à « Les Jardiniers », au-delà de 23\u202f000\u202f€ ; "
        + LOI_2000
    )
    assert raison(action_de("autre"), "30000").code == "loi"
    assert raison(action_de(maitrise_ouvrage_collectivite=True), "30000") is None


# A public body (collectivité, bailleur, établissement public) only if the authority says so.
@pytest.mark.parametrize("nature", ["collectivite", "bailleur", "etablissement_public"])
def test_it_has_a_public_body_sign_a_convention_only_under_the_authority_s_rule(nature):
    assert raison(action_de(nature), "30000") is None
    obligation = raison(action_de(nature), "30000", convention_organismes_publics=True)
    assert (obligation.code, obligation.motif, obligation.regle, obligation.legale) == (
        "organisme_public",
        "30\u202f000\u202f€ accordés en 2025 à « Les Jardiniers », au-delà de 23\u202f000\u202f€",
        "règle de la collectivité : politique de conventionnement de la collectivité (organisme public)",
        False,
    )
    assert raison(action_de(nature), "23000", convention_organismes_publics=True) is None


# A local threshold, strictly above it; public bodies under it only if the authority says so.
def test_it_asks_a_convention_above_a_local_threshold():
    regles = {
        "convention_seuil_local": D("10000"),
        "convention_regle_locale": "  délibération n°2021.00123  ",
    }
    assert raison(action_de(), "10000", **regles) is None
    obligation = raison(action_de(), "10000.01", **regles)
    assert (obligation.code, obligation.motif, obligation.regle) == (
        "seuil_local",
        "10\u202f000,01\u202f€ accordés en 2025 à « Les Jardiniers », au-delà de 10\u202f000\u202f€",
        "règle de la collectivité : délibération n°2021.00123 (seuil local de 10\u202f000\u202f€)",
    )
    assert raison(action_de("bailleur"), "15000", **regles) is None
    assert raison(action_de("bailleur"), "15000", convention_organismes_publics=True, **regles).code == (
        "seuil_local"
    )
    assert raison(action_de(), "30000").code == "loi"


# Investment subsidies if the authority says so, whoever the porteur; else a CPO chosen for the action.
def test_it_asks_a_convention_for_an_investment_subsidy_or_a_multi_year_one():
    assert raison(action_de(section="investissement"), "100") is None
    obligation = raison(
        action_de("bailleur", section="investissement"), "100", convention_investissement=True
    )
    assert (obligation.code, obligation.motif, obligation.regle) == (
        "investissement",
        "subvention d'investissement",
        "règle de la collectivité : politique de conventionnement de la collectivité "
        "(subvention d'investissement)",
    )
    assert raison(action_de(), "100", convention_investissement=True) is None
    obligation = raison(action_de(convention_pluriannuelle=True), "100")
    assert (obligation.code, obligation.motif, obligation.regle) == (
        "pluriannuelle",
        "convention pluriannuelle d'objectifs",
        "convention pluriannuelle d'objectifs retenue pour l'action",
    )
    assert raison(action_de(), "100") is None


# A porteur's year: its grants of all the authority's contracts that year, refused, abandoned and
# authority-carried actions aside; a convention already recorded silences the finding.
def test_it_sums_a_porteur_s_year_across_contracts_before_asking_a_convention():
    action = ActionFactory(contribution=D("13000"), cout=D("90000"), tranche__annee=2025, ordre=1)
    porteur, collectivite = action.porteur, action.contrat.collectivite
    ailleurs = TrancheFactory(contrat__collectivite=collectivite, annee=2025)
    for statut, montant in (("proposee", "10000"), ("refusee", "50000"), ("abandonnee", "50000")):
        ActionFactory(
            tranche=ailleurs, porteur=porteur, contribution=D(montant), cout=D("90000"), statut=statut
        )
    ActionFactory(
        tranche=ailleurs,
        porteur=porteur,
        contribution=D("50000"),
        cout=D("90000"),
        maitrise_ouvrage_collectivite=True,
    )
    ActionFactory(
        tranche__contrat=ailleurs.contrat,
        tranche__annee=2026,
        porteur=porteur,
        contribution=D("50000"),
        cout=D("90000"),
    )
    assert messages(action.tranche, "convention_requise") == []
    seconde = ActionFactory(
        tranche=action.tranche, axe=action.axe, porteur=porteur, contribution=D("0.01"), ordre=2
    )
    # Another porteur of the tranche, above the threshold on its own: its sum stays its own.
    autre = ActionFactory(
        tranche=action.tranche, axe=action.axe, contribution=D("30000"), cout=D("90000"), ordre=3
    )
    constats = [c for c in controler_tranche(action.tranche) if c.code == "convention_requise"]
    assert [c.objets for c in constats][-1:] == [(autre,)]
    constats = constats[:-1]
    accorde = f"23\u202f000,01\u202f€ accordés en 2025 à « {porteur} », au-delà de 23\u202f000\u202f€"
    assert [(c.gravite, c.message, c.objets) for c in constats] == [
        (
            Gravite.AVERTISSEMENT,
            f"« {action} » : convention obligatoire ({accorde} ; {LOI_2000}), aucune convention enregistrée.",
            (action,),
        ),
        (
            Gravite.AVERTISSEMENT,
            f"« {seconde} » : convention obligatoire ({accorde} ; {LOI_2000}), "
            "aucune convention enregistrée.",
            (seconde,),
        ),
    ]
    Convention.objects.create(action=action, objet=action.intitule, annee_debut=2025)
    assert [c.objets for c in controler_tranche(action.tranche) if c.code == "convention_requise"] == [
        (seconde,),
        (autre,),
    ]


# A dispositif's rules: the porteurs' natures it lists (spaces and empty items ignored), QPV residents.
def test_it_applies_a_dispositif_s_rules_with_their_messages():
    action = ActionFactory(
        porteur__nature="entreprise",
        porteur__nom="Emploi SA",
        intitule="Chantier",
        territoire="Quartier de Veille active",
        ordre=2,
    )
    # Before it in the tranche, an action of no dispositif: the rules go on to the next action.
    ActionFactory(tranche=action.tranche, axe=action.axe, ordre=1)
    dispositif = Dispositif.objects.create(
        collectivite=action.contrat.collectivite,
        intitule="Emploi QPV",
        natures_porteur_eligibles=" association, collectivite ,",
        residents_qpv_uniquement=True,
    )
    action.dispositif = dispositif
    action.save()
    assert [
        (c.gravite, c.code, c.message, c.objets)
        for c in controler_tranche(action.tranche)
        if c.code in ("porteur_non_eligible", "quartier_non_eligible", "territoire_a_verifier")
    ] == [
        (
            Gravite.BLOQUANT,
            "porteur_non_eligible",
            "« Chantier / Emploi SA » : le dispositif « Emploi QPV » n'est ouvert qu'aux porteurs de nature "
            "association, collectivité ; « Emploi SA » est « entreprise ».",
            (action,),
        ),
        (
            Gravite.AVERTISSEMENT,
            "territoire_a_verifier",
            "« Chantier / Emploi SA » : territoire « Quartier de Veille active » ; "
            "le dispositif « Emploi QPV » exclut les territoires vulnérables et quartiers de veille active.",
            (action,),
        ),
    ]
    action.porteur.nature = "association"
    action.porteur.save()
    action.territoire = "Territoire VULNÉRABLE"
    action.save()
    assert codes(controler_tranche(action.tranche))[-1:] == ["territoire_a_verifier"]
    qpv = Quartier.objects.create(
        collectivite=action.contrat.collectivite, nom="Montreynaud", commune="Saint-Étienne", nature="qpv"
    )
    tv = Quartier.objects.create(
        collectivite=action.contrat.collectivite, nom="La Chapelle", commune="Andrézieux", nature="tv"
    )
    qva = Quartier.objects.create(
        collectivite=action.contrat.collectivite, nom="Bel Air", commune="Firminy", nature="qva"
    )
    action.quartiers.add(qpv, tv, qva)
    trouve = constat(action.tranche, "quartier_non_eligible")
    assert (trouve.gravite, trouve.message, trouve.objets) == (
        Gravite.BLOQUANT,
        "« Chantier / Emploi SA » : le dispositif « Emploi QPV » est réservé aux habitants des QPV ; "
        "hors QPV : Andrézieux : La Chapelle, Firminy : Bel Air.",
        (action,),
    )
    assert "territoire_a_verifier" not in codes(controler_tranche(action.tranche))
    action.quartiers.remove(tv, qva)
    action.territoire = "Montreynaud"
    action.save()
    assert [c for c in codes(controler_tranche(action.tranche)) if "eligible" in c or "territoire" in c] == []


# A dispositif that lists no nature of porteur is open to all.
def test_it_opens_a_dispositif_without_natures_to_every_porteur():
    action = ActionFactory(porteur__nature="entreprise")
    action.dispositif = Dispositif.objects.create(collectivite=action.contrat.collectivite, intitule="Ouvert")
    action.save()
    assert messages(action.tranche, "porteur_non_eligible") == []


# A refused action grants nothing: whatever its amount, even above a local threshold, no convention.
def test_it_asks_no_convention_of_a_refused_action_alone_even_under_a_local_threshold():
    action = ActionFactory(statut="refusee", contribution=D("2500"))
    collectivite = action.contrat.collectivite
    collectivite.convention_seuil_local = D("0.50")
    collectivite.save()
    assert messages(action.tranche, "convention_requise") == []


# Within one axe, the actions' own order.
def test_it_lists_the_findings_of_an_axe_in_the_order_of_its_actions():
    seconde = ActionFactory(cout=None, ordre=2, statut="proposee")
    premiere = ActionFactory(tranche=seconde.tranche, axe=seconde.axe, cout=None, ordre=1, statut="proposee")
    assert [c.objets[0] for c in controler_tranche(seconde.tranche) if c.code == "cout_inconnu"] == [
        premiere,
        seconde,
    ]


# A stated total of an axe's subsidies leaves out the actions the authority carries itself.
def test_it_leaves_the_authority_s_own_actions_out_of_a_stated_total_of_an_axe():
    action = ActionFactory(contribution=D("2500"))
    ActionFactory(
        tranche=action.tranche, axe=action.axe, contribution=D("1000"), maitrise_ouvrage_collectivite=True
    )
    TotalDeclare.objects.create(
        tranche=action.tranche, nature="annexe", libelle="TOTAL", axe=action.axe, montant=D("2500")
    )
    assert messages(action.tranche, "total_declare_ecart") == []


# A financeur's envelope: its own cofinancements of the year's actions, nobody else's.
def test_it_counts_in_a_financeur_envelope_its_own_cofinancements_of_the_year_only():
    action = ActionFactory(cout=D("50000"), contribution=D("1000"), tranche__annee=2025)
    etat = FinanceurFactory(collectivite=action.contrat.collectivite, nature="etat")
    caf = FinanceurFactory(collectivite=action.contrat.collectivite, nature="caf")
    Cofinancement.objects.create(action=action, financeur=etat, montant_accorde=D("5000"))
    Cofinancement.objects.create(action=action, financeur=caf, montant_accorde=D("5000"))
    plus_tard = ActionFactory(tranche__contrat=action.contrat, tranche__annee=2026, cout=D("50000"))
    Cofinancement.objects.create(action=plus_tard, financeur=etat, montant_accorde=D("5000"))
    enveloppe = Enveloppe.objects.create(
        contrat=action.contrat, annee=2025, financeur=etat, montant=D("8000")
    )
    assert messages(action.tranche, "enveloppe_depassee") == []
    Cofinancement.objects.filter(action=action, financeur=etat).update(montant_accorde=D("9000"))
    assert messages(action.tranche, "enveloppe_depassee") == [
        f"Enveloppe « {enveloppe} » : 9\u202f000\u202f€ programmés pour 8\u202f000\u202f€ alloués, "
        "dépassement de 1\u202f000\u202f€."
    ]


# The envelopes read with their financeur: one query for them, then one per envelope for its consumption.
def test_it_follows_the_envelopes_in_one_query_plus_one_per_envelope():
    action = ActionFactory(tranche__annee=2025)
    for _ in range(3):
        financeur = FinanceurFactory(collectivite=action.contrat.collectivite, nature="etat")
        Enveloppe.objects.create(contrat=action.contrat, annee=2025, financeur=financeur, montant=D("1"))
    with CaptureQueriesContext(connection) as lectures:
        assert len(suivi_enveloppes(action.contrat, 2025)) == 3
    assert len(lectures) == 1 + 3
