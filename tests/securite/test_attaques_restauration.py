"""Restoring a backup is harmless: new ids beside the other authorities, authenticated archives only,
every row checked before anything is written, accounts without privileges, documents never mixed up.

The "other authority" holding the archive's ids is Saint-Etienne Métropole itself, renamed in place
after its backup: every row of the archive then collides with an existing row of the same id.
"""

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.db.models import F, Value
from django.db.models.functions import Concat

from contrat_ville import sauvegarde
from contrat_ville.models import Collectivite, DocumentGenere, Quartier, User
from contrat_ville.roles import AGENTS
from contrat_ville.sauvegarde import (
    ErreurSauvegarde,
    modeles_sauvegardes,
    restauration,
    restaurer,
    sauvegarder,
)
from programmation.models import Action, Tranche

from ..empreinte import IGNORES, empreinte

pytestmark = pytest.mark.django_db

SIREN_SEM = "244200770"
CONTENU_ARCHIVE = b"%PDF-1.7 annexe de la Metropole"
CONTENU_AUTRE = b"%PDF-1.7 document de l'autre collectivite"


# Archives taken apart and put back together ------------------------------------------------------


def _ouvrir(octets):
    with zipfile.ZipFile(io.BytesIO(octets)) as zip_:
        fichiers = {
            nom.removeprefix("fichiers/"): zip_.read(nom)
            for nom in zip_.namelist()
            if nom.startswith("fichiers/")
        }
        return (
            json.loads(zip_.read("manifeste.json")),
            zip_.read("signature"),
            json.loads(zip_.read("donnees.json")),
            fichiers,
        )


def _refaire(octets, *, donnees=None, fichiers=None, signer=False, manifeste=None, brut=None, membres=None):
    """The archive with other rows or files; hashes and counts recomputed like a careful forger would.

    signer=False keeps the original signature (a forger without the key), signer=True signs with
    this installation's key (what the other checks must stop on their own)."""
    manifeste_origine, signature, donnees_origine, fichiers_origine = _ouvrir(octets)
    donnees = donnees_origine if donnees is None else donnees
    fichiers = fichiers_origine if fichiers is None else fichiers
    octets_donnees = brut if brut is not None else json.dumps(donnees, ensure_ascii=False).encode()
    comptes = dict.fromkeys(manifeste_origine["modeles"], 0)
    if brut is None:
        for ligne in donnees:
            comptes[ligne["model"]] = comptes.get(ligne["model"], 0) + 1
    manifeste = {
        **manifeste_origine,
        "modeles": comptes if brut is None else manifeste_origine["modeles"],
        "donnees": hashlib.sha256(octets_donnees).hexdigest(),
        "fichiers": {nom: hashlib.sha256(contenu).hexdigest() for nom, contenu in fichiers.items()},
        **(manifeste or {}),
    }
    octets_manifeste = json.dumps(manifeste, ensure_ascii=False).encode()
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as zip_:
        zip_.writestr("manifeste.json", octets_manifeste)
        zip_.writestr("signature", sauvegarde.signer(octets_manifeste) if signer else signature)
        zip_.writestr("donnees.json", octets_donnees)
        for nom, contenu in fichiers.items():
            zip_.writestr(f"fichiers/{nom}", contenu)
        for nom, contenu in (membres or {}).items():
            zip_.writestr(nom, contenu)
    return tampon.getvalue()


def _ligne(donnees, label, **champs):
    return next(
        ligne
        for ligne in donnees
        if ligne["model"] == label and all(ligne["fields"][c] == v for c, v in champs.items())
    )


def normaliser(donnees):
    """The rows with every id replaced by its rank in its model: equal for the same data under new ids."""
    sauvegardes = {modele._meta.label: modele for modele, _ in modeles_sauvegardes()}
    rangs = {}
    for label in sauvegardes:
        pks = sorted(ligne["pk"] for ligne in donnees if ligne["model"] == label)
        rangs.update({(label, pk): rang for rang, pk in enumerate(pks)})
    resultat = []
    for ligne in donnees:
        modele, champs = sauvegardes[ligne["model"]], dict(ligne["fields"])
        for champ in [*modele._meta.concrete_fields, *modele._meta.many_to_many]:
            if not champ.is_relation or champ.related_model._meta.label not in sauvegardes:
                continue
            cible = champ.related_model._meta.label
            valeur = champs[champ.name]
            if champ.many_to_many:
                champs[champ.name] = sorted(rangs[(cible, v)] for v in valeur)
            elif valeur is not None:
                champs[champ.name] = rangs[(cible, valeur)]
        if ligne["model"] == "contrat_ville.DocumentGenere":
            cible = (
                "programmation.Tranche"
                if champs["nature"].startswith("annexe-")
                else "deliberations.Deliberation"
            )
            champs["objet_id"] = rangs[(cible, champs["objet_id"])]
        resultat.append((ligne["model"], rangs[(ligne["model"], ligne["pk"])], champs))
    return sorted(resultat, key=lambda r: (r[0], r[1]))


