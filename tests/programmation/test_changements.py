"""An action's changes: whatever path changes it (form, back-office, import, bulk operation, vote,
modificative, reconduction), its history rows and its version are those typed here, written by one place."""

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contrat_ville.models import Contrat, Financeur
from deliberations.models import Deliberation, Instance
from programmation.importation.chargement import charger
from programmation.models import Action, Porteur, Tranche
from programmation.models.changements import Changements

from ..factories import seance_avec_membres
from ..importation.test_importation import agent_vide, classeur, contrat_vide  # noqa: F401 (fixtures)
from ..securite.test_attaques_admin import donnees_postees
from .test_saisie import donnees_action

pytestmark = pytest.mark.django_db

NNBSP = "\u202f"


@pytest.fixture
def contrat():
    return Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)


@pytest.fixture
def action(contrat):
    return Action.objects.create(
        contrat=contrat,
        annee=2025,
        intitule="Chantier jeunes",
        porteur=Porteur.objects.get(nom="AGASEF", siret=""),
        axe=contrat.axes.get(nom_court="EMANCIPER"),
        cout=Decimal("8000"),
        contribution=Decimal("2000"),
    )


def historique(action):
    """The action's rows, oldest first."""
    return list(action.modifications.order_by("pk").values_list("champ", "avant", "apres"))


def version(action):
    return Action.objects.values_list("version", flat=True).get(pk=action.pk)


def _formulaire(client, action, **changements):
    page = client.get(reverse("programmation:action_modifier", args=[action.pk]))
    donnees = {k: v for k, v in page.context["form"].initial.items() if v is not None and k != "quartiers"}
    donnees.update({"cofinancements-TOTAL_FORMS": "0", "cofinancements-INITIAL_FORMS": "0"}, **changements)
    return donnees


def test_it_writes_a_new_action_from_the_form_at_version_1_with_its_creation_row(client, agent, contrat):
    client.force_login(agent)
    client.post(reverse("programmation:action_creer"), donnees_action(contrat))
    action = Action.objects.get(intitule="Ateliers numériques au Crêt de Roc")
    assert version(action) == 1
    assert historique(action) == [
        ("création", "", "Ateliers numériques au Crêt de Roc / Association Les Clés du Numérique")
    ]


def test_it_writes_a_form_s_change_as_one_version_and_one_row_per_changed_field(client, agent, action):
    client.force_login(agent)
    donnees = _formulaire(client, action, contribution="3000", territoire="Montreynaud")
    assert donnees["version"] == 1
    reponse = client.post(reverse("programmation:action_modifier", args=[action.pk]), donnees)
    assert reponse.status_code == 302
    assert version(action) == 2
    assert historique(action) == [
        ("territoire", "", "Montreynaud"),
        ("contribution", f"2{NNBSP}000{NNBSP}€", f"3{NNBSP}000{NNBSP}€"),
    ]
    # The same page posted again: a colleague's change in between, nothing written over it.
    reponse = client.post(reverse("programmation:action_modifier", args=[action.pk]), donnees)
    assert reponse.status_code == 400
    assert version(action) == 2 and len(historique(action)) == 2


def test_it_still_moves_the_version_of_a_form_saved_unchanged_and_writes_no_row(client, agent, action):
    client.force_login(agent)
    client.post(reverse("programmation:action_modifier", args=[action.pk]), _formulaire(client, action))
    assert version(action) == 2
    assert historique(action) == []


def test_it_writes_a_status_change_as_one_version_and_one_row_by_its_labels(agent, action):
    action.changer_statut("en_instruction", agent)
    assert version(action) == 2
    assert historique(action) == [("statut", "Déposée", "En instruction")]
    assert action.modifications.get().auteur == agent


def test_it_writes_a_bulk_status_change_as_one_version_and_one_row_per_step(agent, contrat, action):
    autre = Action.objects.create(
        contrat=contrat, annee=2025, intitule="Autre", porteur=action.porteur, statut="en_instruction"
    )
    Action.objects.filter(pk__in=[action.pk, autre.pk]).changer_statut("proposee", agent)
    assert (version(action), version(autre)) == (3, 2)
    assert historique(action) == [
        ("statut", "Déposée", "En instruction"),
        ("statut", "En instruction", "Proposée"),
    ]
    assert historique(autre) == [("statut", "En instruction", "Proposée")]


