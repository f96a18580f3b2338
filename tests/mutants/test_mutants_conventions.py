"""Conventions, their yearly amounts and the payments, rule by rule (issue 20: mutants of
programmation/models/conventions.py, since split into conventions.py, modeles_convention.py and
paiements.py)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from programmation.models import (
    Action,
    Convention,
    EcheanceConvention,
    ModeleConvention,
    Paiement,
    annoter_versements,
)
from programmation.models.modeles_convention import _texte, message_inconnus, remplir
from programmation.models.paiements import annee_des_soldes_dus

from ..factories import ActionFactory, ContratFactory

pytestmark = pytest.mark.django_db

D = Decimal


def agasef_2024():
    """The seeds' AGASEF action of 2024: 23 500 € granted by the voted tranche."""
    return Action.objects.get(annee=2024, porteur__nom="AGASEF", contribution=D("23500"))


def payer(action, montant, date="2024-07-01", nature="avance"):
    return Paiement.objects.enregistrer(
        action, nature=nature, date=datetime.date.fromisoformat(date), montant=D(montant)
    )


# A placeholder is replaced by its value; an unknown one is left as typed.
def test_it_fills_the_known_placeholders_and_leaves_the_others_as_typed():
    assert (
        remplir("{porteur} signe ; {inconnu} reste.", {"porteur": "AGASEF"})
        == "AGASEF signe ; {inconnu} reste."
    )


# The message names the unknown placeholders, then the possible ones, each between braces.
def test_it_names_the_unknown_placeholders_and_the_possible_ones():
    assert message_inconnus(["nom", "prix"], {"porteur": "", "montant": ""}) == (
        "Champ(s) inconnu(s) : {nom}, {prix}. Champs possibles : {porteur}, {montant}."
    )


# Each article of a model is a text field named by its title, the default text filled in.
def test_it_makes_each_article_a_field_named_by_its_title_with_its_default_text():
    champ = _texte("duree")
    assert champ.verbose_name == "Durée"
    assert champ.default == (
        "La convention est conclue pour une durée de {duree}, de l'exercice {annee_debut} à l'exercice "
        "{annee_fin}. Elle prend effet à sa signature par les deux parties."
    )


# A contract without its own model gets the default one, for that contract, not saved.
def test_it_gives_a_contract_without_its_own_model_the_default_one():
    contrat = ContratFactory(intitule="Contrat de ville")
    modele = ModeleConvention.pour(contrat)
    assert modele.pk is None
    assert modele.contrat == contrat
    assert str(modele) == f"Modèle de convention — {contrat}"


# A convention signed once cannot be signed again.
def test_it_refuses_to_sign_a_convention_twice():
    convention = Convention.objects.creer_pour(agasef_2024())
    convention.signer(datetime.date(2024, 6, 20), None, aujourd_hui=datetime.date(2024, 7, 1))
    with pytest.raises(ValidationError) as erreur:
        convention.signer(datetime.date(2024, 6, 21), None, aujourd_hui=datetime.date(2024, 7, 1))
    assert erreur.value.messages == ["Cette convention est déjà signée."]


# A yearly amount is named by its year and its amount.
def test_it_names_a_yearly_amount_by_its_year_and_amount():
    assert str(EcheanceConvention(annee=2025, montant=D("11750.50"))) == "2025 : 11\u202f750,50\u202f€"


# A payment is named by its nature, its date and its amount.
def test_it_names_a_payment_by_its_nature_date_and_amount():
    paiement = Paiement(nature="avance", date=datetime.date(2024, 7, 1), montant=D("11750"))
    assert str(paiement) == "Avance du 1 juillet 2024 : 11\u202f750\u202f€"


# An agent sees the payments of the actions of its authority only.
def test_it_shows_an_agent_the_payments_of_its_authority_only(agent, agent_sedr):
    paiement = payer(agasef_2024(), "100")
    assert list(Paiement.objects.visibles_par(agent)) == [paiement]
    assert list(Paiement.objects.visibles_par(agent_sedr)) == []


