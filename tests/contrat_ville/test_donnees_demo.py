"""The demo data holds the seeds exactly.

Every expected figure below is typed from the source documents in ../shared/seeds/,
never computed by the code under test.
"""

from decimal import Decimal

import pytest

from contrat_ville.models import Axe, Contrat, Dispositif, Enveloppe
from deliberations.models import Deliberation, Seance
from programmation.models import Action, TotalDeclare, Tranche

pytestmark = pytest.mark.django_db

D = Decimal


def tranche(intitule_contrat, annee, numero):
    return Tranche.objects.get(contrat__intitule__contains=intitule_contrat, annee=annee, numero=numero)


def par_nom_court(tranche):
    return {
        r["axe__numero"]: (r["nombre"], r["cout"], r["contribution"])
        for r in tranche.actions.subventions().par_axe()
    }


# Seed 000: délibération 2024.00230, summary table and ANNEXE 1 subtotals.
def test_it_holds_the_2024_first_tranche_per_defi():
    t = tranche("Engagements Quartiers 2030", 2024, 1)
    assert par_nom_court(t) == {
        2: (13, D("353386"), D("57600")),
        3: (31, D("1807776"), D("294850")),
        4: (5, D("534859"), D("31500")),
    }


def test_it_holds_the_2024_first_tranche_totals():
    totaux = tranche("Engagements Quartiers 2030", 2024, 1).actions.subventions().totaux()
    assert (totaux["nombre"], totaux["cout"], totaux["contribution"]) == (49, D("2696021"), D("383950"))


def test_it_keeps_2024_rows_as_the_annex_writes_them():
    face = Action.objects.get(numero_dauphin="264493")
    assert face.intitule == "FACE au Job : on s'débloque"
    assert face.porteur.nom == "FACE Loire"
    assert (face.cout, face.contribution) == (D("52052"), D("7000"))
    clsm = Action.objects.get(numero_dauphin="00266007")
    assert clsm.numero_dauphin_source == "0026600 7"
    assert (clsm.cout, clsm.contribution) == (D("55946"), D("7500"))
    assert Action.objects.get(numero_dauphin="00266603").contribution == D("10000")
    sans_numero = Action.objects.filter(annee=2024, contrat__annee_debut=2024, numero_dauphin="")
    assert sorted(a.porteur.nom for a in sans_numero.exclude(contrat__nature="cls")) == [
        "ADECCO Training",
        "Illiad Formation",
    ]


def test_it_gives_merged_cells_to_every_relais_emploi_row_of_2024():
    relais = Action.objects.filter(annee=2024, intitule__startswith="Relais emploi")
    assert relais.count() == 7
    assert set(relais.values_list("territoire", flat=True)) == {"Transversal SEM"}
    assert all(a.objectifs.startswith("Favoriser l'accès à l'emploi") for a in relais)


# Seed 001: délibération 2019.00081.
def test_it_holds_the_2019_first_tranche_per_pilier():
    t = tranche("Urbain et Social", 2019, 1)
    # Pilier 3's cost is the lines' sum; the annex states 734 229 (see the stated totals below).
    assert par_nom_court(t) == {
        1: (9, D("532626"), D("65500")),
        2: (10, D("261864"), D("120000")),
        3: (17, D("772169"), D("235200")),
        4: (13, D("359417"), D("76800")),
    }


def test_it_splits_2019_between_fonctionnement_and_investissement():
    actions = tranche("Urbain et Social", 2019, 1).actions.subventions()
    assert actions.totaux()["contribution"] == D("497500")
    assert {r["section"]: r["contribution"] for r in actions.par_section()} == {
        "fonctionnement": D("377500"),
        "investissement": D("120000"),
    }


def test_it_keeps_the_two_actions_where_the_metropole_is_maitre_d_ouvrage():
    annexe_2 = tranche("Urbain et Social", 2019, 1).actions.en_maitrise_ouvrage()
    lignes = {a.intitule: (a.cout, [c.montant_sollicite for c in a.cofinancements.all()]) for a in annexe_2}
    assert lignes == {
        "Semaines de l'égalité": (D("19003"), [D("2000")]),
        "Rencontre annuelle des acteurs": (D("4000"), [D("2000")]),
    }
    assert {a.cofinancements.get().financeur.nom for a in annexe_2} == {"État"}


