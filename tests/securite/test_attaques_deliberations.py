"""Attacks found by an audit: concurrent inscriptions, stamps dated in the future, formulas in the SCDL
files, login throttling past a forged X-Forwarded-For."""

import csv
import datetime
import io
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.urls import reverse
from django.utils import dateformat, timezone

from deliberations import opendata
from deliberations.models import Deliberation, Instance, Seance
from programmation.models import Tranche

from ..deliberations.test_opendata import SCHEMA_DELIBERATIONS, scdl_subventions, siret_de, valider
from ..empreinte import empreinte
from ..factories import (
    ActionFactory,
    CollectiviteFactory,
    PorteurFactory,
    PresenceFactory,
    SeanceFactory,
    TrancheFactory,
    seance_avec_membres,
    siren_valide,
)

pytestmark = pytest.mark.django_db

# --- 1. Concurrent inscriptions on one séance's agenda


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_it_gives_distinct_agenda_ranks_to_concurrent_inscriptions():
    seance = SeanceFactory(date=datetime.date(2025, 3, 20))
    nombre = 12
    depart = threading.Barrier(nombre, timeout=30)
    inscrites, erreurs = [], []

    def inscrire(i):
        try:
            depart.wait()
            inscrites.append(Deliberation.objects.inscrire(Seance.objects.get(pk=seance.pk), f"Point {i}"))
        except Exception as erreur:  # noqa: BLE001 - reported by the assertion below
            erreurs.append(erreur)
        finally:
            close_old_connections()
            connection.close()

    fils = [threading.Thread(target=inscrire, args=(i,)) for i in range(nombre)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=60)
    assert erreurs == []
    rangs = sorted(seance.deliberations.values_list("ordre_du_jour", flat=True))
    assert rangs == list(range(1, nombre + 1))
    assert len({d.numero for d in inscrites}) == nombre


def test_it_puts_each_inscription_at_the_end_of_the_agenda():
    seance = SeanceFactory(date=datetime.date(2025, 3, 20))
    premiere = Deliberation.objects.inscrire(seance, "Premier point")
    Deliberation.objects.filter(pk=premiere.pk).update(ordre_du_jour=7)
    assert Deliberation.objects.inscrire(seance, "Second point").ordre_du_jour == 8


# --- 2. The préfecture's stamps: between the séance and today


@pytest.fixture
def votee(sem):
    seance, _ = seance_avec_membres(membres=4, presents=3, instance=Instance.objects.get(collectivite=sem))
    deliberation = Deliberation.objects.inscrire(seance, "Point")
    deliberation.voter("unanimite")
    return deliberation


def test_it_refuses_a_reception_in_the_future_and_leaves_the_database_unchanged(client, agent, votee):
    client.force_login(agent)
    avant = empreinte()
    page = client.post(
        reverse("deliberations:prefecture", args=[votee.pk]),
        {
            "identifiant_actes": votee.identifiant_actes_calcule,
            "voie_transmission": "VIA DOTELEC - iXBus",
            "date_reception_prefecture": "2099-01-01",
            "mode_publication": "mise_en_ligne",
            "date_publication": "2025-03-28",
        },
        follow=True,
    ).content.decode()
    message = "Cette date est dans le futur : elle ne peut pas dépasser aujourd&#x27;hui, le {}."
    assert message.format(dateformat.format(timezone.localdate(), "j F Y")) in page
    assert empreinte() == avant
    votee.refresh_from_db()
    assert votee.date_reception_prefecture is None and not votee.est_executoire


