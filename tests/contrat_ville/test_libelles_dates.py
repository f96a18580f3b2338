"""Labels and dates: a history row by its labels (« Déposée → En instruction »), old rows written with
codes too; pages write « 16 mai 2024 », files ISO 8601, the journal's CSV in Paris time with its offset;
French plurals (« 1 action », « 2 actions »)."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from contrat_ville.tables import pluriel
from programmation.models import Modification

from ..factories import ActionFactory, seance_avec_membres

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


@pytest.fixture
def action(sem):
    return ActionFactory(
        tranche__contrat__collectivite=sem, porteur__collectivite=sem, intitule="Action des libellés"
    )


def _cellules(page):
    return page.replace("\n", "")


def test_it_writes_a_status_change_by_its_labels(client, action, agent):
    action.changer_statut("en_instruction", agent)
    assert list(action.modifications.values_list("champ", "avant", "apres")) == [
        ("statut", "Déposée", "En instruction")
    ]
    client.force_login(agent)
    page = _cellules(client.get(reverse("programmation:action", args=[action.pk])).content.decode())
    assert "<td>Statut</td><td>Déposée</td><td>En instruction</td>" in page


def test_it_shows_old_rows_written_with_codes_by_their_labels(client, action, agent):
    Modification.objects.create(
        action=action, auteur=agent, champ="statut", avant="deposee", apres="en_instruction"
    )
    Modification.objects.create(
        action=action, auteur=agent, champ="section", avant="fonctionnement", apres="investissement"
    )
    client.force_login(agent)
    page = _cellules(client.get(reverse("programmation:action", args=[action.pk])).content.decode())
    assert "<td>Statut</td><td>Déposée</td><td>En instruction</td>" in page
    assert "<td>Section</td><td>Fonctionnement</td><td>Investissement</td>" in page
    journal = _cellules(client.get(reverse("deliberations:journal")).content.decode())
    # Each cell after its column's name: the journal is a card a row on a phone.
    assert (
        '<td data-label="Changement">Statut</td><td data-label="Avant">Déposée</td>'
        '<td data-label="Après">En instruction</td>'
    ) in journal
    assert ">deposee<" not in journal and ">en_instruction<" not in journal


def test_it_writes_dates_in_french_on_pages_and_iso_in_paris_time_in_the_journal_file(client, action, agent):
    hiver = datetime.datetime(2025, 3, 13, 9, 4, tzinfo=UTC)  # 10 h 04 in Paris (UTC+1)
    ete = datetime.datetime(2024, 5, 16, 8, 30, tzinfo=UTC)  # 10 h 30 in Paris (UTC+2)
    Modification.objects.create(
        action=action, auteur=agent, champ="cout", avant="1 €", apres="2 €", date=hiver
    )
    Modification.objects.create(action=action, auteur=agent, champ="cout", avant="2 €", apres="3 €", date=ete)
    seance, (elu, *_) = seance_avec_membres(
        membres=2, presents=1, instance__collectivite=agent.collectivite, date=datetime.date(2024, 5, 16)
    )
    seance.enregistrer_presences({elu.pk: ("excuse", None)}, agent)
    client.force_login(agent)

    page = client.get(reverse("programmation:action", args=[action.pk])).content.decode()
    assert "13 mars 2025 à 10:04" in page and "16 mai 2024 à 10:30" in page
    journal = client.get(reverse("deliberations:journal")).content.decode()
    assert "13 mars 2025 à 10:04" in journal and "Séance du 16 mai 2024" in journal
    assert "2024-05-16" not in journal and "13/03/2025" not in journal

    fichier = client.get(reverse("deliberations:journal"), {"export": "csv"})
    lignes = list(csv.reader(io.StringIO(fichier.content.decode("utf-8-sig")), delimiter=";"))
    dates = {ligne[0] for ligne in lignes[1:] if ligne[2].startswith("Action « Action des libellés »")}
    assert dates == {"2025-03-13T10:04:00+01:00", "2024-05-16T10:30:00+02:00"}
    assert any(ligne[2] == "Séance du 2024-05-16" for ligne in lignes[1:])


@pytest.mark.parametrize(
    ("nombre", "texte"), [(0, "0 action"), (1, "1 action"), (2, "2 actions"), (105, "105 actions")]
)
def test_it_writes_french_plurals(nombre, texte):
    assert pluriel(nombre, "action") == texte


def test_it_counts_one_action_in_the_singular_on_the_list(client, elu):
    client.force_login(elu)
    page = client.get(reverse("programmation:programmation"), {"q": "mentorat lycéen"}).content.decode()
    assert "1 action subventionnée" in page and "1 actions" not in page
