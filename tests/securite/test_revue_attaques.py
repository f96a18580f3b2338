"""An adversarial review of the changes since 98ceb8c: Changements.suivre and its callers (back-office and
agent's form), the séance page once a vote is recorded, the new lists (django-tables2, django-filter),
the backup package, the type hints. Each test is an attack; a failing one shows a defect."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contrat_ville.models import Contrat, Financeur
from programmation.models import Action, Cofinancement, Porteur, Tranche
from tests.empreinte import empreinte

from .test_attaques_admin import donnees_postees

pytestmark = pytest.mark.django_db

NNBSP = "\u202f"


def page(modele, vue, *args):
    return reverse(f"admin:{modele._meta.app_label}_{modele._meta.model_name}_{vue}", args=args)


def historique(action):
    return list(action.modifications.order_by("pk").values_list("champ", "avant", "apres"))


def version(action):
    return Action.objects.values_list("version", flat=True).get(pk=action.pk)


def _messages(reponse):
    return [str(m) for m in reponse.wsgi_request._messages]


@pytest.fixture
def contrat():
    return Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)


def _action(contrat, intitule="Chantier jeunes", **champs):
    valeurs = {
        "contrat": contrat,
        "annee": 2025,
        "intitule": intitule,
        "porteur": Porteur.objects.get(nom="AGASEF", siret=""),
        "axe": contrat.axes.get(nom_court="EMANCIPER"),
        "cout": Decimal("8000"),
        "contribution": Decimal("2000"),
    }
    valeurs.update(champs)
    return Action.objects.create(**valeurs)


def _financeurs(collectivite, n=2):
    return list(Financeur.objects.filter(collectivite=collectivite).order_by("pk")[:n])


def _votee(sem):
    return Tranche.objects.get(
        annee=2024, numero=1, contrat__nature="contrat_de_ville", contrat__collectivite=sem
    )


# --- 1. Changements.suivre and its callers -----------------------------------------------------------


def test_it_writes_one_row_per_cofinancement_deleted_in_bulk_and_moves_the_version_forward(
    client, administrateur, contrat
):
    """CofinancementAdmin.delete_queryset opens a `suivre` and calls ParCollectivite.delete_queryset,
    which calls delete_model per object, which opens its own `suivre` on the same action (nested)."""
    action = _action(contrat)
    f1, f2 = _financeurs(administrateur.collectivite)
    c1 = Cofinancement.objects.create(action=action, financeur=f1, montant_sollicite=Decimal("1500"))
    c2 = Cofinancement.objects.create(action=action, financeur=f2, montant_sollicite=Decimal("500"))
    client.force_login(administrateur)
    reponse = client.post(
        page(Cofinancement, "changelist"),
        {"action": "delete_selected", "_selected_action": [c1.pk, c2.pk], "post": "yes"},
    )
    assert reponse.status_code == 302
    assert not Cofinancement.objects.filter(pk__in=[c1.pk, c2.pk]).exists()
    lignes = historique(action)
    # One row per cofinancement removed, not each one written twice.
    assert sorted(lignes) == sorted(
        [
            (f"cofinancement {f1}", f"1{NNBSP}500{NNBSP}€", ""),
            (f"cofinancement {f2}", f"500{NNBSP}€", ""),
        ]
    ), lignes
    assert version(action) >= 2


def test_it_moves_the_version_of_both_actions_when_a_cofinancement_moves_on_its_admin_page(
    client, administrateur, contrat
):
    depart, arrivee = _action(contrat), _action(contrat, "Atelier du soir")
    (financeur,) = _financeurs(administrateur.collectivite, 1)
    cofinancement = Cofinancement.objects.create(
        action=depart, financeur=financeur, montant_sollicite=Decimal("1500")
    )
    client.force_login(administrateur)
    adresse = page(Cofinancement, "change", cofinancement.pk)
    donnees = donnees_postees(client.get(adresse))
    donnees["action"] = str(arrivee.pk)
    assert client.post(adresse, donnees).status_code == 302
    assert (version(depart), version(arrivee)) == (2, 2)
    assert historique(depart) == [(f"cofinancement {financeur}", f"1{NNBSP}500{NNBSP}€", "")]
    assert historique(arrivee) == [(f"cofinancement {financeur}", "", f"1{NNBSP}500{NNBSP}€")]


@pytest.mark.parametrize("sens", ["vers_votee", "depuis_votee"])
def test_it_refuses_to_move_a_cofinancement_into_or_out_of_a_voted_tranche(
    client, administrateur, sem, contrat, sens
):
    votee = _votee(sem).actions.order_by("pk").first()
    libre = _action(contrat)
    client.force_login(administrateur)
    if sens == "vers_votee":
        (financeur,) = [
            f for f in _financeurs(sem, 20) if not votee.cofinancements.filter(financeur=f).exists()
        ][:1]
        cofinancement = Cofinancement.objects.create(action=libre, financeur=financeur, montant_sollicite=10)
        cible = votee
    else:
        cofinancement = (
            Cofinancement.objects.filter(action__tranche__statut="votee", action__contrat__collectivite=sem)
            .order_by("pk")
            .first()
        )
        cible = libre
    avant = empreinte()
    adresse = page(Cofinancement, "change", cofinancement.pk)
    donnees = donnees_postees(client.get(adresse))
    donnees["action"] = str(cible.pk)
    reponse = client.post(adresse, donnees)
    assert reponse.status_code in {200, 302}
    assert empreinte() == avant


def test_it_refuses_a_cofinancement_added_to_a_voted_action_on_its_admin_page(client, administrateur, sem):
    votee = _votee(sem).actions.order_by("pk").first()
    financeur = next(f for f in _financeurs(sem, 20) if not votee.cofinancements.filter(financeur=f).exists())
    client.force_login(administrateur)
    avant = empreinte()
    reponse = client.post(
        page(Cofinancement, "add"),
        {"action": str(votee.pk), "financeur": str(financeur.pk), "montant_sollicite": "10"},
    )
    assert reponse.status_code in {200, 302}
    assert empreinte() == avant


def test_it_refuses_a_bulk_delete_of_a_voted_action_s_cofinancements_with_a_message(
    client, administrateur, sem
):
    cofinancements = list(
        Cofinancement.objects.filter(action__contrat__collectivite=sem, action__tranche__statut="votee")
        .order_by("pk")
        .values_list("pk", flat=True)[:2]
    )
    client.force_login(administrateur)
    avant = empreinte()
    reponse = client.post(
        page(Cofinancement, "changelist"),
        {"action": "delete_selected", "_selected_action": cofinancements, "post": "yes"},
    )
    assert reponse.status_code in {200, 302}
    assert any("vot" in m.lower() for m in _messages(reponse)), _messages(reponse)
    assert empreinte() == avant


def test_it_refuses_a_voted_action_s_cofinancement_changed_inline_on_the_action_s_page(
    client, administrateur, sem
):
    cofinancement = (
        Cofinancement.objects.filter(action__contrat__collectivite=sem, action__tranche__statut="votee")
        .order_by("pk")
        .first()
    )
    client.force_login(administrateur)
    adresse = page(Action, "change", cofinancement.action_id)
    reponse = client.get(adresse)
    donnees = donnees_postees(reponse)
    ligne = next(
        k.removesuffix("-id")
        for k, v in donnees.items()
        if k.startswith("cofinancements-") and k.endswith("-id") and v == str(cofinancement.pk)
    )
    avant = empreinte()
    donnees[f"{ligne}-montant_sollicite"] = "1"
    donnees[f"{ligne}-montant_accorde"] = "1"
    reponse = client.post(adresse, donnees)
    assert reponse.status_code in {200, 302}
    assert empreinte() == avant


def test_it_refuses_a_voted_action_s_amount_changed_on_the_tranche_s_page(client, administrateur, sem):
    tranche = _votee(sem)
    client.force_login(administrateur)
    adresse = page(Tranche, "change", tranche.pk)
    donnees = donnees_postees(client.get(adresse))
    avant = empreinte()
    donnees["actions-0-contribution"] = "1"
    reponse = client.post(adresse, donnees)
    assert reponse.status_code in {200, 302}
    assert empreinte() == avant


def test_it_refuses_an_action_moved_into_a_voted_tranche_on_its_admin_page(
    client, administrateur, sem, contrat
):
    tranche = _votee(sem)
    action = _action(tranche.contrat, annee=tranche.annee, axe=tranche.contrat.axes.order_by("pk").first())
    client.force_login(administrateur)
    adresse = page(Action, "change", action.pk)
    donnees = donnees_postees(client.get(adresse))
    donnees["tranche"] = str(tranche.pk)
    avant = empreinte()
    reponse = client.post(adresse, donnees)
    assert reponse.status_code in {200, 302}
    assert empreinte() == avant


def test_it_writes_the_quartiers_and_a_cofinancement_changed_on_the_action_s_admin_page_as_one_version(
    client, administrateur, contrat
):
    action = _action(contrat)
    (financeur,) = _financeurs(administrateur.collectivite, 1)
    client.force_login(administrateur)
    adresse = page(Action, "change", action.pk)
    donnees = donnees_postees(client.get(adresse))
    donnees.update(
        {
            "cofinancements-TOTAL_FORMS": "1",
            "cofinancements-0-financeur": str(financeur.pk),
            "cofinancements-0-montant_sollicite": "1500",
            "contribution": "2500",
        }
    )
    with CaptureQueriesContext(connection) as requetes:
        assert client.post(adresse, donnees).status_code == 302
    assert version(action) == 2
    assert sorted(historique(action)) == sorted(
        [
            ("contribution", f"2{NNBSP}000{NNBSP}€", f"2{NNBSP}500{NNBSP}€"),
            (f"cofinancement {financeur}", "", f"1{NNBSP}500{NNBSP}€"),
        ]
    )
    ecritures = [
        q["sql"] for q in requetes.captured_queries if q["sql"].startswith('UPDATE "programmation_action"')
    ]
    assert len(ecritures) == 1, ecritures


def test_it_refuses_a_stale_agent_form_and_writes_nothing(client, agent, contrat):
    from ..programmation.test_changements import _formulaire

    action = _action(contrat)
    client.force_login(agent)
    vieux = _formulaire(client, action, contribution="3000")
    frais = _formulaire(client, action, contribution="2500")
    adresse = reverse("programmation:action_modifier", args=[action.pk])
    assert client.post(adresse, frais).status_code == 302
    avant = empreinte()
    reponse = client.post(adresse, vieux)
    assert reponse.status_code == 400
    assert "modifi" in reponse.content.decode()
    assert empreinte() == avant
    assert version(action) == 2
    assert Action.objects.get(pk=action.pk).contribution == Decimal("2500")


# --- 2. The séance page once a vote is recorded ----------------------------------------------------


def _seance_votee():
    from deliberations.models import Seance

    return Seance.objects.get(date="2024-05-16")


def _formset_poste(seance):
    """The attendance list as the page posted it before the vote, with one member's state changed."""
    elus = list(seance.membres().order_by("nom", "prenom"))
    actuels = seance.etats()
    donnees = {"presences-TOTAL_FORMS": len(elus), "presences-INITIAL_FORMS": len(elus)}
    for i, elu in enumerate(elus):
        etat, mandataire = actuels.get(elu.pk, ("", None))
        if elu.pk not in seance.obligatoires() and etat == "present" and "change" not in donnees:
            donnees["change"] = elu.pk
            etat = "excuse"
        donnees |= {
            f"presences-{i}-elu": elu.pk,
            f"presences-{i}-etat": etat,
            f"presences-{i}-mandataire": mandataire or "",
        }
    donnees.pop("change")
    return donnees