def test_it_writes_the_steps_and_the_tranche_when_an_action_enters_and_leaves_a_tranche(
    agent, contrat, action
):
    tranche = Tranche.objects.creer_suivante(contrat, 2025)
    nom = f"{contrat.intitule} — 2025 T{tranche.numero}"
    Action.objects.filter(pk=action.pk).ajouter_a(tranche, agent)
    assert version(action) == 4
    Action.objects.filter(pk=action.pk).retirer_de(tranche, agent)
    assert version(action) == 5
    assert historique(action) == [
        ("statut", "Déposée", "En instruction"),
        ("statut", "En instruction", "Proposée"),
        ("tranche", "", nom),
        ("tranche", nom, ""),
    ]


def test_it_writes_each_proposed_action_s_row_and_version_at_the_vote(agent, contrat, action):
    tranche = Tranche.objects.creer_suivante(contrat, 2025)
    tranche.ajouter(action, agent)
    assert version(action) == 4
    tranche.statut = "soumise"
    tranche.save()
    tranche.verrouiller("Délibération n°2025.00042", auteur=agent)
    assert version(action) == 5
    assert historique(action)[-1] == ("statut", "Proposée", "Votée (Délibération n°2025.00042)")
    assert Action.objects.get(pk=action.pk).statut == "votee"


def test_it_writes_one_version_and_its_row_for_a_voted_modificative(sem, agent):
    tranche = Tranche.objects.get(contrat__nature="contrat_de_ville", annee=2024, numero=1)
    action = tranche.actions.get(numero_dauphin="266422")  # 10 000 € (seed 000)
    avant = version(action)
    seance, _ = seance_avec_membres(membres=4, presents=3, instance=Instance.objects.get(collectivite=sem))
    modificative = Deliberation.objects.inscrire(
        seance, "Modification de la première tranche", nature="modificative", tranche_corrigee=tranche
    )
    modificative.corriger(action, Decimal("8000.50"))
    modificative.voter("unanimite", auteur=agent)
    assert version(action) == avant + 1
    assert historique(action)[-1] == (
        f"contribution (délibération n°{modificative.numero})",
        f"10{NNBSP}000{NNBSP}€",
        f"8{NNBSP}000,50{NNBSP}€",
    )


def test_it_creates_at_version_1_on_import_then_changes_one_version_per_action_in_one_date(
    contrat_vide,  # noqa: F811
    agent_vide,  # noqa: F811
):
    premier = classeur([["1001", "Ateliers numériques", "Les Clés", None, "Défi 2", 10000, 2000]])
    charger(premier, "demandes.xlsx", contrat_vide, 2024, None, agent_vide)
    action = Action.objects.get(contrat=contrat_vide, numero_dauphin="1001")
    assert version(action) == 1
    assert historique(action) == [
        ("création", "", "Ateliers numériques / Les Clés (import de « demandes.xlsx »)")
    ]

    corrige = classeur([["1001", "Ateliers numériques", "Les Clés", None, "Défi 2", 12000, 2500]])
    charger(corrige, "corrige.xlsx", contrat_vide, 2024, None, agent_vide)
    assert version(action) == 2
    assert historique(action)[1:] == [
        ("cout", f"10{NNBSP}000{NNBSP}€", f"12{NNBSP}000{NNBSP}€"),
        ("contribution", f"2{NNBSP}000{NNBSP}€", f"2{NNBSP}500{NNBSP}€"),
    ]
    dates = set(action.modifications.exclude(champ="création").values_list("date", flat=True))
    assert len(dates) == 1


def test_it_starts_a_reconducted_copy_at_version_1_and_tells_its_source_of_its_deleted_draft(agent, action):
    copie = action.reconduire(agent)
    assert (version(copie), historique(copie)) == (
        1,
        [("reconduite de", "", "Chantier jeunes / AGASEF (2025)")],
    )
    copie.supprimer_brouillon(agent)
    assert version(action) == 1
    assert historique(action) == [("reconduction en 2026", "Chantier jeunes / AGASEF", "brouillon supprimé")]


