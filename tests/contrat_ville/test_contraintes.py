"""Absolute rules are enforced by the database, and explained in French by validation."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contrat_ville.validators import valider_rna, valider_siren
from deliberations.models import Presence
from programmation.models import Action, Cofinancement, Porteur, Tranche

from ..factories import (
    ActionFactory,
    EluFactory,
    FinanceurFactory,
    PorteurFactory,
    PresenceFactory,
    SeanceFactory,
    TrancheFactory,
)

pytestmark = pytest.mark.django_db


def rejette_en_base(fonction):
    with pytest.raises(IntegrityError), transaction.atomic():
        fonction()


def messages(exc):
    return " ".join(m for ms in exc.value.message_dict.values() for m in ms)


def test_it_refuses_a_negative_contribution():
    action = ActionFactory()
    rejette_en_base(lambda: Action.objects.filter(pk=action.pk).update(contribution=Decimal("-1")))
    action.contribution = Decimal("-1")
    with pytest.raises(ValidationError) as exc:
        action.full_clean()
    assert "La contribution ne peut pas être négative." in messages(exc)


def test_it_refuses_a_negative_cost_and_a_negative_cofinancement():
    action = ActionFactory()
    rejette_en_base(lambda: Action.objects.filter(pk=action.pk).update(cout=Decimal("-5")))
    financeur = FinanceurFactory(collectivite=action.contrat.collectivite)
    rejette_en_base(
        lambda: Cofinancement.objects.create(
            action=action, financeur=financeur, montant_accorde=Decimal("-10")
        )
    )


def test_it_refuses_a_contribution_above_the_cost():
    action = ActionFactory(cout=Decimal("1000"), contribution=Decimal("500"))
    rejette_en_base(lambda: Action.objects.filter(pk=action.pk).update(contribution=Decimal("1000.01")))
    action.contribution = Decimal("1500")
    with pytest.raises(ValidationError) as exc:
        action.full_clean()
    assert "La contribution ne peut pas dépasser le coût de l'action." in messages(exc)


def test_it_refuses_a_duplicate_tranche():
    tranche = TrancheFactory(annee=2025, numero=2)
    rejette_en_base(lambda: Tranche.objects.create(contrat=tranche.contrat, annee=2025, numero=2))
    doublon = Tranche(contrat=tranche.contrat, annee=2025, numero=2)
    with pytest.raises(ValidationError) as exc:
        doublon.full_clean()
    assert "Ce contrat a déjà une tranche de ce numéro pour cette année." in messages(exc)


def test_it_allows_the_same_tranche_number_another_year():
    tranche = TrancheFactory(annee=2025, numero=1)
    autre_annee = Tranche(contrat=tranche.contrat, annee=2026, numero=1)
    autre_annee.full_clean()
    autre_annee.save()
    tranches = Tranche.objects.filter(contrat=tranche.contrat).order_by("annee")
    assert list(tranches.values_list("annee", "numero")) == [(2025, 1), (2026, 1)]


@pytest.mark.parametrize(
    "siret, message",
    [
        ("1234", "exactement 14 chiffres"),
        ("7328293200007A", "exactement 14 chiffres"),
        ("73282932000075", "clé de contrôle incorrecte"),
        # Luhn-valid on 14 digits, but its SIREN 360759838 fails its own key.
        ("36075983867565", "clé de contrôle incorrecte"),
        # La Poste's numbers follow a digit-sum rule: this one's digits add up to 29.
        ("35600000012344", "clé de contrôle incorrecte"),
    ],
)
def test_it_refuses_an_invalid_siret(siret, message):
    porteur = PorteurFactory.build(siret=siret, collectivite=PorteurFactory().collectivite)
    with pytest.raises(ValidationError) as exc:
        porteur.full_clean()
    assert message in messages(exc)


@pytest.mark.parametrize(
    "siret",
    [
        "73282932000074",  # published example of the INSEE register
        "35600000000048",  # La Poste's head office
        "35600000049837",  # a La Poste establishment: not Luhn, digits add up to 45
    ],
)
def test_it_accepts_a_valid_siret(siret):
    collectivite = PorteurFactory().collectivite
    porteur = PorteurFactory.build(siret=siret, rna="W423001234", collectivite=collectivite)
    porteur.full_clean()
    porteur.save()
    assert Porteur.objects.get(pk=porteur.pk).siret == siret


def test_it_accepts_a_valid_siren_and_refuses_a_wrong_key():
    assert valider_siren("244200770") is None
    with pytest.raises(ValidationError, match="clé de contrôle incorrecte"):
        valider_siren("244200771")
    with pytest.raises(ValidationError, match="exactement 9 chiffres"):
        valider_siren("24420077")


def test_it_accepts_a_valid_rna():
    assert valider_rna("W423001234") is None


@pytest.mark.parametrize("rna", ["423001234", "W12345678", "w423001234", "W4230012345"])
def test_it_refuses_an_invalid_rna(rna):
    with pytest.raises(ValidationError, match="W suivi de 9 chiffres"):
        valider_rna(rna)


def test_it_refuses_a_malformed_siret_or_rna_in_the_database():
    porteur = PorteurFactory()
    rejette_en_base(lambda: Porteur.objects.filter(pk=porteur.pk).update(siret="123"))
    rejette_en_base(lambda: Porteur.objects.filter(pk=porteur.pk).update(rna="X123"))


def test_it_refuses_an_axe_of_another_contract():
    action = ActionFactory()
    autre = ActionFactory()
    action.axe = autre.axe
    with pytest.raises(ValidationError) as exc:
        action.full_clean()
    assert "Cet axe n'appartient pas au contrat de l'action." in messages(exc)


def test_it_refuses_a_second_pouvoir_for_the_same_mandataire():
    present = PresenceFactory()
    seance, collectivite = present.seance, present.seance.instance.collectivite
    Presence.objects.create(
        seance=seance,
        elu=EluFactory(collectivite=collectivite),
        etat="pouvoir",
        mandataire=present.elu,
    )
    rejette_en_base(
        lambda: Presence.objects.create(
            seance=seance,
            elu=EluFactory(collectivite=collectivite),
            etat="pouvoir",
            mandataire=present.elu,
        )
    )


def test_it_refuses_a_pouvoir_to_an_absent_member():
    seance = SeanceFactory()
    collectivite = seance.instance.collectivite
    absent = PresenceFactory(seance=seance, etat="excuse")
    pouvoir = Presence(
        seance=seance,
        elu=EluFactory(collectivite=collectivite),
        etat="pouvoir",
        mandataire=absent.elu,
    )
    with pytest.raises(ValidationError) as exc:
        pouvoir.full_clean()
    assert "Le mandataire doit être présent à la séance." in messages(exc)


def test_it_refuses_a_pouvoir_without_mandataire_and_a_member_twice():
    present = PresenceFactory()
    rejette_en_base(
        lambda: Presence.objects.create(
            seance=present.seance,
            elu=EluFactory(collectivite=present.seance.instance.collectivite),
            etat="pouvoir",
        )
    )
    rejette_en_base(lambda: Presence.objects.create(seance=present.seance, elu=present.elu, etat="excuse"))


def test_it_refuses_a_duplicate_deliberation_number_in_one_authority():
    from deliberations.models import Deliberation

    existante = Deliberation.objects.get(numero="2024.00230")
    rejette_en_base(
        lambda: Deliberation.objects.create(seance=existante.seance, numero="2024.00230", objet="Doublon")
    )


def test_it_refuses_a_malformed_actes_identifier():
    from deliberations.models import Deliberation

    d = Deliberation.objects.get(numero="2024.00230")
    d.identifiant_actes = "99_DE-042-244200770-20240516-D20240023010"
    with pytest.raises(ValidationError) as exc:
        d.full_clean()
    assert "DDD-SIREN-AAAAMMJJ-NUMERO-NA" in messages(exc)