@pytest.mark.parametrize("forme", ["valide", "incomplete", "vide"])
def test_it_keeps_a_voted_seance_s_list_whatever_its_attendance_form_posts(client, agent, forme):
    from deliberations.models import Trace

    seance = _seance_votee()
    assert seance.a_des_votes()
    donnees = {"valide": _formset_poste(seance), "incomplete": {"presences-TOTAL_FORMS": "3"}, "vide": {}}[
        forme
    ]
    client.force_login(agent)
    avant, traces = seance.etats(), Trace.objects.count()
    reponse = client.post(reverse("deliberations:seance_presences", args=[seance.pk]), donnees)
    assert reponse.status_code in {302, 400}
    assert seance.etats() == avant
    assert Trace.objects.count() == traces
    assert (
        'action="' + reverse("deliberations:seance_presences", args=[seance.pk])
        not in reponse.content.decode()
    )


def test_it_keeps_a_voted_seance_s_list_when_the_previous_one_is_taken_over(client, agent):
    seance = _seance_votee()
    client.force_login(agent)
    avant = empreinte()
    reponse = client.post(reverse("deliberations:seance_reprendre_presences", args=[seance.pk]))
    assert reponse.status_code in {302, 400}
    assert empreinte() == avant


def test_it_tells_the_agent_as_an_error_why_a_voted_seance_s_list_was_refused(client, agent):
    """A refused POST (400) should say so as an error (role=alert), not only as the page's small print."""
    seance = _seance_votee()
    client.force_login(agent)
    reponse = client.post(reverse("deliberations:seance_presences", args=[seance.pk]), _formset_poste(seance))
    assert reponse.status_code == 400
    page_html = reponse.content.decode()
    assert 'role="alert"' in page_html, "400 sans message d'erreur"


