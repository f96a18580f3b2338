"""Every amount shown, printed or exported exactly to the cent; an unknown amount is never shown as 0."""

import csv
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from contrat_ville.formats import euros
from contrat_ville.models import Contrat
from deliberations import opendata
from programmation.documents import annexe_pdf
from programmation.models import Porteur, Tranche
from programmation.tableur import annexe_xlsx

from ..factories import ActionFactory, DeliberationFactory

pytestmark = pytest.mark.django_db

MONTANTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999.99"), places=2)
QUELQUES = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ANNEE = 2029  # a year of the 2024-2030 contrat de ville the seeds hold no tranche for


def ecrit(montant):
    """How the test expects an amount written: thousands by spaces, ',xx' only when it has cents."""
    entier, centimes = f"{montant:.2f}".split(".")
    groupes = re.sub(r"(?<=\d)(?=(\d{3})+$)", " ", entier)
    return f"{groupes} €" if centimes == "00" else f"{groupes},{centimes} €"


def plat(texte):
    """Spaces of every kind folded to one, as a reader sees them."""
    return re.sub(r"[\s\u202f\u00a0]+", " ", texte)


def texte_pdf(contenu):
    return plat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(contenu)).pages))


def tranche_brouillon(sem, *montants):
    """A draft tranche of the Métropole holding one proposed action per (cout, contribution)."""
    contrat = Contrat.objects.get(collectivite=sem, nature="contrat_de_ville", annee_debut=2024)
    tranche = Tranche.objects.creer_suivante(contrat, ANNEE)
    porteur = Porteur.objects.filter(collectivite=sem).first()
    axe = contrat.axes.first()
    actions = []
    for rang, (cout, contribution) in enumerate(montants, start=1):
        action = ActionFactory(
            tranche=None,
            contrat=contrat,
            annee=ANNEE,
            porteur=porteur,
            axe=axe,
            statut="proposee",
            intitule=f"Action au centime {tranche.numero}-{rang}",
            cout=cout,
            contribution=contribution,
        )
        tranche.ajouter(action)
        actions.append(action)
    return tranche, actions


def couple(montants):
    """(cout, contribution): the contribution never above the cost."""
    a, b = montants
    return max(a, b), min(a, b)


@pytest.fixture
def connecte(client, agent):
    client.force_login(agent)
    return client


# --- Hand-typed examples -------------------------------------------------------------------------


def test_it_writes_the_cents_of_an_amount():
    assert euros(Decimal("6000.5")) == "6\u202f000,50\u202f€"
    assert euros(Decimal("0.01")) == "0,01\u202f€"
    assert euros(Decimal("37940.27")) == "37\u202f940,27\u202f€"
    assert euros(Decimal("-1234.5")) == "-1\u202f234,50\u202f€"


def test_it_writes_whole_amounts_as_the_seeds_do():
    assert euros(Decimal("383950")) == "383\u202f950\u202f€"
    assert euros(Decimal("383950.00")) == "383\u202f950\u202f€"
    assert euros(2696021) == "2\u202f696\u202f021\u202f€"
    assert euros(None) == ""


def test_it_never_rounds_half_a_euro_away():
    # The old rule printed 6 001 € for 6 000,50 € and 0 € for 0,49 €.
    assert euros(Decimal("6000.50")) != "6\u202f001\u202f€"
    assert euros(Decimal("0.49")) == "0,49\u202f€"


def test_it_shows_the_cls_2024_t3_unknown_cost_as_non_renseigne_on_the_tranche_list(connecte):
    page = connecte.get(reverse("programmation:tranches")).content.decode()
    lien = re.search(r'<tr>\s*<td data-label="Tranche"><a href="[^"]+">2024 T3</a></td>.*?</tr>', page, re.S)
    assert lien is not None
    ligne = plat(lien.group(0))
    assert "non renseigné" in ligne
    assert "0 €" not in ligne.replace("94 000 €", "")
    assert "94 000 €" in ligne


