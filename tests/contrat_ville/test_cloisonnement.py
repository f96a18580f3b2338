"""Two authorities in the demo data: neither sees the other's records, on any page nor in the admin."""

from decimal import Decimal

import pytest
from django.urls import reverse

from contrat_ville.models import Contrat, EnjeuPrioritaire, Financeur, PointEtape, Theme
from programmation.models import Action, Bilan, Cofinancement, RapportAnnuel

from ..factories import ActionFactory

# Names that exist only in one authority's data (typed from seeds 004 and 000).
SEULEMENT_SEDR = ["Maison de la justice et du droit", "Horizon études", "Emmanuel Sannier", "DDTM 76"]
SEULEMENT_SEM = ["CDAD de la Loire", "Saint-Etienne Métropole"]


@pytest.fixture
def action_sedr(sedr):
    return Action.objects.get(contrat__collectivite=sedr, intitule="Horizon études")


@pytest.fixture
def rapport_sedr(sedr):
    return RapportAnnuel.objects.get(collectivite=sedr)


def _pages(action, rapport):
    return [
        reverse("programmation:bilan", args=[action.pk]),
        reverse("programmation:bilan_saisir", args=[action.pk]),
        reverse("programmation:action", args=[action.pk]),
        reverse("programmation:rapport_pdf", args=[rapport.pk]),
        reverse("programmation:rapport_xlsx", args=[rapport.pk]),
    ]


@pytest.mark.django_db
def test_it_answers_404_to_the_metropole_agent_on_every_page_of_the_commune(
    client, agent, action_sedr, rapport_sedr
):
    client.force_login(agent)
    for url in _pages(action_sedr, rapport_sedr):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("programmation:bilan_saisir", args=[action_sedr.pk]), {}).status_code == 404


@pytest.mark.django_db
def test_it_opens_the_same_pages_to_the_commune_agent(client, agent_sedr, action_sedr, rapport_sedr):
    client.force_login(agent_sedr)
    for url in _pages(action_sedr, rapport_sedr):
        assert client.get(url).status_code == 200, url


@pytest.fixture
def annee_2020_des_deux(sem):
    """2020 holds rows of both authorities: the commune's from its seed, the Métropole's added here
    (the last year of its 2015-2020 contract)."""
    contrat = Contrat.objects.get(collectivite=sem, nature="contrat_de_ville", annee_debut=2015)
    action = ActionFactory(
        tranche=None,
        contrat=contrat,
        annee=2020,
        axe=contrat.axes.order_by("pk").first(),
        intitule="Permanences juridiques métropolitaines",
    )
    Bilan.objects.create(action=action)
    Cofinancement.objects.create(
        action=action,
        financeur=Financeur.objects.create(collectivite=sem, nom="Fondation métropolitaine", nature="autre"),
        montant_sollicite=Decimal("1000"),
        montant_accorde=Decimal("1000"),
    )
    RapportAnnuel.objects.create(
        collectivite=sem, contrat=contrat, annee=2020, intitule="Rapport métropolitain"
    )


# What each list shows of its own authority's 2020 rows: (the Métropole's, the commune's).
PROPRES = {
    "programmation:bilans": ("Permanences juridiques métropolitaines", "Maison de la justice et du droit"),
    "programmation:rapports": ("Rapport métropolitain", "Rapport sur la mise en œuvre de la politique"),
    "programmation:indicateurs": ("Fondation métropolitaine", "DDTM 76"),  # its financeurs
    "programmation:programmation": (
        "Permanences juridiques métropolitaines",
        "Maison de la justice et du droit",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", sorted(PROPRES))
def test_it_shows_only_the_user_s_authority_in_the_lists(
    client, agent, agent_sedr, annee_2020_des_deux, page
):
    metropole, commune = PROPRES[page]
    client.force_login(agent)
    contenu = client.get(reverse(page), {"annee": 2020}).content.decode()
    assert metropole in contenu, page
    for nom in SEULEMENT_SEDR + [commune]:
        assert nom not in contenu, (page, nom)
    client.force_login(agent_sedr)
    contenu = client.get(reverse(page), {"annee": 2020}).content.decode()
    assert commune in contenu, page
    for nom in SEULEMENT_SEM + [metropole]:
        assert nom not in contenu.replace("Saint-Etienne Métropole —", ""), (page, nom)


@pytest.mark.django_db
def test_it_shows_the_commune_its_own_report_and_bilans(client, agent_sedr):
    client.force_login(agent_sedr)
    assert (
        "Rapport sur la mise en œuvre de la politique de la Ville année 2020"
        in client.get(reverse("programmation:rapports")).content.decode()
    )
    bilans = client.get(reverse("programmation:bilans"), {"annee": 2020})
    assert len(bilans.context["actions"]) == 25  # the seed's part 4


@pytest.mark.django_db
def test_it_keeps_the_sem_tranche_and_deliberation_pages_closed_to_the_commune(client, agent_sedr, sem):
    from programmation.models import Tranche

    tranche = Tranche.objects.filter(contrat__collectivite=sem).first()
    client.force_login(agent_sedr)
    assert client.get(reverse("programmation:tranche", args=[tranche.pk])).status_code == 404
    assert client.get(reverse("programmation:tranches")).context["tranches"].count() == 0


ADMIN = [
    ("programmation", "bilan", Bilan, "action__contrat__collectivite"),
    ("programmation", "rapportannuel", RapportAnnuel, "collectivite"),
    ("contrat_ville", "theme", Theme, "axe__contrat__collectivite"),
    ("contrat_ville", "enjeuprioritaire", EnjeuPrioritaire, "contrat__collectivite"),
    ("contrat_ville", "pointetape", PointEtape, "action_prevue__enjeu__contrat__collectivite"),
    ("programmation", "action", Action, "contrat__collectivite"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("app", "modele", "classe", "chemin"), ADMIN)
def test_it_hides_the_other_authority_in_the_admin(
    client, administrateur, administrateur_sedr, sedr, app, modele, classe, chemin
):
    objet = classe.objects.filter(**{chemin: sedr}).first()
    assert objet is not None
    liste = reverse(f"admin:{app}_{modele}_changelist")
    fiche = reverse(f"admin:{app}_{modele}_change", args=[objet.pk])
    client.force_login(administrateur)
    assert client.get(liste).context["cl"].result_count == classe.objects.exclude(**{chemin: sedr}).count()
    assert client.get(fiche).status_code == 302  # « n'existe pas » : back to the admin index
    client.force_login(administrateur_sedr)
    assert client.get(liste).context["cl"].result_count == classe.objects.filter(**{chemin: sedr}).count()
    assert client.get(fiche).status_code == 200