def test_it_still_shows_a_voted_seance_s_attendance_with_the_pouvoirs_to_an_agent(client, agent):
    seance = _seance_votee()
    client.force_login(agent)
    contenu = client.get(reverse("deliberations:seance", args=[seance.pk])).content.decode()
    for presence in seance.presences.select_related("elu", "mandataire"):
        assert str(presence) in contenu.replace("&#x27;", "'")
    assert seance.MESSAGE_ARRETEE in contenu.replace("&#x27;", "'")
    # the agenda form stays
    assert reverse("deliberations:seance_inscrire", args=[seance.pk]) in contenu


# --- 3. The lists (django-tables2, django-filter) ----------------------------------------------------

LISTES = [
    "programmation:tranches",
    "deliberations:seances",
    "deliberations:liste",
    "deliberations:journal",
    "deliberations:instances",
    "deliberations:elus",
    "programmation:bilans",
]
LONG = "9" * 5000
HOSTILES = [
    {"du": "0000-00-00", "au": "0000-00-00"},
    {"du": "0001-01-01", "au": "9999-12-31"},
    {"du": "9999-12-31", "au": "0001-01-01"},
    {"du": "10000-01-01"},
    {"annee": "1e3"},
    {"annee": "2024.5"},
    {"annee": "NaN"},
    {"annee": "Infinity"},
    {"annee": "-0"},
    {"annee": LONG},
    {"annee": "2024\x00"},
    {"instance": "1\x00"},
    {"auteur": "\x00"},
    {"nature": "\x00"},
    {"page": LONG},
    {"page": "0"},
    {"page": "٣"},
    {"page": "1\x00"},
    {"sort": "x" * 10000},
    {"sort": "\x00"},
    {"sort": ["-seance", "seance", "nombre_actions", "contribution", "cout", "quorum"]},
    {"instance": ["1", "2", "abc"], "annee": ["2024", "abc"]},
    {"contrat": LONG, "annee": LONG},
    {"contrat": "٣"},
    {"export": "csv", "du": "0000-00-00"},
    {"export": ["csv", "pdf"]},
    {"nature": ["seances", "actions"], "auteur": ["1", "abc"]},
]


