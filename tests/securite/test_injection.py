"""User text is data everywhere: escaped in pages, never a formula in spreadsheets or CSV files."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from ..factories import ActionFactory

pytestmark = pytest.mark.django_db

HOSTILES = {
    "intitule": '=HYPERLINK("http://exemple.invalid","clic")',
    "territoire": "@SUM(1+1)",
    "objectifs": "-2+3",
    "numero_dauphin": "+336123",
}


@pytest.fixture
def action_hostile(elu):
    return ActionFactory(
        **HOSTILES,
        tranche__contrat__collectivite=elu.collectivite,
        porteur__collectivite=elu.collectivite,
        porteur__nom="<script>alert('porteur')</script>",
    )


def test_it_escapes_user_text_in_pages(client, elu, action_hostile):
    client.force_login(elu)
    for adresse in (
        reverse("programmation:action", args=[action_hostile.pk]),
        reverse("programmation:programmation") + "?q=HYPERLINK",
        reverse("programmation:porteur", args=[action_hostile.porteur_id]),
    ):
        page = client.get(adresse).content.decode()
        assert "<script>alert(" not in page
        assert "&lt;script&gt;alert(" in page


def test_it_writes_formula_like_text_as_text_in_the_xlsx_export(client, elu, action_hostile):
    client.force_login(elu)
    reponse = client.get(reverse("programmation:programmation"), {"q": "HYPERLINK", "export": "xlsx"})
    feuille = openpyxl.load_workbook(io.BytesIO(reponse.content)).active
    entetes = [c.value for c in feuille[1]]
    ligne = {entetes[i]: cellule for i, cellule in enumerate(feuille[2])}
    for colonne, valeur in (
        ("Intitulé", HOSTILES["intitule"]),
        ("Territoire", "@SUM(1+1)"),
        ("N° Dauphin", "+336123"),
    ):
        assert ligne[colonne].value == valeur
        assert ligne[colonne].data_type == "s"
        assert ligne[colonne].quotePrefix


def test_it_quotes_formula_like_text_in_the_csv_export(client, elu, action_hostile):
    client.force_login(elu)
    reponse = client.get(reverse("programmation:programmation"), {"q": "HYPERLINK", "export": "csv"})
    lignes = list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))
    ligne = dict(zip(lignes[0], lignes[1], strict=True))
    assert ligne["Intitulé"] == "'" + HOSTILES["intitule"]
    assert ligne["Territoire"] == "'@SUM(1+1)"
    assert ligne["N° Dauphin"] == "'+336123"
    assert ligne["Porteur"] == "<script>alert('porteur')</script>"  # not a formula: kept as typed
