"""Where users get the documents: tranche and délibération pages, downloads, the background worker."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from contrat_ville.models import DocumentGenere
from deliberations.models import Deliberation
from programmation.models import Tranche

from ..bases import charger_la_metropole
from ..factories import ActionFactory, CollectiviteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tranche_2024():
    return Tranche.objects.get(annee=2024, numero=1, contrat__nature="contrat_de_ville")


def test_it_shows_the_tranche_with_its_checks_and_buttons(client, agent, tranche_2024):
    client.force_login(agent)
    page = client.get(reverse("programmation:tranche", args=[tranche_2024.pk])).content.decode()
    assert "0 bloquant" in page
    assert "7 avertissements" in page  # 6 conventions to record, 1 list of porteurs without SIRET
    assert reverse("programmation:tranche_annexe_pdf", args=[tranche_2024.pk]) in page
    assert reverse("programmation:tranche_annexe_xlsx", args=[tranche_2024.pk]) in page
    assert "2\u202f696\u202f021\u202f€" in page


def test_it_shows_a_clean_tranche_in_green(client, agent):
    action = ActionFactory(statut="proposee", porteur__siret="73282932000074")
    agent.collectivite = action.contrat.collectivite
    agent.save()
    client.force_login(agent)
    page = client.get(reverse("programmation:tranche", args=[action.tranche.pk])).content.decode()
    assert 'class="etat-ok"' in page and "Aucune anomalie" in page


def test_it_downloads_the_annex_as_pdf_and_xlsx(client, elu, tranche_2024):
    client.force_login(elu)
    pdf = client.get(reverse("programmation:tranche_annexe_pdf", args=[tranche_2024.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="2024-T1-annexe.pdf"'
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) >= 5
    xlsx = client.get(reverse("programmation:tranche_annexe_xlsx", args=[tranche_2024.pk]))
    assert xlsx["Content-Disposition"] == 'attachment; filename="2024-T1-annexe.xlsx"'
    assert xlsx.content[:2] == b"PK"


def test_it_downloads_the_extract_from_the_deliberation_page(client, agent):
    client.force_login(agent)
    deliberation = Deliberation.objects.get(numero="2024.00230")
    page = client.get(reverse("deliberations:deliberation", args=[deliberation.pk])).content.decode()
    lien = reverse("deliberations:extrait_pdf", args=[deliberation.pk])
    assert lien in page and "042-244200770-20240516-D20240023010-DE" in page
    reponse = client.get(lien)
    assert reponse["Content-Disposition"] == 'attachment; filename="2024.00230-extrait.pdf"'
    assert reponse.content.startswith(b"%PDF")


def test_it_names_the_cls_annex_after_its_contract(client, agent):
    client.force_login(agent)
    cls = Tranche.objects.get(contrat__nature="cls")
    reponse = client.get(reverse("programmation:tranche_annexe_xlsx", args=[cls.pk]))
    assert reponse["Content-Disposition"] == 'attachment; filename="CLS-2024-T3-annexe.xlsx"'


def test_it_sends_an_anonymous_visitor_to_the_login_page(client, tranche_2024):
    for lien in [
        reverse("programmation:tranches"),
        reverse("programmation:tranche", args=[tranche_2024.pk]),
        reverse("programmation:tranche_annexe_pdf", args=[tranche_2024.pk]),
        reverse("deliberations:liste"),
    ]:
        reponse = client.get(lien)
        assert reponse.status_code == 302 and reponse["Location"].startswith(reverse("login"))


def test_it_hides_another_authority_s_documents(client, tranche_2024):
    from contrat_ville.models import User

    autre = User.objects.create_user("autre", password="x", collectivite=CollectiviteFactory())
    from contrat_ville.roles import AGENTS, synchroniser_roles

    agents, _ = synchroniser_roles()
    assert agents.name == AGENTS
    autre.groups.add(agents)
    client.force_login(autre)
    assert client.get(reverse("programmation:tranche", args=[tranche_2024.pk])).status_code == 404
    assert client.get(reverse("programmation:tranche_annexe_pdf", args=[tranche_2024.pk])).status_code == 404
    deliberation = Deliberation.objects.get(numero="2024.00230")
    assert client.get(reverse("deliberations:extrait_pdf", args=[deliberation.pk])).status_code == 404
    assert "2024 T1" not in client.get(reverse("programmation:tranches")).content.decode()


def test_it_lists_tranches_with_a_constant_number_of_queries(client, agent, django_assert_num_queries):
    client.force_login(agent)
    lien = reverse("programmation:tranches")
    client.get(lien)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as avant:
        client.get(lien)
    sem = agent.collectivite
    for _ in range(30):
        ActionFactory(tranche__contrat__collectivite=sem, porteur__collectivite=sem)
    with django_assert_num_queries(len(avant)):
        page = client.get(lien)
    assert page.content.decode().count("/programmation/tranches/") >= 33


@pytest.fixture
def base_partagee(transactional_db):
    """Committed data, as the worker needs: it closes the connection it shares with the test."""
    charger_la_metropole("sem_referentiel", "sem_programmation", "sem_deliberations")


@pytest.mark.django_db(transaction=True)
def test_it_makes_a_large_document_in_the_background(base_partagee, client, agent, settings, tmp_path):
    tranche_2024 = Tranche.objects.get(annee=2024, numero=1, contrat__nature="contrat_de_ville")
    settings.DOCUMENTS_SEUIL_ARRIERE_PLAN = 10
    settings.MEDIA_ROOT = tmp_path
    client.force_login(agent)
    reponse = client.get(reverse("programmation:tranche_annexe_pdf", args=[tranche_2024.pk]))
    document = DocumentGenere.objects.get()
    assert reponse.status_code == 302 and reponse["Location"] == reverse("document", args=[document.pk])
    attente = client.get(reponse["Location"]).content.decode()
    assert "Production en cours" in attente and 'http-equiv="refresh"' in attente

    call_command("travailleur", "--batch", "--no-startup-delay", verbosity=0)

    document.refresh_from_db()
    assert (document.statut, document.progression, document.nom_fichier) == (
        "pret",
        100,
        "2024-T1-annexe.pdf",
    )
    pret = client.get(reverse("document", args=[document.pk])).content.decode()
    assert "Le document est prêt." in pret and "refresh" not in pret
    fichier = client.get(reverse("document_telecharger", args=[document.pk]))
    contenu = b"".join(fichier.streaming_content)
    assert "NOS QUARTIERS REVELENT" in " ".join(
        p.extract_text() for p in PdfReader(io.BytesIO(contenu)).pages
    )


@pytest.mark.django_db(transaction=True)
def test_it_reports_a_failed_document_instead_of_leaving_it_running(
    base_partagee, client, agent, settings, tmp_path
):
    settings.DOCUMENTS_SEUIL_ARRIERE_PLAN = 0
    settings.MEDIA_ROOT = tmp_path
    action = ActionFactory(
        tranche__contrat__collectivite=agent.collectivite, porteur__collectivite=agent.collectivite
    )
    client.force_login(agent)
    client.get(reverse("programmation:tranche_annexe_pdf", args=[action.tranche.pk]))
    document = DocumentGenere.objects.get()
    action.tranche.actions.all().delete()
    action.tranche.delete()  # the tranche disappears before the worker gets to it

    call_command("travailleur", "--batch", "--no-startup-delay", verbosity=0)

    document.refresh_from_db()
    assert document.statut == "echec" and "DoesNotExist" in document.erreur
    page = client.get(reverse("document", args=[document.pk])).content.decode()
    assert "La production du document a échoué" in page
    assert client.get(reverse("document_telecharger", args=[document.pk])).status_code == 404


def test_it_shows_what_remains_of_the_cls_envelopes(client, agent):
    client.force_login(agent)
    cls = Tranche.objects.get(contrat__nature="cls")
    page = client.get(reverse("programmation:tranche", args=[cls.pk])).content.decode()
    # Seed 003: a 981 000 € programme a year; this tranche grants 94 000 €.
    assert "981\u202f000\u202f€" in page and "94\u202f000\u202f€" in page and "887\u202f000\u202f€" in page
    assert "490\u202f500\u202f€" in page and "(au plus 50\u202f%)" in page


def test_it_sends_a_password_reset_link_by_email(client, agent, mailoutbox):
    agent.email = "agent@example.org"
    agent.save()
    assert "Mot de passe oublié" in client.get(reverse("login")).content.decode()
    client.post(reverse("password_reset"), {"email": "agent@example.org"})
    assert len(mailoutbox) == 1 and "/mot-de-passe/" in mailoutbox[0].body


def test_it_lists_deliberations_with_a_constant_number_of_queries(client, agent):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ..factories import DeliberationFactory, InstanceFactory

    client.force_login(agent)
    lien = reverse("deliberations:liste")
    client.get(lien)
    with CaptureQueriesContext(connection) as avant:
        client.get(lien)
    instance = InstanceFactory(collectivite=agent.collectivite)
    DeliberationFactory.create_batch(40, seance__instance=instance)
    with CaptureQueriesContext(connection) as apres:
        page = client.get(lien).content.decode()
    assert len(apres) == len(avant)
    assert page.count("/deliberations/") >= 43