@pytest.mark.parametrize("nom", LISTES)
def test_it_answers_more_hostile_addresses_without_a_500(client, referent, nom):
    client.force_login(referent)
    client.raise_request_exception = False
    for parametres in HOSTILES:
        reponse = client.get(reverse(nom), parametres)
        assert reponse.status_code in {200, 400, 404}, (nom, parametres, reponse.status_code)


def _autre_instance(sedr):

    from ..factories import DeliberationFactory, InstanceFactory, SeanceFactory

    instance = InstanceFactory(collectivite=sedr, nom="Bureau secret de Rouvray")
    DeliberationFactory(seance=SeanceFactory(instance=instance))
    return instance


@pytest.mark.parametrize("nom", ["deliberations:seances", "deliberations:liste"])
def test_it_never_filters_by_another_authority_s_instance_even_in_an_array(client, referent, sem, sedr, nom):
    from deliberations.models import Instance

    autre = _autre_instance(sedr)
    mienne = Instance.objects.filter(collectivite=sem).order_by("pk").first()
    assert autre and mienne
    client.force_login(referent)
    for valeurs in ([str(autre.pk)], [str(mienne.pk), str(autre.pk)], [str(autre.pk), str(mienne.pk)]):
        reponse = client.get(reverse(nom), {"instance": valeurs})
        assert reponse.status_code == 200
        contenu = reponse.content.decode()
        assert autre.nom not in contenu
        rows = reponse.context["table"].rows
        instances = {
            (
                r.record.instance if nom == "deliberations:seances" else r.record.seance.instance
            ).collectivite_id
            for r in rows
        }
        assert instances <= {sem.pk}, valeurs