# The ceiling checked by the form: nothing to check without an action or an amount; a payment
# already recorded is not counted twice.
def test_it_checks_the_ceiling_in_the_form_only_with_an_action_and_an_amount_and_counts_a_payment_once():
    action = agasef_2024()
    Paiement(action=action, nature="avance", date=datetime.date(2024, 7, 1), montant=None).clean()
    Paiement(nature="avance", date=datetime.date(2024, 7, 1), montant=D("100")).clean()
    paiement = payer(action, "23500")
    paiement.clean()
    with pytest.raises(ValidationError):
        Paiement(action=action, nature="solde", date=datetime.date(2024, 7, 2), montant=D("0.01")).clean()


def signature(convention, date, aujourd_hui="2024-07-01"):
    """The messages of a refused signature, or [] when it is recorded."""
    try:
        convention.signer(datetime.date.fromisoformat(date), None, datetime.date.fromisoformat(aujourd_hui))
    except ValidationError as erreur:
        return erreur.messages
    return []


# A signature dated today is recorded; tomorrow is the future.
def test_it_lets_a_convention_be_signed_today_not_tomorrow():
    convention = Convention.objects.creer_pour(agasef_2024())
    assert signature(convention, "2024-07-02") == ["La date de signature ne peut pas être dans le futur."]
    assert signature(convention, "2024-07-01") == []


# A convention of 2024 may be signed from 2023 on, not in 2022.
def test_it_lets_a_convention_be_signed_the_year_before_its_first_year_not_earlier():
    convention = Convention.objects.creer_pour(agasef_2024())
    assert signature(convention, "2022-12-31") == [
        "Une convention de l'exercice 2024 n'a pu être signée en 2022."
    ]
    assert signature(convention, "2023-01-01") == []


# Signing records the signature only (a change left unsaved in memory stays unsaved); the voted action
# becomes « conventionnée » in its history, under the signing agent's name.
def test_it_records_at_signing_the_signature_only_and_the_agent_in_the_action_s_history(agent):
    action = agasef_2024()
    convention = Convention.objects.creer_pour(action)
    convention.objet = "Objet changé sans être enregistré"
    convention.signer(datetime.date(2024, 6, 20), agent, aujourd_hui=datetime.date(2024, 7, 1))
    enregistree = Convention.objects.get(pk=convention.pk)
    assert (enregistree.statut, enregistree.date_signature) == ("signee", datetime.date(2024, 6, 20))
    assert enregistree.objet == action.intitule
    derniere = action.modifications.first()
    assert (derniere.champ, derniere.avant, derniere.apres, derniere.auteur) == (
        "statut",
        "Votée",
        "Conventionnée",
        agent,
    )


def refus_de_convention(**champs):
    action = ActionFactory(intitule="Jardins", porteur__nom="Les Jardiniers", **champs)
    with pytest.raises(ValidationError) as erreur:
        Convention.objects.creer_pour(action)
    return erreur.value.messages


# No convention for the authority's own action, a refused or abandoned one, or one without subsidy;
# one euro is a subsidy.
def test_it_refuses_a_convention_with_its_reason():
    assert refus_de_convention(maitrise_ouvrage_collectivite=True) == [
        "Une action portée par la collectivité elle-même n'a pas de convention."
    ]
    assert refus_de_convention(statut="refusee") == [
        "« Jardins / Les Jardiniers » est refusée : pas de convention."
    ]
    assert refus_de_convention(statut="abandonnee") == [
        "« Jardins / Les Jardiniers » est abandonnée : pas de convention."
    ]
    assert refus_de_convention(contribution=D("0")) == [
        "« Jardins / Les Jardiniers » n'a pas de subvention à conventionner."
    ]
    convention = Convention.objects.creer_pour(ActionFactory(contribution=D("1")))
    assert [(e.annee, e.montant) for e in convention.echeances.all()] == [(2025, D("1"))]