def _lignes_de_la_base():
    """Every row of every model, by label and primary key, serialised."""
    lignes = {}
    for modele in apps.get_models(include_auto_created=True):
        if modele._meta.app_label in IGNORES or not modele._meta.managed:
            continue
        for ligne in json.loads(serializers.serialize("json", modele._base_manager.order_by("pk"))):
            lignes[(modele._meta.label, ligne["pk"])] = ligne["fields"]
    return lignes


def _fichiers(dossier):
    return {chemin: chemin.read_bytes() for chemin in dossier.rglob("*") if chemin.is_file()}


# The scene: SEM with accounts and a document, saved, then renamed in place ------------------------------


@pytest.fixture
def archive(sem, tmp_path, settings):
    """SEM's archive (a superuser, an agent, a document), then SEM renamed: its rows keep the ids."""
    settings.MEDIA_ROOT = tmp_path / "media"
    Group.objects.get_or_create(name=AGENTS)
    agent = User.objects.create_user("agent-sem", password="x" * 16, collectivite=sem)
    agent.groups.add(Group.objects.get(name=AGENTS))
    User.objects.create_superuser("chef-sem", "chef@example.org", "y" * 16, collectivite=sem)
    tranche = Tranche.objects.get(contrat__collectivite=sem, annee=2024, numero=1)
    document = DocumentGenere.objects.create(
        collectivite=sem, nature="annexe-pdf", objet_id=tranche.pk, nom_fichier="2024-T1-annexe.pdf"
    )
    document.terminer(CONTENU_ARCHIVE)
    octets = sauvegarder(sem)
    # The other authority: same ids, another SIREN, name, logins and QPV codes (unique everywhere).
    Collectivite.objects.filter(pk=sem.pk).update(siren="200046977", nom="Autre collectivité")
    User.objects.filter(collectivite=sem).update(username=Concat(F("username"), Value("-autre")))
    Quartier.objects.filter(collectivite=sem).update(code="")
    # Its own document, at the name the archive's document had.
    (settings.MEDIA_ROOT / document.fichier.name).write_bytes(CONTENU_AUTRE)
    return octets


def _tranche_2024_t1(collectivite):
    return Tranche.objects.get(
        contrat__collectivite=collectivite, contrat__intitule__contains="Quartiers 2030", annee=2024, numero=1
    )


# 1. Restored beside the authority holding the same ids ------------------------------------------------


def test_it_restores_under_new_ids_leaving_the_authority_with_the_same_ids_untouched(archive, sem):
    avant = _lignes_de_la_base()
    tranche_avant = _tranche_2024_t1(sem)
    document_avant = DocumentGenere.objects.get(collectivite=sem)

    rapport = restaurer(archive)

    apres = _lignes_de_la_base()
    assert {cle: apres.get(cle) for cle in avant} == avant
    restauree = Collectivite.objects.get(siren=SIREN_SEM)
    assert restauree.pk != sem.pk
    assert rapport["collectivite"].pk == restauree.pk
    # Every id of the archive was taken here, and every row that held one is unchanged (above).
    ids_archive = {(ligne["model"], ligne["pk"]) for ligne in _ouvrir(archive)[2]}
    assert ids_archive <= set(avant)
    # Complete: saved again, the same rows and counts (ids aside); accounts without privileges.
    manifeste, _, donnees, _ = _ouvrir(archive)
    manifeste_relu, _, donnees_relues, _ = _ouvrir(sauvegarder(restauree))
    assert manifeste_relu["modeles"] == manifeste["modeles"] == rapport["comptes"]
    attendues = normaliser(donnees)
    for modele, _, champs in attendues:
        if modele == "contrat_ville.User":
            champs.update(is_superuser=False, is_staff=False)
        if modele == "contrat_ville.DocumentGenere":
            champs["fichier"] = DocumentGenere.objects.get(collectivite=restauree).fichier.name
    assert normaliser(donnees_relues) == attendues
    assert manifeste["modeles"]["programmation.Action"] == 101
    # The voted tranche, as typed from délibération 2024.00230: 49 actions, 383 950 €.
    tranche = _tranche_2024_t1(restauree)
    assert tranche.pk != tranche_avant.pk
    assert (tranche.statut, tranche.verrouillee_le, tranche.acte_de_vote) == (
        "votee",
        tranche_avant.verrouillee_le,
        tranche_avant.acte_de_vote,
    )
    totaux = tranche.actions.subventions().totaux()
    assert (totaux["nombre"], totaux["cout"], totaux["contribution"]) == (
        49,
        Decimal("2696021"),
        Decimal("383950"),
    )
    assert _tranche_2024_t1(sem).actions.count() == tranche_avant.actions.count()
    # The document names the restored tranche, not the other authority's.
    assert DocumentGenere.objects.get(collectivite=restauree).objet_id == tranche.pk
    assert document_avant.objet_id == tranche_avant.pk