def _journal_page_rows(client, parametres):
    """Every row the journal's pages list with these filters, page after page."""
    lignes, numero = [], 1
    while True:
        reponse = client.get(reverse("deliberations:journal"), {**parametres, "page": numero})
        assert reponse.status_code == 200
        table = reponse.context["table"]
        lignes += [
            tuple(str(c) for c in r.record)[:6] if isinstance(r.record, tuple) else r.record
            for r in table.page.object_list
        ]
        if numero >= table.paginator.num_pages:
            return lignes, table.paginator.count
        numero += 1


@pytest.mark.parametrize(
    "parametres",
    [
        {},
        {"nature": "seances"},
        {"nature": "actions"},
        {"du": "2024-05-16", "au": "2024-05-16"},
        {"du": "0000-00-00", "nature": "seances"},
        {"au": "2024-05-16", "auteur": "abc"},
        {"nature": ["seances", "actions"]},
        {"nature": ["actions", "seances"]},
    ],
)
def test_it_exports_in_the_journal_s_csv_exactly_the_rows_its_pages_list(client, referent, parametres):
    import csv
    import io

    client.force_login(referent)
    lignes, compte = _journal_page_rows(client, parametres)
    reponse = client.get(reverse("deliberations:journal"), {**parametres, "export": "csv"})
    assert reponse.status_code == 200
    contenu = b"".join(reponse.streaming_content) if reponse.streaming else reponse.content
    texte = contenu.decode("utf-8-sig")
    dialecte = csv.Sniffer().sniff(texte.splitlines()[0]) if texte else csv.excel
    fichier = list(csv.reader(io.StringIO(texte), dialecte))
    assert len(fichier) - 1 == compte == len(lignes), (parametres, len(fichier) - 1, compte, len(lignes))


# --- 4. Restoring a hostile archive (contrat_ville/sauvegarde/, now a package) ---------------------

from contrat_ville.sauvegarde import ErreurSauvegarde, restaurer  # noqa: E402

from .test_attaques_restauration import _fichiers, _ouvrir, _refaire, archive  # noqa: E402,F401,F811


def _doublon(octets, nom, contenu):
    import io
    import warnings
    import zipfile

    tampon = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of a duplicate name
        with zipfile.ZipFile(io.BytesIO(octets)) as source, zipfile.ZipFile(tampon, "w") as zip_:
            for membre in source.namelist():
                zip_.writestr(membre, source.read(membre))
            zip_.writestr(nom, contenu)
    return tampon.getvalue()


def _document_remontant(donnees, chemin):
    for ligne in donnees:
        if (
            ligne["model"] == "contrat_ville.documentgenere"
            or ligne["model"].lower() == "contrat_ville.documentgenere"
        ):
            ligne["fields"]["fichier"] = chemin
    return donnees


def _financeur_d_une_autre_collectivite(donnees, autre_pk):
    for ligne in donnees:
        if ligne["model"].lower() == "contrat_ville.financeur":
            ligne["fields"]["collectivite"] = autre_pk
            break
    return donnees


def _cas_hostiles(archive, sedr, settings):  # noqa: F811 (the fixture)
    manifeste, _, donnees, fichiers = _ouvrir(archive)
    (document,) = fichiers
    return {
        "donnees.json en double": lambda: _doublon(archive, "donnees.json", b"[]"),
        "manifeste en double": lambda: _doublon(archive, "manifeste.json", b"{}"),
        "signature en double": lambda: _doublon(archive, "signature", b"0"),
        "document en double": lambda: _doublon(archive, f"fichiers/{document}", b"%PDF autre"),
        "document ../ dans la ligne": lambda: _refaire(
            archive, donnees=_document_remontant(_ouvrir(archive)[2], "../../evasion.pdf"), signer=True
        ),
        "document absolu dans la ligne": lambda: _refaire(
            archive, donnees=_document_remontant(_ouvrir(archive)[2], "/etc/passwd"), signer=True
        ),
        "membre ..\\ à l'antislash": lambda: _refaire(
            archive, fichiers={"..\\..\\evasion.pdf": b"x"}, signer=True
        ),
        "membre documents/../../": lambda: _refaire(
            archive, fichiers={"documents/../../evasion.pdf": b"x"}, signer=True
        ),
        "financeur d'une autre collectivité": lambda: _refaire(
            archive, donnees=_financeur_d_une_autre_collectivite(_ouvrir(archive)[2], sedr.pk), signer=True
        ),
    }