def test_it_states_the_unknown_costs_of_a_total(connecte, sem):
    tranche, (sans_cout, _) = tranche_brouillon(
        sem, (Decimal("1000.10"), Decimal("500")), (Decimal("2000.20"), Decimal("700"))
    )
    sans_cout.cout = None
    sans_cout.save()
    page = plat(connecte.get(reverse("programmation:tranche", args=[tranche.pk])).content.decode())
    assert "2 000,20 € (dont 1 coût non renseigné)" in page
    liste = plat(connecte.get(reverse("programmation:tranches")).content.decode())
    assert "2 000,20 € (dont 1 coût non renseigné)" in liste


def test_it_leaves_an_unknown_cost_empty_in_the_spreadsheet(sem):
    tranche, (action,) = tranche_brouillon(sem, (Decimal("1500.25"), Decimal("1200.75")))
    action.cout = None
    action.save()
    wb = openpyxl.load_workbook(io.BytesIO(annexe_xlsx(tranche)))
    feuille = wb[wb.sheetnames[1]]
    assert feuille["F2"].value is None
    assert feuille["F3"].value is None  # no =SUM that would read 0 €
    assert feuille["G3"].value == "=SUM(G2:G2)"
    assert feuille["H3"].value == "dont 1 coût non renseigné"
    recapitulatif = wb["Récapitulatif"]
    assert recapitulatif["C2"].value is None
    assert recapitulatif["C3"].value is None
    assert recapitulatif["E1"].value == "Coûts non renseignés"
    assert recapitulatif["E2"].value == 1


def test_it_shows_versé_non_suivi_when_no_payment_was_ever_recorded(connecte):
    from programmation.models import Action

    action = Action.objects.filter(
        contrat__collectivite__siren="244200770", annee=2019, paiements__isnull=True, statut="votee"
    ).first()
    assert action is not None
    page = plat(connecte.get(reverse("programmation:action", args=[action.pk])).content.decode())
    bloc = page[page.index("<caption>Versements</caption>") :]
    bloc = bloc[: bloc.index("</table>")]
    assert "non suivi" in bloc
    assert "aucun versement de cette action n'est enregistré" in page


def test_it_shows_no_people_reached_when_no_bilan_exists(connecte):
    page = plat(connecte.get(reverse("programmation:indicateurs"), {"annee": 2029}).content.decode())
    tableau = page[page.index("Public touché par sexe") : page.index("Public touché par âge")]
    assert "non renseigné" in tableau
    assert '<td class="montant">0</td>' not in tableau


# --- Properties: any amount with cents comes back identical ---------------------------------------


@QUELQUES
@given(montants=st.tuples(MONTANTS, MONTANTS))
def test_it_shows_any_amount_to_the_cent_on_the_pages(connecte, sem, montants):
    cout, contribution = couple(montants)
    tranche, (action,) = tranche_brouillon(sem, (cout, contribution))
    page_action = plat(connecte.get(reverse("programmation:action", args=[action.pk])).content.decode())
    assert ecrit(cout) in page_action
    assert ecrit(contribution) in page_action
    page_tranche = plat(connecte.get(reverse("programmation:tranche", args=[tranche.pk])).content.decode())
    assert ecrit(cout) in page_tranche
    assert ecrit(contribution) in page_tranche


@QUELQUES
@given(montants=st.tuples(MONTANTS, MONTANTS))
def test_it_exports_any_amount_to_the_cent_in_the_annex_spreadsheet(sem, montants):
    cout, contribution = couple(montants)
    tranche, _ = tranche_brouillon(sem, (cout, contribution))
    wb = openpyxl.load_workbook(io.BytesIO(annexe_xlsx(tranche)))
    feuille = wb[wb.sheetnames[1]]
    assert Decimal(str(feuille["F2"].value)) == cout
    assert Decimal(str(feuille["G2"].value)) == contribution
    for reference in ("F2", "G2", "F3", "G3"):
        assert "0.00" in feuille[reference].number_format
    assert "0.00" in wb["Récapitulatif"]["D2"].number_format


