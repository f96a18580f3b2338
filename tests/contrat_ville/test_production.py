"""What an IT department checks before accepting the service: health, headers, login throttling,
password strength, sessions, production settings, logs."""

import json
import logging
import os
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from contrat_ville.journalisation import FormatJSON
from contrat_ville.models import DocumentGenere
from programmation import taches

from ..bases import manage

pytestmark = pytest.mark.django_db


def test_it_answers_the_health_check_when_the_database_and_the_queue_are_fine(client):
    from contrat_ville.management.commands.travailleur import battre

    battre("travailleur-en-vie")  # a document worker sent its heartbeat just now
    reponse = client.get(reverse("sante"))
    assert reponse.status_code == 200
    etat = reponse.json()
    assert etat["etat"] == "ok" and etat["base"]["etat"] == "ok"
    assert etat["documents"] == {"etat": "ok", "en_attente": 0, "en_cours": 0, "attente_la_plus_longue_s": 0}
    assert etat["travailleurs"]["etat"] == "ok" and etat["travailleurs"]["actifs"] == 1
    assert etat["travailleurs"]["dernier_signe_s"] <= 5
    assert "no-cache" in reponse["Cache-Control"]


def test_it_reports_a_document_queue_that_no_worker_empties(client, sem):
    document = DocumentGenere.objects.create(
        collectivite=sem, nature="annexe-pdf", objet_id=1, nom_fichier="annexe.pdf"
    )
    resultat = taches.produire_annexe_pdf.using(backend="default").enqueue(document.pk)
    assert client.get(reverse("sante")).status_code == 200  # just queued: a worker has time

    DBTaskResult.objects.filter(pk=resultat.id).update(enqueued_at=timezone.now() - timedelta(minutes=10))
    reponse = client.get(reverse("sante"))
    # The web still serves: a load balancer must keep it; the monitoring reads "degrade".
    assert reponse.status_code == 200 and reponse.json()["etat"] == "degrade"
    assert reponse.json()["documents"]["etat"] == "bloquee"
    assert reponse.json()["documents"]["en_attente"] == 1
    assert reponse.json()["documents"]["attente_la_plus_longue_s"] >= 600


def test_it_tells_the_health_poller_the_database_is_down_without_its_details(rf, monkeypatch):
    from django.db import OperationalError

    from contrat_ville import sante

    def panne():
        raise OperationalError('connection to server at "10.1.2.3", port 5432 failed: user "contrat"')

    monkeypatch.setattr(sante, "_base", panne)
    reponse = sante.sante(rf.get("/sante/"))
    assert reponse.status_code == 503
    assert json.loads(reponse.content) == {"base": {"etat": "injoignable"}}


def test_it_sends_a_content_security_policy_and_forbids_framing(client):
    reponse = client.get(reverse("login"))
    politique = reponse["Content-Security-Policy"]
    assert "default-src 'self'" in politique and "frame-ancestors 'none'" in politique
    assert "unsafe-inline" not in politique
    assert reponse["X-Frame-Options"] == "DENY"
    assert reponse["X-Content-Type-Options"] == "nosniff"


def _se_connecter(client, mot_de_passe):
    return client.post(reverse("login"), {"username": "agent-test", "password": mot_de_passe})


def test_it_locks_a_user_out_after_five_failed_logins(client, agent):
    agent.set_password("un-mot-de-passe-solide-2024")
    agent.save()
    for _ in range(4):
        assert _se_connecter(client, "mauvais").status_code == 200  # the form again, with its error
    verrou = _se_connecter(client, "mauvais")
    assert verrou.status_code == 429
    assert "Connexion suspendue" in verrou.content.decode()
    assert "pendant 15 minutes." in verrou.content.decode()
    # Even the right password is refused while the lock lasts.
    assert _se_connecter(client, "un-mot-de-passe-solide-2024").status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_locks_the_client_behind_the_proxy_not_the_proxy_itself(client, agent, settings):
    settings.NOMBRE_DE_PROXYS = 1
    agent.set_password("un-mot-de-passe-solide-2024")
    agent.save()

    def depuis(adresse, mot_de_passe):
        # Every request reaches us from nginx (REMOTE_ADDR 127.0.0.1); what a client writes itself
        # stands left of the address nginx appends.
        return client.post(
            reverse("login"),
            {"username": "agent-test", "password": mot_de_passe},
            HTTP_X_FORWARDED_FOR=f"10.0.0.1, {adresse}",
        )

    for _ in range(5):
        depuis("203.0.113.9", "mauvais")
    assert depuis("203.0.113.9", "un-mot-de-passe-solide-2024").status_code == 429
    assert depuis("198.51.100.7", "un-mot-de-passe-solide-2024").status_code == 302


def test_it_resets_the_failure_count_after_a_successful_login(client, agent):
    agent.set_password("un-mot-de-passe-solide-2024")
    agent.save()
    for _ in range(4):
        _se_connecter(client, "mauvais")
    assert _se_connecter(client, "un-mot-de-passe-solide-2024").status_code == 302
    client.logout()
    for _ in range(4):
        assert _se_connecter(client, "mauvais").status_code == 200


