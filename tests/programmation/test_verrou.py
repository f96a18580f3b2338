"""A voted tranche's amounts are locked: every way in refuses a change, with the same clear message."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contrat_ville.models import Financeur
from programmation.models import Action, Cofinancement, Tranche

from ..factories import ActionFactory, tranche_votee_avec_cofinancement

pytestmark = pytest.mark.django_db

VERROU = "est votée : ses montants sont verrouillés"


@pytest.fixture
def tranche():
    """Composed, then adopted: locked, with a cofinancement recorded before the vote."""
    tranche = tranche_votee_avec_cofinancement(Decimal("3000"))
    assert tranche.est_verrouillee
    return tranche


@pytest.fixture
def action(tranche):
    return tranche.actions.get()


def _montants(action):
    action = Action.objects.get(pk=action.pk)
    cofinancements = list(
        action.cofinancements.order_by("pk").values_list("montant_sollicite", "montant_accorde")
    )
    return action.cout, action.contribution, action.section, action.tranche_id, cofinancements


def _valeurs(form):
    """What the browser would post back for a form as it is shown."""
    donnees = {}
    for champ in form:
        valeur = champ.value()
        if valeur is None or valeur is False:
            continue
        donnees[champ.html_name] = [str(v) for v in valeur] if isinstance(valeur, list) else valeur
    return donnees


def test_it_refuses_a_new_amount_in_the_model(action):
    action.contribution += 1000
    with pytest.raises(ValidationError, match=VERROU):
        action.full_clean()


def test_it_refuses_in_the_model_moving_the_action_out_of_the_tranche(action):
    action.tranche = None
    with pytest.raises(ValidationError, match=VERROU):
        action.full_clean()


def test_it_keeps_the_locked_amounts_in_the_web_form_whatever_is_posted(client, agent, action):
    avant = _montants(action)
    client.force_login(agent)
    adresse = reverse("programmation:action_modifier", args=[action.pk])
    page = client.get(adresse)
    assert "Verrouillé : la tranche est votée." in page.content.decode()
    # The cofinancements are shown read-only: no formset; a hand-made one is ignored.
    assert page.context["formset"] is None
    cofinancement = action.cofinancements.get()
    donnees = _valeurs(page.context["form"]) | {
        "contribution": "999999",
        "cout": "999999",
        "section": "investissement",
        "cofinancements-TOTAL_FORMS": "1",
        "cofinancements-INITIAL_FORMS": "1",
        "cofinancements-0-id": str(cofinancement.pk),
        "cofinancements-0-financeur": str(cofinancement.financeur_id),
        "cofinancements-0-montant_sollicite": "123456",
        "cofinancements-0-DELETE": "on",
    }
    client.post(adresse, donnees)
    assert _montants(action) == avant


def test_it_refuses_a_new_amount_in_the_admin_change_form(client, admin_user, action):
    avant = _montants(action)
    client.force_login(admin_user)
    adresse = reverse("admin:programmation_action_change", args=[action.pk])
    page = client.get(adresse)
    donnees = _valeurs(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        donnees |= _valeurs(inline.formset.management_form)
        for form in inline.formset.forms:
            donnees |= _valeurs(form)
    donnees["contribution"] = "999999"
    reponse = client.post(adresse, donnees)
    assert reponse.status_code == 200 and VERROU in reponse.content.decode()
    assert _montants(action) == avant


def test_it_refuses_a_new_amount_in_the_admin_tranche_inline(client, admin_user, tranche, action):
    avant = _montants(action)
    client.force_login(admin_user)
    adresse = reverse("admin:programmation_tranche_change", args=[tranche.pk])
    page = client.get(adresse)
    donnees = _valeurs(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        donnees |= _valeurs(inline.formset.management_form)
        for form in inline.formset.forms:
            donnees |= _valeurs(form)
            if inline.formset.model is Action and form.instance.pk == action.pk:
                donnees[form["contribution"].html_name] = "999999"
    reponse = client.post(adresse, donnees)
    assert VERROU in reponse.content.decode()
    assert _montants(action) == avant


def test_it_neither_changes_adds_nor_deletes_a_cofinancement(action):
    cofinancement = action.cofinancements.first()
    cofinancement.montant_sollicite = Decimal("1")
    with pytest.raises(ValidationError, match=VERROU):
        cofinancement.full_clean()
    nouveau = Cofinancement(
        action=action,
        financeur=Financeur.objects.exclude(pk__in=action.cofinancements.values("financeur")).first(),
        montant_sollicite=Decimal("10"),
    )
    with pytest.raises(ValidationError, match=VERROU):
        nouveau.full_clean()
    with pytest.raises(ValidationError, match=VERROU):
        Cofinancement.objects.get(pk=cofinancement.pk).delete()
    assert Cofinancement.objects.filter(pk=cofinancement.pk).exists()


def test_it_refuses_on_bulk_paths_too_as_an_import_or_a_script_would_use_them(action):
    avant = _montants(action)
    with pytest.raises(ValidationError, match=VERROU):
        Action.objects.filter(pk=action.pk).update(contribution=0)
    action.contribution = Decimal("1")
    with pytest.raises(ValidationError, match=VERROU):
        Action.objects.bulk_update([action], ["contribution"])
    with pytest.raises(ValidationError, match=VERROU):
        Cofinancement.objects.filter(action=action).update(montant_accorde=0)
    with pytest.raises(ValidationError, match=VERROU):
        Cofinancement.objects.filter(action=action).delete()
    with pytest.raises(ValidationError, match=VERROU):
        Action.objects.filter(pk=action.pk).delete()
    assert _montants(action) == avant


def test_it_still_changes_what_is_not_locked_on_bulk_paths(action):
    # An import that rewrites the same amounts, or other fields, goes through.
    Action.objects.bulk_update([action], ["contribution", "intitule"])
    Action.objects.filter(pk=action.pk).update(objectifs="Objectifs précisés.")
    assert Action.objects.get(pk=action.pk).objectifs == "Objectifs précisés."


def test_it_neither_adds_nor_removes_in_the_tranche_composer(client, agent, tranche, action):
    client.force_login(agent)
    reponse = client.post(
        reverse("programmation:tranche_retirer", args=[tranche.pk]), {"action": action.pk}, follow=True
    )
    assert "seule une tranche en brouillon se compose" in reponse.content.decode()
    hors_tranche = ActionFactory(
        tranche=None, contrat=tranche.contrat, annee=tranche.annee, axe=action.axe, statut="proposee"
    )
    reponse = client.post(
        reverse("programmation:tranche_ajouter", args=[tranche.pk]), {"action": hors_tranche.pk}, follow=True
    )
    assert "seule une tranche en brouillon se compose" in reponse.content.decode()
    assert Action.objects.get(pk=hors_tranche.pk).tranche_id is None
    assert Action.objects.get(pk=action.pk).tranche_id == tranche.pk


def test_it_refuses_through_the_model_methods_of_the_tranche(tranche, action):
    with pytest.raises(ValidationError, match="seule une tranche en brouillon"):
        tranche.retirer(action)


def test_it_does_not_let_a_voted_tranche_go_back_to_draft(tranche):
    tranche.statut = "brouillon"
    with pytest.raises(ValidationError, match=VERROU):
        tranche.full_clean()
    with pytest.raises(ValidationError, match=VERROU):
        Tranche.objects.filter(pk=tranche.pk).update(statut="brouillon")
    assert Tranche.objects.get(pk=tranche.pk).est_verrouillee


def test_it_shows_on_the_tranche_the_date_of_the_vote_not_of_its_recording(client, agent, time_machine):
    import datetime

    from ..factories import ActionFactory

    votee = Tranche.objects.get(contrat__nature="contrat_de_ville", annee=2024, numero=1)
    tranche = Tranche.objects.creer_suivante(votee.contrat, 2024)
    axe = votee.actions.first().axe
    tranche.ajouter(
        ActionFactory(tranche=None, contrat=votee.contrat, annee=2024, axe=axe, statut="proposee")
    )
    # Recorded weeks after the vote: the day of the recording is kept for the journal, not shown.
    time_machine.move_to(datetime.datetime(2024, 6, 3, 10, tzinfo=datetime.UTC), tick=False)
    tranche.verrouiller("Délibération n°2024.00230", le=datetime.date(2024, 5, 16))
    tranche.refresh_from_db()
    assert tranche.votee_le == datetime.date(2024, 5, 16)
    assert tranche.verrouillee_le == datetime.datetime(2024, 6, 3, 10, tzinfo=datetime.UTC)
    client.force_login(agent)
    page = client.get(reverse("programmation:tranche", args=[tranche.pk])).content.decode()
    assert "Votée, votée le 16 mai 2024 (Délibération n°2024.00230)" in page
    assert "verrouillée le" not in page
    liste = client.get(reverse("programmation:tranches")).content.decode()
    assert "Votée le 16 mai 2024" in liste


def test_it_dates_in_the_migration_the_tranches_voted_before_it(agent):
    import datetime
    import importlib

    from django.apps import apps

    migration = importlib.import_module("programmation.migrations.0009_masse_et_reconduction")
    tranche = tranche_votee_avec_cofinancement(Decimal("100"))
    Tranche.objects.filter(pk=tranche.pk).update(
        votee_le=None, verrouillee_le=datetime.datetime(2024, 5, 16, 22, 30, tzinfo=datetime.UTC)
    )
    migration.dater_les_votes(apps, None)
    # 22:30 UTC is already the 17th in Paris: the day as the authority lived it.
    assert Tranche.objects.get(pk=tranche.pk).votee_le == datetime.date(2024, 5, 17)