def test_it_restores_accounts_as_ordinary_ones_to_reactivate(archive, sem):
    rapport = restaurer(archive)

    restauree = Collectivite.objects.get(siren=SIREN_SEM)
    comptes = {u.username: u for u in User.objects.filter(collectivite=restauree)}
    assert set(comptes) == {"agent-sem", "chef-sem"} == set(rapport["utilisateurs"])
    for compte in comptes.values():
        assert (compte.is_superuser, compte.is_staff, compte.is_active) == (False, False, True)
        assert not compte.has_usable_password()
    assert list(comptes["agent-sem"].groups.values_list("name", flat=True)) == [AGENTS]
    assert User.objects.get(username="chef-sem-autre").is_superuser


def test_it_restores_a_document_whose_name_is_taken_under_a_new_name_the_row_points_at(
    archive, sem, settings
):
    autre = DocumentGenere.objects.get(collectivite=sem)

    rapport = restaurer(archive)

    restaure = DocumentGenere.objects.get(collectivite__siren=SIREN_SEM)
    assert restaure.fichier.name != autre.fichier.name
    assert rapport["fichiers_renommes"] == {autre.fichier.name: restaure.fichier.name}
    assert (settings.MEDIA_ROOT / restaure.fichier.name).read_bytes() == CONTENU_ARCHIVE
    with restaure.fichier.open("rb") as contenu:
        assert contenu.read() == CONTENU_ARCHIVE
    autre.refresh_from_db()
    assert (settings.MEDIA_ROOT / autre.fichier.name).read_bytes() == CONTENU_AUTRE


# 2. Hostile archives: refused, in French, nothing written -------------------------------------------


def _superutilisateur(donnees):
    intrus = json.loads(json.dumps(_ligne(donnees, "contrat_ville.User", username="agent-sem")))
    intrus["pk"] = 999_999
    intrus["fields"].update(username="intrus", is_superuser=True, is_staff=True)
    return [*donnees, intrus]


def _collectivite_en_plus(donnees):
    autre = json.loads(json.dumps(_ligne(donnees, "contrat_ville.Collectivite")))
    autre["pk"] = 999_999
    autre["fields"].update(siren="217605757", nom="Intruse")
    return [*donnees, autre]


def _contribution_14000(donnees):
    ligne = next(
        ligne
        for ligne in donnees
        if ligne["model"] == "programmation.Action" and Decimal(ligne["fields"]["contribution"]) == 15000
    )
    ligne["fields"]["contribution"] = "14000.00"
    return donnees


def _actions_retirees(donnees, nombre=51):
    actions = [ligne for ligne in donnees if ligne["model"] == "programmation.Action"][-nombre:]
    retirees = {ligne["pk"] for ligne in actions}
    # Their dependent rows go too, so that what is left holds together.
    return [
        ligne
        for ligne in donnees
        if not (ligne["model"] == "programmation.Action" and ligne["pk"] in retirees)
        and ligne["fields"].get("action") not in retirees
    ]


def _tranche_en_double(donnees):
    double = json.loads(json.dumps(_ligne(donnees, "programmation.Tranche", annee=2024, numero=1)))
    double["pk"] = 999_999
    return [*donnees, double]


def _porteur_d_une_autre_collectivite(donnees):
    from programmation.models import Porteur

    etranger = Porteur.objects.filter(collectivite__siren="217605757").first()
    next(ligne for ligne in donnees if ligne["model"] == "programmation.Action")["fields"]["porteur"] = (
        etranger.pk
    )
    return donnees