@pytest.mark.parametrize("mot_de_passe", ["court-2024", "123456789012345", "qwertyuiop123"])
def test_it_refuses_weak_passwords(mot_de_passe):
    with pytest.raises(ValidationError):
        validate_password(mot_de_passe)


def test_it_ends_sessions_after_a_working_day_and_with_the_browser(client, agent):
    agent.set_password("un-mot-de-passe-solide-2024")
    agent.save()
    _se_connecter(client, "un-mot-de-passe-solide-2024")
    assert client.session.get_expiry_age() == 8 * 3600
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]  # a browser-session cookie


def test_it_passes_the_deployment_checks_with_production_settings(tmp_path):
    environnement = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "une-cle-de-production-longue-et-aleatoire-0123456789-abcdefghijkl",
        "ALLOWED_HOSTS": "pdv.exemple.fr",
        "STATIC_ROOT": str(tmp_path),
    }
    # Set by the browser tests for Playwright's event loop; never in a deployment.
    environnement.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    assert "no issues" in manage("check", "--deploy", "--fail-level", "WARNING", environnement=environnement)


def test_it_writes_one_json_object_a_log_line():
    try:
        raise ValueError("panne")
    except ValueError:
        enregistrement = logging.LogRecord(
            "contrat_ville",
            logging.ERROR,
            __file__,
            1,
            "Échec du document %s",
            ("annexe.pdf",),
            sys.exc_info(),
        )
    ligne = json.loads(FormatJSON().format(enregistrement))
    assert ligne["level"] == "ERROR" and ligne["logger"] == "contrat_ville"
    assert ligne["message"] == "Échec du document annexe.pdf"
    assert "ValueError: panne" in ligne["exception"]


def test_it_closes_a_document_whose_worker_died(client, agent, sem, settings):
    settings.DOCUMENTS_DELAI_MAXIMAL = 60
    client.force_login(agent)
    abandonne = DocumentGenere.objects.create(
        collectivite=sem, nature="annexe-pdf", objet_id=1, nom_fichier="annexe.pdf", statut="en_cours"
    )
    DocumentGenere.objects.filter(pk=abandonne.pk).update(cree_le=timezone.now() - timedelta(minutes=5))
    recent = DocumentGenere.objects.create(
        collectivite=sem, nature="annexe-pdf", objet_id=2, nom_fichier="annexe.pdf", statut="en_cours"
    )
    page = client.get(reverse("document", args=[abandonne.pk])).content.decode()
    assert "s&#x27;est interrompu avant la fin" in page
    abandonne.refresh_from_db()
    recent.refresh_from_db()
    assert abandonne.statut == "echec" and abandonne.termine_le is not None
    assert recent.statut == "en_cours"  # its worker may still be at it


def test_it_saves_nothing_when_the_session_was_lost_and_says_so(client, agent):
    from programmation.models import Action

    actions = Action.objects.visibles_par(agent)  # the demo data holds two authorities
    action = actions.filter(tranche__isnull=True).first() or actions.first()
    client.force_login(agent)
    adresse = reverse("programmation:action_modifier", args=[action.pk])
    assert client.get(adresse).status_code == 200
    client.logout()  # the session is gone while the form is being filled
    reponse = client.post(adresse, {"intitule": "Changé sans session", "contribution": "1"})
    assert reponse.status_code == 302 and reponse["Location"].startswith(reverse("login"))
    action.refresh_from_db()
    assert action.intitule != "Changé sans session"
    page = client.get(reponse["Location"]).content.decode()
    assert "Si votre session a expiré" in page


def test_it_answers_503_with_retry_after_while_the_database_is_unreachable(rf):
    from django.db import OperationalError

    from contrat_ville.indisponible import BaseIndisponibleMiddleware

    middleware = BaseIndisponibleMiddleware(lambda request: None)
    reponse = middleware.process_exception(rf.get("/programmation/"), OperationalError("connexion refusée"))
    assert reponse.status_code == 503 and reponse["Retry-After"] == "30"
    assert "Rien n'a été enregistré" in reponse.content.decode()
    assert middleware.process_exception(rf.get("/"), ValueError("autre")) is None


def test_it_explains_refusals_and_missing_pages_in_french(client, elu):
    client.force_login(elu)
    introuvable = client.get("/programmation/actions/999999/")
    assert introuvable.status_code == 404 and "Page introuvable" in introuvable.content.decode()
    refus = client.post(reverse("programmation:action_creer"))
    assert refus.status_code == 403 and "Accès refusé" in refus.content.decode()


def test_it_speaks_french_to_a_browser_set_to_english(client, agent):
    client.force_login(agent)
    reponse = client.post(reverse("programmation:importation_deposer"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    texte = reponse.content.decode()
    assert reponse.status_code == 400
    assert "Ce champ est obligatoire." in texte and "This field is required." not in texte
    assert reponse["Content-Language"] == "fr"