# The drafts a vote approves: the conventions to sign of this tranche's actions, in their order.
def test_it_approves_at_a_vote_the_conventions_to_sign_of_its_tranche_only():
    premiere = ActionFactory()
    tranche = premiere.tranche
    seconde = ActionFactory(tranche=tranche, axe=premiere.axe)
    signee = ActionFactory(tranche=tranche, axe=premiere.axe)
    ailleurs = ActionFactory()
    conventions = [Convention.objects.creer_pour(a) for a in (premiere, seconde, signee, ailleurs)]
    conventions[2].signer(datetime.date(2025, 1, 2), None, aujourd_hui=datetime.date(2025, 1, 2))
    assert list(Convention.objects.approuvees_par(tranche)) == conventions[:2]


# A CPO runs from the action's year to the contract's last one, shares equal to the cent (the rest on
# the first year); it names the act of the vote and the action's title.
def test_it_runs_a_multi_year_convention_to_the_contract_s_end_with_equal_shares():
    action = ActionFactory(
        intitule="Jardins", statut="proposee", contribution=D("100"), convention_pluriannuelle=True
    )
    action.tranche.verrouiller("Délibération n°2025.00001")
    action.refresh_from_db()
    convention = Convention.objects.creer_pour(action)
    assert (
        convention.objet,
        convention.annee_debut,
        convention.duree_annees,
        convention.annee_fin,
        convention.reference_deliberation,
    ) == ("Jardins", 2025, 6, 2030, "Délibération n°2025.00001")
    assert [(e.annee, e.montant) for e in convention.echeances.all()] == [
        (2025, D("16.70")),
        (2026, D("16.66")),
        (2027, D("16.66")),
        (2028, D("16.66")),
        (2029, D("16.66")),
        (2030, D("16.66")),
    ]


# An action in no tranche has no act of vote to name.
def test_it_names_no_deliberation_in_a_convention_of_an_action_in_no_tranche():
    action = ActionFactory(tranche=None, contrat=ContratFactory(), annee=2025)
    assert Convention.objects.creer_pour(action).reference_deliberation == ""


# The balance of a year is due once its compte rendu financier is: on 30 June of the next year, the
# last balance due is the year before the last; from 1 July, the last year's.
def test_it_moves_the_last_balance_due_on_the_first_of_july():
    assert annee_des_soldes_dus(datetime.date(2025, 6, 30)) == 2023
    assert annee_des_soldes_dus(datetime.date(2025, 7, 1)) == 2024


def convention_signee(signee_le, annees=(2024, 2025, 2026), montant="100.04", avance="37"):
    """A convention of 2024 onwards, signed on `signee_le`, of `montant` a year, `avance` % paid first."""
    action = ActionFactory(tranche__annee=2024, cout=D("90000"), contribution=D(montant) * len(annees))
    convention = Convention.objects.create(
        action=action,
        objet="Jardins",
        annee_debut=annees[0],
        duree_annees=len(annees),
        pourcentage_avance=D(avance),
        statut="signee",
        date_signature=signee_le,
    )
    for annee in annees:
        EcheanceConvention.objects.create(convention=convention, annee=annee, montant=D(montant))
    return action


def echu(action, jour):
    return annoter_versements(Action.objects.filter(pk=action.pk), jour).get().montant_echu


# Each advance is rounded to the cent (37 % of 100,04 € is 37,01 €), the balance is the rest; on
# 1 January 2026 the three advances and the 2024 balance are due: 3 × 37,01 + 63,03 €.
def test_it_rounds_the_advance_to_the_cent_and_makes_the_rest_the_balance():
    action = convention_signee(datetime.date(2024, 1, 15))
    assert echu(action, datetime.date(2026, 1, 1)) == D("174.06")


# Nothing is due before signature; the first year's advance is due at signature, even the year before.
def test_it_makes_the_first_advance_due_at_signature_even_the_year_before():
    action = convention_signee(datetime.date(2023, 12, 15), annees=(2024,))
    assert echu(action, datetime.date(2023, 12, 14)) == D("0")
    assert echu(action, datetime.date(2023, 12, 15)) == D("37.01")


# A convention resiliated has nothing more due, though it was signed.
def test_it_makes_nothing_due_under_a_resiliated_convention():
    action = convention_signee(datetime.date(2024, 1, 15))
    Convention.objects.filter(action=action).update(statut="resiliee")
    assert echu(action, datetime.date(2026, 1, 1)) == D("0")