def _compte_sans_collectivite(donnees):
    _ligne(donnees, "contrat_ville.User", username="agent-sem")["fields"]["collectivite"] = None
    return donnees


def _siren_faux(donnees):
    _ligne(donnees, "contrat_ville.Collectivite")["fields"]["siren"] = "244200771"
    return donnees


def _document_d_une_autre_tranche(donnees):
    # A tranche not in the archive (the other authority's ids are the archive's, renamed: any will do).
    _ligne(donnees, "contrat_ville.DocumentGenere")["fields"]["objet_id"] = (
        Tranche.objects.order_by("pk").last().pk + 1
    )
    return donnees


def _hostile(archive, cas):
    donnees = _ouvrir(archive)[2]
    fichiers = _ouvrir(archive)[3]
    (nom,) = fichiers
    return {
        # Without the key: only the signature stands in the way.
        "superutilisateur injecté": lambda: _refaire(archive, donnees=_superutilisateur(donnees)),
        "collectivité en plus": lambda: _refaire(archive, donnees=_collectivite_en_plus(donnees)),
        "contribution 15 000 → 14 000": lambda: _refaire(archive, donnees=_contribution_14000(donnees)),
        "51 actions retirées": lambda: _refaire(archive, donnees=_actions_retirees(donnees)),
        "document modifié": lambda: _refaire(archive, fichiers={nom: b"%PDF faux"}),
        "fichier ajouté": lambda: _avec_membre(archive, "fichiers/documents/intrus.pdf", b"x"),
        "pas un zip": lambda: b"PK pas une archive",
        "membre manquant": lambda: _sans_membre(archive, "donnees.json"),
        # With the key (a stolen key, or a bug): each check must stop it on its own.
        "JSON invalide": lambda: _refaire(archive, brut=b'[{"model": ', signer=True),
        "chemin remontant": lambda: _refaire(archive, fichiers={"../../evasion.pdf": b"x"}, signer=True),
        "chemin absolu": lambda: _refaire(
            archive, fichiers={str(settings.BASE_DIR / "evasion.pdf"): b"x"}, signer=True
        ),
        "collectivité en plus, signée": lambda: _refaire(
            archive, donnees=_collectivite_en_plus(donnees), signer=True
        ),
        "tranche en double": lambda: _refaire(archive, donnees=_tranche_en_double(donnees), signer=True),
        "porteur d'une autre collectivité": lambda: _refaire(
            archive, donnees=_porteur_d_une_autre_collectivite(donnees), signer=True
        ),
        "compte sans collectivité": lambda: _refaire(
            archive, donnees=_compte_sans_collectivite(donnees), signer=True
        ),
        "SIREN invalide": lambda: _refaire(
            archive,
            donnees=_siren_faux(donnees),
            manifeste={"collectivite": {"siren": "244200771"}},
            signer=True,
        ),
        "document d'une autre tranche": lambda: _refaire(
            archive, donnees=_document_d_une_autre_tranche(donnees), signer=True
        ),
        "nombres faux": lambda: _refaire(
            archive,
            donnees=_actions_retirees(donnees, 1),
            manifeste={"modeles": _ouvrir(archive)[0]["modeles"]},
            signer=True,
        ),
        "autre schéma": lambda: _refaire(
            archive, manifeste={"schema": {"contrat_ville": "0001_initial"}}, signer=True
        ),
    }[cas]()


def _avec_membre(archive, nom, contenu):
    tampon = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(tampon, "w") as zip_:
        for membre in source.namelist():
            zip_.writestr(membre, source.read(membre))
        zip_.writestr(nom, contenu)
    return tampon.getvalue()


def _sans_membre(archive, absent):
    tampon = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(tampon, "w") as zip_:
        for nom in source.namelist():
            if nom != absent:
                zip_.writestr(nom, source.read(nom))
    return tampon.getvalue()