@pytest.mark.parametrize("champ", ["date_reception_prefecture", "date_publication"])
def test_it_refuses_a_stamp_dated_tomorrow_in_the_model(votee, champ):
    setattr(votee, champ, timezone.localdate() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as erreur:
        votee.full_clean()
    assert list(erreur.value.message_dict) == [champ]
    assert "Cette date est dans le futur" in erreur.value.message_dict[champ][0]


@pytest.mark.parametrize("champ", ["date_reception_prefecture", "date_publication"])
def test_it_refuses_a_stamp_dated_before_the_seance(votee, champ):
    setattr(votee, champ, votee.seance.date - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as erreur:
        votee.full_clean()
    assert erreur.value.message_dict[champ] == ["Cette date précède la séance du 20 mars 2025."]


def test_it_accepts_stamps_of_the_seance_day_and_of_today(votee):
    votee.date_reception_prefecture = votee.seance.date
    votee.date_publication = timezone.localdate()
    votee.full_clean()


def test_it_offers_in_the_form_no_day_after_today_nor_before_the_seance(votee):
    from deliberations.forms import PrefectureForm

    champ = PrefectureForm(instance=votee)["date_reception_prefecture"]
    assert f'max="{timezone.localdate().isoformat()}"' in str(champ)
    assert 'min="2025-03-20"' in str(champ)


# --- 3. No formula in the SCDL files


@pytest.fixture
def hostile():
    """Free texts that a spreadsheet would run, in every text column of both SCDL files."""
    collectivite = CollectiviteFactory(nom="@SOMME(1+1) Communauté", code_departement="076")
    collectivite.siret = siret_de(collectivite.siren)
    collectivite.save()
    seance = SeanceFactory(instance__collectivite=collectivite, date=datetime.date(2025, 3, 20))
    for _ in range(3):
        PresenceFactory(seance=seance, etat="present")
    tranche = TrancheFactory(contrat__collectivite=collectivite, annee=2025, statut="soumise")
    Deliberation.objects.create(
        collectivite=collectivite,
        seance=seance,
        numero="-2+3",
        objet='=HYPERLINK("http://exemple.invalid","clic")',
        tranche=tranche,
        resultat_vote="unanimite",
        date_reception_prefecture=datetime.date(2025, 3, 25),
    )
    porteur = PorteurFactory(
        collectivite=collectivite, nom="+33 6 12 34 56 78", siret=siret_de(siren_valide(31000001))
    )
    ActionFactory(
        tranche=tranche,
        porteur=porteur,
        statut="votee",
        intitule="=" + "x" * 280,
        cout=Decimal(100000),
        contribution=Decimal("30000.50"),
    )
    Tranche.objects.filter(pk=tranche.pk).update(statut="votee")  # as the vote leaves it, content first
    return collectivite


def test_it_neutralises_formulas_in_the_subsidies_file_which_still_validates(hostile):
    export = opendata.exporter_subventions(hostile)
    (ligne,) = valider(export.contenu, scdl_subventions())
    assert ligne["nomAttribuant"] == "'@SOMME(1+1) Communauté"
    assert ligne["referenceDecision"] == "'-2+3"
    assert ligne["nomBeneficiaire"] == "'+33 6 12 34 56 78"
    assert ligne["objet"].startswith("'=xxx") and ligne["objet"].endswith("…")
    assert len(ligne["objet"]) == opendata.LONGUEUR_OBJET
    # Numbers, dates and identifiers are the schema's, untouched.
    assert ligne["montant"] == "30000.50"
    assert ligne["idAttribuant"] == hostile.siret
    assert ligne["dateConvention"] == "2025-03-20"


def test_it_neutralises_formulas_in_the_deliberations_file_which_still_validates(hostile):
    export = opendata.exporter_deliberations(hostile)
    (ligne,) = valider(export.contenu, SCHEMA_DELIBERATIONS)
    assert ligne["COLL_NOM"] == "'@SOMME(1+1) Communauté"
    assert ligne["DELIB_ID"] == "'-2+3"
    assert ligne["DELIB_OBJET"] == "'" + '=HYPERLINK("http://exemple.invalid","clic")'
    assert ligne["DELIB_DATE"] == "2025-03-20" and ligne["PREF_DATE"] == "2025-03-25"
    assert ligne["COLL_SIRET"] == hostile.siret and ligne["VOTE_POUR"] == "3"


@pytest.mark.parametrize(
    "debut",
    [
        "=",
        "+",
        "-",
        "@",
        "\t",
        "\r",
    ],
)
def test_it_neutralises_every_start_of_a_formula_in_a_text_cell(hostile, debut):
    # A voted text no longer changes: the hostile one is written as a draft, then voted again.
    deliberations = Deliberation.objects.filter(collectivite=hostile)
    deliberations.update(resultat_vote="")
    deliberations.update(objet=f"{debut}cmd|' /C calc'!A0")
    deliberations.update(resultat_vote="unanimite")
    contenu = opendata.exporter_deliberations(hostile).contenu.decode("utf-8")
    (ligne,) = csv.DictReader(io.StringIO(contenu, newline=""))
    assert ligne["DELIB_OBJET"] == f"'{debut}cmd|' /C calc'!A0"


# --- 4. Login throttling whatever X-Forwarded-For says


def _connexion(client, mot_de_passe, adresse, username="agent-test"):
    return client.post(
        reverse("login"),
        {"username": username, "password": mot_de_passe},
        HTTP_X_FORWARDED_FOR=adresse,
    )


@pytest.fixture
def mal_configure(settings, agent):
    """NOMBRE_DE_PROXYS says one proxy while clients reach the application directly: the address
    counted is the one each client writes itself."""
    settings.NOMBRE_DE_PROXYS = 1
    agent.set_password("un-mot-de-passe-solide-2024")
    agent.save()
    return agent


def test_it_locks_a_user_name_tried_from_a_new_forged_address_each_time(client, mal_configure):
    assert settings.AXES_ECHECS_PAR_IDENTIFIANT > settings.AXES_ECHECS_PAR_ADRESSE
    for i in range(settings.AXES_ECHECS_PAR_IDENTIFIANT - 1):
        # Past the per-address limit, each address still has one failure: not locked yet.
        assert _connexion(client, "mauvais", f"198.51.100.{i}").status_code == 200
    verrou = _connexion(client, "mauvais", "198.51.100.200")
    assert verrou.status_code == 429
    assert "Connexion suspendue" in verrou.content.decode()
    avant = empreinte()
    # Even the right password, from yet another address, is refused while the lock lasts.
    assert _connexion(client, "un-mot-de-passe-solide-2024", "203.0.113.50").status_code == 429
    assert "_auth_user_id" not in client.session
    assert empreinte() == avant


def test_it_spares_the_other_users_when_it_locks_a_user_name(client, mal_configure, elu):
    elu.set_password("un-autre-mot-de-passe-2024")
    elu.save()
    for i in range(settings.AXES_ECHECS_PAR_IDENTIFIANT):
        _connexion(client, "mauvais", f"198.51.100.{i}")
    assert _connexion(client, "un-mot-de-passe-solide-2024", "203.0.113.50").status_code == 429
    reponse = _connexion(client, "un-autre-mot-de-passe-2024", "203.0.113.50", username=elu.username)
    assert reponse.status_code == 302


def test_it_lets_the_user_log_in_while_others_fail_a_few_times_from_elsewhere(client, mal_configure):
    for i in range(settings.AXES_ECHECS_PAR_IDENTIFIANT - 1):
        _connexion(client, "mauvais", f"198.51.100.{i}")
    assert _connexion(client, "un-mot-de-passe-solide-2024", "203.0.113.50").status_code == 302


def test_it_still_locks_one_address_at_five_by_the_per_address_limit(client, mal_configure):
    for _ in range(settings.AXES_ECHECS_PAR_ADRESSE):
        _connexion(client, "mauvais", "198.51.100.1")
    assert _connexion(client, "un-mot-de-passe-solide-2024", "198.51.100.1").status_code == 429
    assert _connexion(client, "un-mot-de-passe-solide-2024", "203.0.113.50").status_code == 302