def test_it_keeps_the_totals_the_documents_state():
    t2019 = tranche("Urbain et Social", 2019, 1)
    declares = {
        (d.nature, d.libelle): (d.nombre_actions, d.cout, d.montant)
        for d in TotalDeclare.objects.filter(tranche=t2019)
    }
    assert declares[("annexe", "TOTAL PRIORITE 3")] == (None, D("734229"), D("235200"))
    assert declares[("recapitulatif", "TOTAL")] == (49, None, D("497500"))
    t2024 = tranche("Engagements Quartiers 2030", 2024, 1)
    assert (
        TotalDeclare.objects.get(tranche=t2024, nature="annexe", axe__numero=3).libelle
        == "TOTAL DEFI « NOS QUARTIERS REVELENT »"
    )
    assert TotalDeclare.objects.get(tranche=t2024, nature="texte").cout == D("2696021")


# Seed 003: délibération 2024.00417, Contrat local des solidarités.
def test_it_holds_the_cls_third_tranche():
    t = tranche("solidarités", 2024, 3)
    action = t.actions.get()
    assert action.porteur.nom.startswith("AESIO Santé")
    assert action.contribution == D("94000")
    assert action.cout is None  # the seed leaves the cost cell empty
    assert action.convention_pluriannuelle
    assert (action.axe.numero, action.axe.intitule.split(" : ")[0]) == (3, "Accès aux droits essentiels")


def test_it_holds_the_cls_envelopes():
    cls = Contrat.objects.get(nature="cls")
    assert (cls.annee_debut, cls.annee_fin) == (2024, 2027)
    etat = Enveloppe.objects.filter(contrat=cls, financeur__nature="etat")
    assert sorted(etat.values_list("annee", "montant", "taux_maximum")) == [
        (an, D("490500"), D("50")) for an in (2024, 2025, 2026, 2027)
    ]
    assert Enveloppe.objects.get(contrat=cls, annee=2024, financeur=None).montant == D("981000")


def test_it_names_the_axes_as_each_contract_does():
    assert list(
        Axe.objects.filter(contrat__annee_debut=2024, contrat__nature="contrat_de_ville")
        .order_by("numero")
        .values_list("nom_court", flat=True)
    ) == ["AGIR", "EMANCIPER", "REVELER", "RESPIRER"]
    assert Axe.objects.filter(contrat__annee_debut=2015).count() == 4
    assert Axe.objects.filter(contrat__nature="cls").count() == 4
    assert Contrat.objects.get(annee_debut=2024, nature="contrat_de_ville").enjeux_transversaux.count() == 2


def test_it_holds_the_cite_de_l_emploi_dispositif():
    cite = Dispositif.objects.get(intitule="Cité de l'emploi")
    assert cite.public_eligible == "Habitants des QPV de SEM, sans distinction d'âge."
    assert "Les quartiers en veille active ne sont pas éligibles." in cite.porteurs_eligibles
    assert cite.criteres_financement.startswith("La subvention est conditionnée par la production")
    assert cite.residents_qpv_uniquement and cite.bilan_precedent_requis


# Attendance, as each extract states it.
@pytest.mark.parametrize(
    "numero, en_exercice, presents, pouvoirs, voix, excuses",
    [
        ("2024.00230", 68, 54, 8, 62, 6),
        ("2019.00081", 69, 55, 0, 55, 14),
        ("2024.00417", 67, 40, 6, 46, 21),
    ],
)
def test_it_counts_attendance_as_the_extract(numero, en_exercice, presents, pouvoirs, voix, excuses):
    seance = Deliberation.objects.get(numero=numero).seance
    d = seance.decompte()
    assert (d.membres_en_exercice, d.presents, d.pouvoirs, d.voix, d.excuses) == (
        en_exercice,
        presents,
        pouvoirs,
        voix,
        excuses,
    )


def test_it_records_who_gave_pouvoir_to_whom_in_may_2024():
    seance = Seance.objects.get(date="2024-05-16")
    pouvoirs = {
        (p.elu.nom_complet, p.mandataire.nom_complet)
        for p in seance.presences.filter(etat="pouvoir").select_related("elu", "mandataire")
    }
    assert pouvoirs == {
        ("Gilles ARTIGUES", "Jean-Luc DEGRAIX"),
        ("Patrick BOUCHET", "André CHARBONNIER"),
        ("Jean-Claude FLACHAT", "Régis CADEGROS"),
        ("Jérôme GABIAUD", "Marc JANDOT"),
        ("Yves MORAND", "Jean-Luc BASSON"),
        ("Aline MOUSEGHIAN", "Andonella FLECHET"),
        ("Gaël PERDRIAU", "Marc CHASSAUBENE"),
        ("Jean-Marc SARDAT", "Gilbert SOULIER"),
    }
    assert (seance.president.nom_complet, seance.secretaire.nom_complet) == (
        "Sylvie FAYOLLE",
        "Siham LABICH",
    )