def test_it_holds_the_vote_s_lock_unless_the_change_says_it_is_a_modificative(agent):
    tranche = Tranche.objects.get(contrat__nature="contrat_de_ville", annee=2024, numero=1)
    action = tranche.actions.get(numero_dauphin="266422")
    avant = version(action)
    with pytest.raises(ValidationError, match="est votée : ses montants sont verrouillés"):
        action.modifier(agent, contribution=Decimal("1"))
    changements = Changements(agent)
    changements.changer(Action.objects.get(pk=action.pk), statut="deposee")
    with pytest.raises(ValidationError, match="est votée"):
        changements.enregistrer()
    assert (version(action), Action.objects.get(pk=action.pk).contribution) == (avant, Decimal("10000"))
    assert not action.modifications.exists()

    Action.objects.get(pk=action.pk).modifier(
        agent, contribution=Decimal("9000"), motif="délibération n°2024.99999", modificative=True
    )
    assert (version(action), Action.objects.get(pk=action.pk).contribution) == (avant + 1, Decimal("9000"))
    # The door closes behind it.
    with pytest.raises(ValidationError, match="est votée"):
        Action.objects.get(pk=action.pk).modifier(agent, contribution=Decimal("1"))


def test_it_opens_the_lock_to_a_modificative_for_the_amount_only(agent):
    # Found by review: the open door let any field of a voted action through, its status or its tranche.
    tranche = Tranche.objects.get(contrat__nature="contrat_de_ville", annee=2024, numero=1)
    action = tranche.actions.get(numero_dauphin="266422")
    avant = version(action)
    for champs in ({"statut": "deposee"}, {"tranche": None}, {"contribution": Decimal("1"), "cout": None}):
        with pytest.raises(ValueError, match="Une modificative ne change que contribution"):
            Action.objects.get(pk=action.pk).modifier(agent, modificative=True, **champs)
    enregistree = Action.objects.get(pk=action.pk)
    assert (enregistree.version, enregistree.statut, enregistree.tranche_id) == (avant, "votee", tranche.pk)
    assert enregistree.contribution == Decimal("10000")


def test_it_makes_no_query_when_there_is_nothing_to_write(agent, django_assert_num_queries):
    with django_assert_num_queries(0):
        Changements(agent).enregistrer()


# --- The back-office: the same owner, the same rows; and each path writes the action's row once. ---


def page(modele, vue, *args):
    return reverse(f"admin:programmation_{modele._meta.model_name}_{vue}", args=args)


def ecritures_de_l_action(requetes):
    """The UPDATEs of the actions' table among these queries."""
    return [q["sql"] for q in requetes if q["sql"].startswith('UPDATE "programmation_action"')]


def test_it_writes_an_admin_change_as_one_version_and_one_row_per_changed_field(client, admin_user, action):
    client.force_login(admin_user)
    donnees = donnees_postees(client.get(page(Action, "change", action.pk)))
    donnees.update(contribution="3000", territoire="Montreynaud")
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.post(page(Action, "change", action.pk), donnees)
    assert reponse.status_code == 302
    assert version(action) == 2
    assert historique(action) == [
        ("territoire", "", "Montreynaud"),
        ("contribution", f"2{NNBSP}000{NNBSP}€", f"3{NNBSP}000{NNBSP}€"),
    ]
    assert set(action.modifications.values_list("auteur", flat=True)) == {admin_user.pk}
    # The version goes with the fields, in the action's one UPDATE.
    assert len(ecritures_de_l_action(requetes.captured_queries)) == 1


def test_it_writes_an_administrator_s_cofinancement_added_inline_as_a_row_of_its_action(
    client, administrateur, action
):
    client.force_login(administrateur)
    financeur = Financeur.objects.filter(collectivite=administrateur.collectivite).order_by("pk").first()
    donnees = donnees_postees(client.get(page(Action, "change", action.pk)))
    donnees.update(
        {
            "cofinancements-TOTAL_FORMS": "1",
            "cofinancements-0-financeur": str(financeur.pk),
            "cofinancements-0-montant_sollicite": "1500",
        }
    )
    reponse = client.post(page(Action, "change", action.pk), donnees)
    assert reponse.status_code == 302
    assert version(action) == 2
    assert historique(action) == [(f"cofinancement {financeur}", "", f"1{NNBSP}500{NNBSP}€")]