@pytest.mark.parametrize(
    "cas",
    [
        "donnees.json en double",
        "manifeste en double",
        "signature en double",
        "document en double",
        "document ../ dans la ligne",
        "document absolu dans la ligne",
        "membre ..\\ à l'antislash",
        "membre documents/../../",
        "financeur d'une autre collectivité",
    ],
)
def test_it_refuses_more_hostile_archives_in_french_writing_nothing(archive, sedr, settings, cas):  # noqa: F811
    hostile = _cas_hostiles(archive, sedr, settings)[cas]()
    avant, fichiers_avant = empreinte(), _fichiers(settings.MEDIA_ROOT)
    with pytest.raises(ErreurSauvegarde) as refus:
        restaurer(hostile)
    message = str(refus.value)
    assert any(mot in message for mot in ("refusée", "sauvegarde", "Sauvegarde", "collectivité")), message
    assert empreinte() == avant
    assert _fichiers(settings.MEDIA_ROOT) == fichiers_avant
    assert not (settings.MEDIA_ROOT.parent / "evasion.pdf").exists()


# --- 1 (continued) -------------------------------------------------------------------------------------


def test_it_refuses_a_voted_tranche_set_back_to_draft_on_its_admin_page(client, administrateur, sem):
    tranche = _votee(sem)
    client.force_login(administrateur)
    adresse = page(Tranche, "change", tranche.pk)
    donnees = donnees_postees(client.get(adresse))
    donnees["statut"] = "brouillon"
    avant = empreinte()
    reponse = client.post(adresse, donnees)
    assert reponse.status_code in {200, 302}
    assert empreinte() == avant


def test_it_answers_an_agent_s_form_posted_after_its_tranche_was_voted_without_a_500(client, agent, contrat):
    from ..programmation.test_changements import _formulaire

    tranche = Tranche.objects.creer_suivante(contrat, 2025)
    action = _action(contrat, statut="proposee")
    tranche.ajouter(action, agent)
    client.force_login(agent)
    donnees = _formulaire(client, action, contribution="3000", intitule="Chantier jeunes du soir")
    tranche.verrouiller("Délibération de test")
    client.raise_request_exception = False
    avant = empreinte()
    reponse = client.post(reverse("programmation:action_modifier", args=[action.pk]), donnees)
    assert reponse.status_code in {200, 302, 400}, reponse.status_code
    assert Action.objects.get(pk=action.pk).contribution == Decimal("2000")
    if reponse.status_code != 302:
        assert empreinte() == avant


# --- 2 (continued): a vote recorded while the attendance list is being saved (PostgreSQL) -------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="verrous de ligne : PostgreSQL")
def test_it_never_changes_the_attendance_of_a_seance_voted_while_its_list_was_being_saved(monkeypatch):
    """enregistrer_presences checks a_des_votes() and writes, holding no lock the vote waits for: a
    vote recorded between the check and the write leaves a voted séance with another attendance list."""
    import threading

    from deliberations.models import Deliberation, Seance

    from ..factories import DeliberationFactory, seance_avec_membres

    seance, elus = seance_avec_membres(10, 6)
    deliberation = DeliberationFactory(seance=seance)
    avant = seance.etats()
    nouvelle = dict(avant)
    nouvelle[elus[9].pk] = ("present", None)  # one more present
    verifie, vote_fini = threading.Event(), threading.Event()
    original = Seance.a_des_votes
    fil_liste = {}

    def a_des_votes(self):
        resultat = original(self)
        if threading.get_ident() == fil_liste.get("id"):
            verifie.set()
            vote_fini.wait(timeout=5)
        return resultat

    monkeypatch.setattr(Seance, "a_des_votes", a_des_votes)
    resultats = {}

    def liste():
        fil_liste["id"] = threading.get_ident()
        try:
            Seance.objects.get(pk=seance.pk).enregistrer_presences(nouvelle)
            resultats["liste"] = "ok"
        except Exception as erreur:  # noqa: BLE001
            resultats["liste"] = repr(erreur)
        finally:
            connection.close()

    def vote():
        verifie.wait(timeout=5)
        try:
            Deliberation.objects.get(pk=deliberation.pk).voter("unanimite")
            resultats["vote"] = "ok"
        except Exception as erreur:  # noqa: BLE001
            resultats["vote"] = repr(erreur)
        finally:
            vote_fini.set()
            connection.close()

    fils = [threading.Thread(target=liste), threading.Thread(target=vote)]
    for f in fils:
        f.start()
    for f in fils:
        f.join(timeout=30)
    # Both may succeed, one after the other: the list first, then the vote on that list. What must never
    # be is a vote counted on the old list, then the list changed under it: the list's trail comes first.
    from deliberations.models import Trace

    assert resultats == {"liste": "ok", "vote": "ok"}, resultats
    traces = list(Trace.objects.filter(seance=seance).order_by("pk").values_list("champ", flat=True))
    assert traces[-1] == "vote" and any(t.startswith("présence de") for t in traces[:-1]), traces