@QUELQUES
@given(montants=st.tuples(MONTANTS, MONTANTS))
def test_it_exports_any_amount_to_the_cent_in_the_programmation_csv(connecte, sem, montants):
    cout, contribution = couple(montants)
    _, (action,) = tranche_brouillon(sem, (cout, contribution))
    reponse = connecte.get(reverse("programmation:programmation"), {"annee": ANNEE, "export": "csv"})
    lignes = list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))
    entetes = lignes[0]
    (ligne,) = [ligne for ligne in lignes[1:] if ligne[entetes.index("Intitulé")] == action.intitule]
    cellules = set(ligne)
    assert f"{cout:.2f}".replace(".", ",") in cellules
    assert f"{contribution:.2f}".replace(".", ",") in cellules


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(montants=st.tuples(MONTANTS, MONTANTS))
def test_it_prints_any_amount_to_the_cent_in_the_annex_pdf(sem, montants):
    cout, contribution = couple(montants)
    tranche, _ = tranche_brouillon(sem, (cout, contribution))
    texte = texte_pdf(annexe_pdf(tranche))
    assert ecrit(cout) in texte
    assert ecrit(contribution) in texte


@QUELQUES
@given(montants=st.lists(MONTANTS, min_size=2, max_size=4))
def test_it_adds_amounts_with_cents_exactly(connecte, sem, montants):
    tranche, _ = tranche_brouillon(sem, *[(m, m) for m in montants])
    total = sum(montants, Decimal(0))  # added by the test, not by the code under test
    page = plat(connecte.get(reverse("programmation:tranche", args=[tranche.pk])).content.decode())
    pied = page[page.index("<tfoot>") :]
    assert f'<td class="montant">{ecrit(total)}</td>' in pied
    wb = openpyxl.load_workbook(io.BytesIO(annexe_xlsx(tranche)))
    feuille = wb[wb.sheetnames[1]]
    cellules = [Decimal(str(feuille[f"G{n}"].value)) for n in range(2, len(montants) + 2)]
    assert sum(cellules, Decimal(0)) == total


def test_it_adds_hand_typed_amounts_with_cents_exactly(connecte, sem):
    tranche, _ = tranche_brouillon(
        sem,
        (Decimal("1000.10"), Decimal("0.10")),
        (Decimal("2000.20"), Decimal("0.20")),
        (Decimal("3000.30"), Decimal("0.30")),
    )
    page = plat(connecte.get(reverse("programmation:tranche", args=[tranche.pk])).content.decode())
    pied = page[page.index("<tfoot>") :]
    assert "6 000,60 €" in pied
    assert "0,60 €" in pied
    texte = texte_pdf(annexe_pdf(tranche))
    assert "6 000,60 €" in texte
    assert "0,60 €" in texte


@QUELQUES
@given(montants=st.tuples(MONTANTS, MONTANTS))
def test_it_publishes_any_amount_to_the_cent_in_the_scdl_subsidies(sem, montants):
    cout, contribution = couple(montants)
    tranche, (action,) = tranche_brouillon(sem, (cout, contribution))
    tranche.verrouiller("Délibération de test")
    DeliberationFactory(
        collectivite=sem, seance__instance__collectivite=sem, tranche=tranche, resultat_vote="unanimite"
    )
    # SCDL names the granting authority by its SIRET: one typed for the test (Luhn-valid, NIC 00018).
    sem.siret = "24420077000018"
    sem.save()
    Porteur.objects.filter(pk=action.porteur_id).update(rna="W421000001")  # SCDL names the beneficiary
    contenu = opendata.exporter_subventions(sem, annee=ANNEE, toutes=True).contenu.decode("utf-8")
    (ligne,) = [
        ligne
        for ligne in csv.DictReader(io.StringIO(contenu, newline=""))
        if ligne["objet"] == action.intitule
    ]
    assert Decimal(ligne["montant"]) == contribution