def test_it_writes_an_action_added_in_the_admin_at_version_1_with_its_creation_row(
    client, admin_user, action
):
    client.force_login(admin_user)
    donnees = donnees_postees(client.get(page(Action, "change", action.pk)))
    donnees.update(intitule="Ateliers du soir")
    reponse = client.post(page(Action, "add"), donnees)
    assert reponse.status_code == 302
    nouvelle = Action.objects.get(intitule="Ateliers du soir")
    assert version(nouvelle) == 1
    assert historique(nouvelle) == [("création", "", "Ateliers du soir / AGASEF")]


def test_it_writes_an_action_changed_on_its_tranche_s_page(client, admin_user, contrat, action):
    tranche = Tranche.objects.creer_suivante(contrat, 2025)
    tranche.ajouter(action, admin_user)
    assert version(action) == 4
    client.force_login(admin_user)
    donnees = donnees_postees(client.get(page(Tranche, "change", tranche.pk)))
    assert donnees["actions-0-id"] == str(action.pk)
    donnees["actions-0-cout"] = "9000"
    reponse = client.post(page(Tranche, "change", tranche.pk), donnees)
    assert reponse.status_code == 302
    assert version(action) == 5
    assert historique(action)[-1] == ("cout", f"8{NNBSP}000{NNBSP}€", f"9{NNBSP}000{NNBSP}€")
    assert Action.objects.get(pk=action.pk).cout == Decimal("9000")


def lectures_des_actions_par_cle(requetes):
    """The SELECTs of whole action rows by a list of keys among these queries (a change's reading before
    its save; the lock's and the authority's checks read a few values, not the rows)."""
    return [
        q["sql"]
        for q in requetes
        if q["sql"].startswith('SELECT "programmation_action"."id", "programmation_action"."contrat_id"')
        and '"programmation_action"."id" IN (' in q["sql"]
    ]


def test_it_reads_the_actions_changed_on_a_tranche_s_page_in_one_query(client, admin_user, contrat, action):
    tranche = Tranche.objects.creer_suivante(contrat, 2025)
    autres = [
        Action.objects.create(
            contrat=contrat,
            annee=2025,
            intitule=f"Action {n}",
            porteur=action.porteur,
            axe=action.axe,
            cout=Decimal("5000"),
            contribution=Decimal("1000"),
        )
        for n in (1, 2)
    ]
    for a in (action, *autres):
        tranche.ajouter(a, admin_user)
    client.force_login(admin_user)
    donnees = donnees_postees(client.get(page(Tranche, "change", tranche.pk)))
    lignes = {donnees[f"actions-{n}-id"]: n for n in range(3)}
    for a, cout in zip((action, *autres), ("9000", "5100", "5200"), strict=True):
        donnees[f"actions-{lignes[str(a.pk)]}-cout"] = cout
    with CaptureQueriesContext(connection) as requetes:
        assert client.post(page(Tranche, "change", tranche.pk), donnees).status_code == 302
    assert len(lectures_des_actions_par_cle(requetes.captured_queries)) == 1
    assert [version(a) for a in (action, *autres)] == [5, 5, 5]
    assert historique(autres[1])[-1] == ("cout", f"5{NNBSP}000{NNBSP}€", f"5{NNBSP}200{NNBSP}€")
    assert Action.objects.get(pk=action.pk).cout == Decimal("9000")


def test_it_writes_an_action_s_form_in_one_update_of_its_row(client, agent, action):
    client.force_login(agent)
    donnees = _formulaire(client, action, contribution="3000")
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.post(reverse("programmation:action_modifier", args=[action.pk]), donnees)
    assert reponse.status_code == 302
    assert version(action) == 2
    assert len(ecritures_de_l_action(requetes.captured_queries)) == 1


RACINE = Path(__file__).resolve().parents[2]


def _monte_la_version(noeud):
    """`x.version += 1`, `x.version = … + 1` or `update(version=F("version") + 1)`."""
    if isinstance(noeud, ast.AugAssign):
        return getattr(noeud.target, "attr", None) == "version"
    if isinstance(noeud, ast.Assign) and isinstance(noeud.value, ast.BinOp):
        return any(getattr(cible, "attr", None) == "version" for cible in noeud.targets)
    return isinstance(noeud, ast.keyword) and noeud.arg == "version" and isinstance(noeud.value, ast.BinOp)