def test_it_refuses_a_stale_agent_form_adding_the_cofinancement_a_colleague_added_meanwhile(
    client, agent, contrat
):
    from ..programmation.test_changements import _formulaire

    action = _action(contrat)
    (financeur,) = _financeurs(agent.collectivite, 1)
    client.force_login(agent)
    vieux = _formulaire(client, action, contribution="2500")
    ligne = {
        "cofinancements-TOTAL_FORMS": "1",
        "cofinancements-INITIAL_FORMS": "0",
        "cofinancements-0-financeur": str(financeur.pk),
        "cofinancements-0-montant_sollicite": "1000",
    }
    adresse = reverse("programmation:action_modifier", args=[action.pk])
    assert client.post(adresse, {**_formulaire(client, action), **ligne}).status_code == 302
    avant = empreinte()
    client.raise_request_exception = False
    reponse = client.post(adresse, {**vieux, **ligne, "cofinancements-0-montant_sollicite": "3000"})
    assert reponse.status_code == 400, reponse.status_code
    assert empreinte() == avant


def test_it_lists_on_the_journal_s_pages_the_very_rows_of_its_csv_when_many_share_one_date(
    client, referent, contrat
):
    """An import writes its rows with one date (Changements(date=…)): ordered by date only, the pages
    (LIMIT/OFFSET) may repeat some rows and miss others."""
    import csv
    import datetime
    import io
    from collections import Counter

    from django.utils import timezone

    from programmation.models import Modification

    action = _action(contrat)
    quand = timezone.make_aware(datetime.datetime(2030, 1, 2, 3, 4, 5))
    Modification.objects.bulk_create(
        Modification(action=action, champ=f"champ {i:03d}", avant="", apres=str(i), date=quand)
        for i in range(350)
    )
    client.force_login(referent)
    parametres = {"du": "2030-01-02", "au": "2030-01-02"}
    pages, numero = Counter(), 1
    while True:
        reponse = client.get(reverse("deliberations:journal"), {**parametres, "page": numero})
        table = reponse.context["table"]
        pages.update(ligne.record["champ"] for ligne in table.page.object_list)
        if numero >= table.paginator.num_pages:
            break
        numero += 1
    reponse = client.get(reverse("deliberations:journal"), {**parametres, "export": "csv"})
    contenu = b"".join(reponse.streaming_content) if reponse.streaming else reponse.content
    texte = contenu.decode("utf-8-sig")
    dialecte = csv.Sniffer().sniff(texte.splitlines()[0])
    fichier = Counter(ligne[3] for ligne in list(csv.reader(io.StringIO(texte), dialecte))[1:])
    assert sum(fichier.values()) == 350
    assert pages == fichier, (sorted((pages - fichier).items())[:5], sorted((fichier - pages).items())[:5])


def test_it_never_overwrites_an_agent_s_change_with_a_stale_admin_page_of_the_action(
    client, administrateur, agent, contrat
):
    """The agent's form refuses a stale version; the action's back-office page should not silently put
    back the amounts a colleague changed after it was opened."""
    from django.test import Client

    from ..programmation.test_changements import _formulaire

    action = _action(contrat)
    client.force_login(administrateur)
    adresse = page(Action, "change", action.pk)
    perime = donnees_postees(client.get(adresse))
    collegue = Client()
    collegue.force_login(agent)
    formulaire = reverse("programmation:action_modifier", args=[action.pk])
    assert collegue.post(formulaire, _formulaire(collegue, action, contribution="3000")).status_code == 302
    perime["intitule"] = "Chantier jeunes (titre corrigé)"
    client.post(adresse, perime)
    assert Action.objects.get(pk=action.pk).contribution == Decimal("3000")