@pytest.mark.parametrize(
    "numero, actes, recu, publie, tranche_numero",
    [
        ("2024.00230", "042-244200770-20240516-D20240023010-DE", "2024-05-28", "2024-05-28", 1),
        ("2019.00081", "042-244200770-20190307-D20190008110-DE", "2019-03-19", "2019-03-19", 1),
        ("2024.00417", "042-244200770-20240704-D20240041710-DE", "2024-07-12", "2024-07-12", 3),
    ],
)
def test_it_keeps_the_prefecture_stamps(numero, actes, recu, publie, tranche_numero):
    d = Deliberation.objects.get(numero=numero)
    assert d.identifiant_actes == actes
    assert (d.date_reception_prefecture.isoformat(), d.date_publication.isoformat()) == (
        recu,
        publie,
    )
    assert d.est_executoire
    assert d.resultat_vote == "unanimite"
    assert d.tranche.numero == tranche_numero and d.tranche.est_verrouillee


def test_it_invents_no_identifier():
    from contrat_ville.models import Collectivite
    from programmation.models import Porteur

    assert not Porteur.objects.exclude(siret="", rna="").exists()
    assert Collectivite.objects.get(siren="244200770").siret == ""


def test_it_lists_the_bureau_members_in_office_at_the_last_seance():
    from deliberations.models import Instance

    bureau = Instance.objects.get(nom="Bureau Métropolitain")
    assert bureau.membres.count() == 67
    assert bureau.membres.filter(nom="DALLARA", prenom="Charles").exists()


# The demo's accounts (manage.py demo): a référent for each authority, and a third authority, empty.


def test_it_creates_in_the_demo_a_referent_for_each_authority_and_an_empty_third_one():
    from io import StringIO

    from django.core.management import call_command

    from contrat_ville.management.commands.demo import (
        COMPTES,
        COMPTES_SEDR,
        COMPTES_VILLE,
        SIREN_SEDR,
        SIREN_SEM,
        VILLE,
    )
    from contrat_ville.models import Collectivite, User
    from contrat_ville.roles import AGENTS, ELUS, REFERENTS

    sortie = StringIO()
    call_command("demo", "--sans-serveur", stdout=sortie)
    call_command("demo", "--sans-serveur", stdout=StringIO())  # a second run changes nothing
    ville = Collectivite.objects.get(siren=VILLE["siren"])
    assert (ville.nom, ville.nature, ville.siret) == ("Ville de Villeneuve-Test", "commune", "")
    attendus = {
        SIREN_SEM: COMPTES,
        SIREN_SEDR: COMPTES_SEDR,
        VILLE["siren"]: COMPTES_VILLE,
    }
    for siren, comptes in attendus.items():
        for identifiant, mot_de_passe, role, superutilisateur in comptes:
            user = User.objects.get(username=identifiant)
            assert user.check_password(mot_de_passe) and user.collectivite.siren == siren, identifiant
            assert list(user.groups.values_list("name", flat=True)) == ([role] if role else [])
            assert user.is_superuser is superutilisateur and user.is_staff is superutilisateur
            assert f"{identifiant} " in sortie.getvalue() and f" {mot_de_passe} " in sortie.getvalue()
    roles = {role for comptes in attendus.values() for _, _, role, _ in comptes}
    assert {REFERENTS, AGENTS, ELUS} <= roles
    assert {role for _, _, role, _ in COMPTES_VILLE} == {REFERENTS, AGENTS, ELUS}
    # Nothing but itself and its accounts: its référent builds a whole year from scratch.
    for modele, chemin in _lignes_de_collectivite():
        assert not modele._default_manager.filter(**{chemin: ville}).exists(), modele.__name__
    assert User.objects.filter(collectivite=ville).count() == len(COMPTES_VILLE)


def _lignes_de_collectivite():
    from django.apps import apps

    from contrat_ville.cloisonnement import chemin_vers_la_collectivite

    for modele in apps.get_models():
        chemin = chemin_vers_la_collectivite(modele)
        if chemin not in (None, "pk") and modele._meta.label != "contrat_ville.User":
            yield modele, chemin
