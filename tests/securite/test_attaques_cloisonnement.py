"""Attacks on the wall between authorities through the ORM and raw SQL: a row of Saint-Étienne-du-Rouvray
pointed at the Métropole's objects (or moved to the Métropole) is refused by the model on every write
path, and by PostgreSQL itself; the database is left exactly as it was."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from contrat_ville.models import Axe, Contrat, Enveloppe, Financeur, Quartier
from deliberations.models import Presence
from programmation.models import Action, Cofinancement, Porteur, Tranche

from ..empreinte import empreinte
from ..factories import DeliberationFactory, EluFactory, PresenceFactory, SeanceFactory

pytestmark = pytest.mark.django_db

AUTRE = "appartient à une autre collectivité"


@pytest.fixture
def action_sedr(sedr):
    return Action.objects.filter(contrat__collectivite=sedr).order_by("pk").first()


def _refuse(operation):
    avant = empreinte()
    with pytest.raises(ValidationError, match=AUTRE), transaction.atomic():
        operation()
    assert empreinte() == avant


def test_it_refuses_an_action_whose_porteur_belongs_to_another_authority(sem, action_sedr):
    action_sedr.porteur = Porteur.objects.filter(collectivite=sem).first()
    _refuse(action_sedr.save)
    _refuse(action_sedr.full_clean)


def test_it_refuses_the_same_through_update_and_bulk_create(sem, sedr, action_sedr):
    porteur_sem = Porteur.objects.filter(collectivite=sem).first()
    _refuse(lambda: Action.objects.filter(contrat__collectivite=sedr).update(porteur=porteur_sem))
    _refuse(lambda: Action.objects.filter(pk=action_sedr.pk).update(porteur_id=porteur_sem.pk))
    copie = Action(
        contrat=action_sedr.contrat,
        annee=action_sedr.annee,
        porteur=porteur_sem,
        intitule="Passager clandestin",
    )
    _refuse(lambda: Action.objects.bulk_create([copie]))


def test_it_refuses_moving_an_action_to_another_authoritys_contract(sem, action_sedr):
    action_sedr.contrat = Contrat.objects.filter(collectivite=sem).first()
    action_sedr.axe = None
    action_sedr.tranche = None
    _refuse(action_sedr.save)


def test_it_refuses_a_cofinancement_by_another_authoritys_financeur(sem, action_sedr):
    financeur_sem = Financeur.objects.filter(collectivite=sem).first()
    nouveau = Cofinancement(action=action_sedr, financeur=financeur_sem, montant_sollicite=1)
    _refuse(nouveau.save)
    _refuse(lambda: Cofinancement.objects.bulk_create([nouveau]))


def test_it_refuses_moving_a_contract_or_an_axe_to_another_authority(sem, sedr):
    contrat = Contrat.objects.filter(collectivite=sedr).first()
    contrat.collectivite = sem
    _refuse(contrat.save)
    _refuse(lambda: Contrat.objects.filter(collectivite=sedr).update(collectivite=sem))
    axe = Axe.objects.filter(contrat__collectivite=sedr).first()
    axe.contrat = Contrat.objects.filter(collectivite=sem).first()
    _refuse(axe.save)


def test_it_refuses_an_envelope_mixing_two_authorities(sem, sedr):
    enveloppe = Enveloppe(
        contrat=Contrat.objects.filter(collectivite=sedr).first(),
        annee=2024,
        financeur=Financeur.objects.filter(collectivite=sem).first(),
        montant=1,
    )
    _refuse(enveloppe.save)


def test_it_refuses_a_seance_or_a_presence_with_another_authoritys_elected_member(sem, sedr):
    seance = SeanceFactory(instance__collectivite=sedr)
    etranger = EluFactory(collectivite=sem)
    seance.president = etranger
    _refuse(seance.save)
    _refuse(lambda: Presence.objects.bulk_create([Presence(seance=seance, elu=etranger, etat="present")]))
    presence = PresenceFactory(seance=seance)
    presence.elu = etranger
    _refuse(presence.save)


def test_it_refuses_a_deliberation_on_another_authoritys_tranche(sem, sedr):
    deliberation = DeliberationFactory(seance__instance__collectivite=sedr, collectivite=sedr)
    deliberation.tranche = Tranche.objects.filter(contrat__collectivite=sem).first()
    _refuse(deliberation.save)


def test_it_still_writes_rows_of_one_authority(sedr, action_sedr):
    action_sedr.porteur = Porteur.objects.filter(collectivite=sedr).exclude(pk=action_sedr.porteur_id).first()
    action_sedr.save()
    assert Action.objects.get(pk=action_sedr.pk).porteur.collectivite_id == sedr.pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's triggers")
@pytest.mark.parametrize(
    "requete",
    [
        "UPDATE programmation_action SET porteur_id = {porteur_sem} WHERE id = {action}",
        "UPDATE contrat_ville_contrat SET collectivite_id = {sem} WHERE collectivite_id = {sedr}",
        "UPDATE programmation_porteur SET collectivite_id = {sem} WHERE collectivite_id = {sedr}",
        "INSERT INTO programmation_cofinancement (action_id, financeur_id) "
        "VALUES ({action}, {financeur_sem})",
        "INSERT INTO programmation_action_quartiers (action_id, quartier_id) "
        "VALUES ({action}, {quartier_sem})",
        "INSERT INTO deliberations_instance_membres (instance_id, elu_id) "
        "SELECT i.id, e.id FROM deliberations_instance i, deliberations_elu e "
        "WHERE i.collectivite_id = {sem} AND e.collectivite_id = {sedr} LIMIT 1",
    ],
)
def test_it_refuses_raw_sql_in_postgresql_itself(sem, sedr, action_sedr, requete):
    EluFactory(collectivite=sedr)
    valeurs = {
        "sem": sem.pk,
        "sedr": sedr.pk,
        "action": action_sedr.pk,
        "porteur_sem": Porteur.objects.filter(collectivite=sem).first().pk,
        "financeur_sem": Financeur.objects.filter(collectivite=sem).first().pk,
        "quartier_sem": Quartier.objects.filter(collectivite=sem).first().pk,
    }
    avant = empreinte()
    with pytest.raises(IntegrityError, match="Cloisonnement"), transaction.atomic(), connection.cursor() as c:
        c.execute(requete.format(**valeurs))
    assert empreinte() == avant


def test_it_refuses_the_same_through_bulk_update(sem, action_sedr):
    action_sedr.porteur = Porteur.objects.filter(collectivite=sem).first()
    _refuse(lambda: Action.objects.bulk_update([action_sedr], ["porteur"]))