def _ecrit_l_historique(noeud):
    """`Modification(…)` or `Modification.objects.create(…)` and its kin."""
    if not isinstance(noeud, ast.Call):
        return False
    fonction = noeud.func
    if getattr(fonction, "id", None) == "Modification" or getattr(fonction, "attr", None) == "Modification":
        return True
    gestionnaire = getattr(fonction, "value", None)
    return getattr(fonction, "attr", None) in {"create", "bulk_create", "get_or_create"} and (
        getattr(getattr(gestionnaire, "value", None), "id", None) == "Modification"
    )


def test_it_moves_a_version_or_writes_a_history_row_in_one_place_only():
    """A complement to the tests above: a new path writing an action's history by itself shows here."""
    trouvees = {
        f"{chemin.relative_to(RACINE)}:{noeud.lineno}"
        for dossier in ("programmation", "deliberations", "contrat_ville")
        for chemin in sorted((RACINE / dossier).rglob("*.py"))
        if "migrations" not in chemin.parts
        for noeud in ast.walk(ast.parse(chemin.read_text()))
        if _monte_la_version(noeud) or _ecrit_l_historique(noeud)
    }
    assert {t.split(":")[0] for t in trouvees} == {"programmation/models/changements.py"}, sorted(trouvees)


def test_it_writes_a_cofinancement_changed_on_its_own_back_office_page_as_a_row_of_its_action(
    client, administrateur, action
):
    from programmation.models import Cofinancement

    financeur = Financeur.objects.filter(collectivite=administrateur.collectivite).order_by("pk").first()
    cofinancement = Cofinancement.objects.create(
        action=action, financeur=financeur, montant_sollicite=Decimal("1500")
    )
    client.force_login(administrateur)
    adresse = page(Cofinancement, "change", cofinancement.pk)
    donnees = donnees_postees(client.get(adresse))
    donnees["montant_sollicite"] = "2500,50"
    assert client.post(adresse, donnees).status_code == 302
    assert version(action) == 2
    assert historique(action) == [
        (f"cofinancement {financeur}", f"1{NNBSP}500{NNBSP}€", f"2{NNBSP}500,50{NNBSP}€")
    ]


def test_it_writes_a_cofinancement_deleted_on_its_own_back_office_page_as_a_row_of_its_action(
    client, administrateur, action
):
    from programmation.models import Cofinancement

    financeur = Financeur.objects.filter(collectivite=administrateur.collectivite).order_by("pk").first()
    cofinancement = Cofinancement.objects.create(
        action=action, financeur=financeur, montant_sollicite=Decimal("1500")
    )
    client.force_login(administrateur)
    reponse = client.post(page(Cofinancement, "delete", cofinancement.pk), {"post": "yes"})
    assert reponse.status_code == 302
    assert not Cofinancement.objects.filter(pk=cofinancement.pk).exists()
    assert version(action) == 2
    assert historique(action) == [(f"cofinancement {financeur}", f"1{NNBSP}500{NNBSP}€", "")]


def test_it_writes_a_cofinancement_removed_on_the_action_s_page_as_a_row_of_its_action(client, agent, action):
    from programmation.models import Cofinancement

    financeur = Financeur.objects.filter(collectivite=agent.collectivite).order_by("pk").first()
    cofinancement = Cofinancement.objects.create(
        action=action, financeur=financeur, montant_sollicite=Decimal("1500")
    )
    client.force_login(agent)
    donnees = _formulaire(client, action)
    donnees.update(
        {
            "cofinancements-TOTAL_FORMS": "1",
            "cofinancements-INITIAL_FORMS": "1",
            "cofinancements-0-id": str(cofinancement.pk),
            "cofinancements-0-financeur": str(financeur.pk),
            "cofinancements-0-montant_sollicite": "1500",
            "cofinancements-0-DELETE": "on",
        }
    )
    reponse = client.post(reverse("programmation:action_modifier", args=[action.pk]), donnees)
    assert reponse.status_code == 302
    assert not Cofinancement.objects.filter(pk=cofinancement.pk).exists()
    assert historique(action) == [(f"cofinancement {financeur}", f"1{NNBSP}500{NNBSP}€", "")]