HOSTILES = {
    "superutilisateur injecté": "signature ne correspond pas",
    "collectivité en plus": "signature ne correspond pas",
    "contribution 15 000 → 14 000": "signature ne correspond pas",
    "51 actions retirées": "signature ne correspond pas",
    "document modifié": "signature ne correspond pas",
    "fichier ajouté": "ne sont pas ceux du manifeste \\(en trop : fichiers/documents/intrus.pdf\\)",
    "pas un zip": "n'est pas une sauvegarde lisible",
    "membre manquant": "il y manque « donnees.json »",
    "JSON invalide": "« donnees.json » n'est pas un JSON valide",
    "chemin remontant": "« ../../evasion.pdf » sortirait du dossier des documents",
    "chemin absolu": "evasion.pdf » sortirait du dossier des documents",
    "collectivité en plus, signée": "elle contient 2 collectivités",
    "tranche en double": "contrat_id, annee, numero déjà pris par tranche",
    "porteur d'une autre collectivité": "« porteur » désigne programmation.Porteur n°\\d+, absent de la",
    "compte sans collectivité": "n'est rattaché à aucune collectivité",
    "SIREN invalide": "siren : .*SIREN",
    "document d'une autre tranche": "son objet programmation.Tranche n°\\d+ est absent de la sauvegarde",
    "nombres faux": "programmation.Action : 101 annoncés, 100 présents",
    "autre schéma": "migrez la base",
}


@pytest.mark.parametrize("cas", HOSTILES)
def test_it_refuses_a_hostile_archive_writing_nothing(archive, settings, cas):
    hostile = _hostile(archive, cas)
    avant, fichiers_avant = empreinte(), _fichiers(settings.MEDIA_ROOT)

    with pytest.raises(ErreurSauvegarde, match=HOSTILES[cas]):
        restaurer(hostile)

    assert empreinte() == avant
    assert _fichiers(settings.MEDIA_ROOT) == fichiers_avant
    assert not (settings.MEDIA_ROOT.parent / "evasion.pdf").exists()
    assert not (settings.BASE_DIR / "evasion.pdf").exists()


def test_it_refuses_a_login_already_taken(archive, sem):
    User.objects.filter(username="agent-sem-autre").update(username="agent-sem")
    avant = empreinte()

    with pytest.raises(
        ErreurSauvegarde, match="identifiants de connexion sont déjà pris dans cette base \\(agent-sem\\)"
    ):
        restaurer(archive)

    assert empreinte() == avant


def test_it_removes_the_documents_written_when_the_last_step_fails(archive, settings, monkeypatch):
    def panne(lignes):
        raise DatabaseError("panne simulée")

    monkeypatch.setattr(restauration, "_voter", panne)
    avant, fichiers_avant = empreinte(), _fichiers(settings.MEDIA_ROOT)

    with pytest.raises(ErreurSauvegarde, match="Sauvegarde refusée par la base, rien n'a été restauré"):
        restaurer(archive)

    assert empreinte() == avant
    assert _fichiers(settings.MEDIA_ROOT) == fichiers_avant


def test_it_writes_each_tranche_as_a_draft_before_its_actions_and_votes_it_last(archive, monkeypatch):
    """What the voted-tranche lock needs: no action nor cofinancement ever joins a voted tranche."""
    from django.db.models.signals import pre_save

    statuts_vus = []

    def temoin(sender, instance, raw, **kwargs):
        if sender is Action and instance.tranche_id:
            statuts_vus.append(Tranche.objects.get(pk=instance.tranche_id).statut)

    pre_save.connect(temoin, weak=False)
    try:
        restaurer(archive)
    finally:
        pre_save.disconnect(temoin)
    assert len(statuts_vus) == 101 and set(statuts_vus) == {"brouillon"}
    assert _tranche_2024_t1(Collectivite.objects.get(siren=SIREN_SEM)).statut == "votee"


# 3. The command: a report, or a French refusal without traceback -----------------------------------


def test_it_reports_the_restoration(archive, tmp_path):
    chemin = tmp_path / "sauvegarde.zip"
    chemin.write_bytes(archive)
    sortie = io.StringIO()

    call_command("restaurer", str(chemin), stdout=sortie)

    texte = sortie.getvalue()
    assert "Saint-Etienne Métropole restaurée" in texte
    assert "programmation.Action : 101" in texte
    assert "Comptes à réactiver" in texte and "chef-sem" in texte and "agent-sem" in texte


def test_it_refuses_a_missing_archive_in_french(db, tmp_path):
    with pytest.raises(CommandError, match="Impossible de lire"):
        call_command("restaurer", str(tmp_path / "absente.zip"))


def test_it_exits_non_zero_without_traceback_on_a_refusal(tmp_path):
    chemin = tmp_path / "abimee.zip"
    chemin.write_bytes(b"pas une archive")
    resultat = subprocess.run(
        [sys.executable, "manage.py", "restaurer", str(chemin)],
        cwd=settings.BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'vide.sqlite3'}"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert resultat.returncode == 1
    assert "n'est pas une sauvegarde lisible" in resultat.stderr
    assert "Traceback" not in resultat.stderr
