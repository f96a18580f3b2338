"""Amounts typed the French way (« 12 345,67 € »), read exactly, refused with a reason when ambiguous."""

from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from django.forms import modelform_factory
from django.urls import reverse

from contrat_ville.models import Contrat, Enveloppe, Financeur
from contrat_ville.montants import AdminMontants, ChampMontant, FormulaireMontants, WidgetMontant
from deliberations.forms import LigneModificativeForm
from programmation.evaluation.forms import BilanForm, FinancementFormSet, IndicateurFormSet
from programmation.forms import ActionForm, CofinancementFormSet
from programmation.forms_conventions import PaiementForm
from programmation.models import Action, Convention

from ..programmation.test_saisie import donnees_action

ETROITE = "\u202f"  # the narrow no-break space the app writes between thousands
INSECABLE = "\u00a0"


class Formulaire(forms.Form):
    montant = ChampMontant(label="Montant (€)", required=False)


def lire(texte):
    form = Formulaire({"montant": texte})
    assert form.is_valid(), form.errors
    return form.cleaned_data["montant"]


def refus(texte):
    form = Formulaire({"montant": texte})
    assert not form.is_valid()
    return form.errors["montant"]


@pytest.mark.parametrize(
    "texte, attendu",
    [
        ("12 345,67", Decimal("12345.67")),
        ("12345,67", Decimal("12345.67")),
        ("12 345,67 €", Decimal("12345.67")),
        ("12345.67", Decimal("12345.67")),
        ("12 345", Decimal("12345")),
        ("0,5", Decimal("0.5")),
        ("12\u00a0345,67\u00a0€", Decimal("12345.67")),
        ("12\u202f345,67\u202f€", Decimal("12345.67")),
        ("12 345,67 EUR", Decimal("12345.67")),
        ("1 234 567,8", Decimal("1234567.8")),
        ("12 345.67", Decimal("12345.67")),
        ("12.345,67", Decimal("12345.67")),  # French dots between thousands, with the comma: one reading
        ("1.234.567,89", Decimal("1234567.89")),
        ("  6000,50  ", Decimal("6000.50")),
        ("6000€", Decimal("6000")),
        ("", None),
    ],
)
def test_it_reads_an_amount_typed_the_french_way(texte, attendu):
    assert lire(texte) == attendu


@pytest.mark.parametrize(
    "texte, message",
    [
        ("12,34,56", "Une seule virgule, avant les centimes : écrivez par exemple « 12\u202f345,67 »."),
        (
            "12,345",
            "« 12,345 » est ambigu (trois chiffres après la virgule) : écrivez « 12\u202f345 » ou « 12,35 ».",
        ),
        (
            "12.345",
            "« 12.345 » est ambigu (trois chiffres après la virgule) : écrivez « 12\u202f345 » ou « 12,35 ».",
        ),
        (
            "1,234.56",
            "Virgule et point mélangés : écrivez les milliers avec une espace et les centimes après "
            "une virgule, par exemple « 12\u202f345,67 ».",
        ),
        ("1.234.567", "Plusieurs points : écrivez les milliers avec une espace, « 1\u202f234\u202f567 »."),
        ("0,5555", "Au plus deux chiffres après la virgule (les centimes) : écrivez par exemple « 0,56 »."),
        (
            "12 34",
            "Les espaces séparent les chiffres par groupes de trois : écrivez par exemple « 1\u202f234 ».",
        ),
        ("douze", "Saisissez un nombre. Écrivez par exemple « 12\u202f345,67 » ou « 12345,67 »."),
        ("NaN", "Saisissez un nombre."),
        ("inf", "Saisissez un nombre."),
        ("Infinity", "Saisissez un nombre."),
        ("1e5", "Saisissez un nombre."),
        ("0x10", "Saisissez un nombre."),
        ("12,", "Saisissez un nombre."),
        ("€", "Saisissez un nombre."),
        (
            "1 000 000 000 000,00",
            "Montant trop élevé : au plus 999\u202f999\u202f999\u202f999,99 €.",
        ),
    ],
)
def test_it_refuses_an_ambiguous_or_invalid_amount_and_says_what_to_write(texte, message):
    erreurs = refus(texte)
    assert len(erreurs) == 1
    assert erreurs[0].startswith(message), erreurs


def test_it_shows_a_stored_amount_the_french_way_and_what_was_typed_as_typed():
    widget = WidgetMontant()
    assert widget.format_value(Decimal("91562.00")) == "91\u202f562"
    assert widget.format_value(Decimal("6000.50")) == "6\u202f000,50"
    assert widget.format_value(Decimal("0.5")) == "0,50"
    assert widget.format_value(Decimal("-1234.5")) == "-1\u202f234,50"
    assert widget.format_value(0) == "0"
    assert widget.format_value(None) is None
    assert widget.format_value("12,345") == "12,345"
    html = Formulaire(initial={"montant": Decimal("6000.50")})["montant"].as_widget()
    assert 'type="text"' in html and 'inputmode="decimal"' in html and 'autocomplete="off"' in html
    assert 'value="6\u202f000,50"' in html
    assert 'type="number"' not in html


def test_it_makes_every_money_field_of_a_model_form_a_champ_montant_but_not_percentages_nor_indicators():
    assert isinstance(ActionForm.base_fields["cout"], ChampMontant)
    assert isinstance(ActionForm.base_fields["contribution"], ChampMontant)
    for champ in ("montant_sollicite", "montant_accorde"):
        assert isinstance(CofinancementFormSet.form.base_fields[champ], ChampMontant)
    assert isinstance(BilanForm.base_fields["cout_realise"], ChampMontant)
    assert isinstance(FinancementFormSet.form.base_fields["realise"], ChampMontant)
    assert not isinstance(BilanForm.base_fields["etp"], ChampMontant)
    assert not isinstance(IndicateurFormSet.form.base_fields["cible"], ChampMontant)
    # A form written later gets it without asking; a percentage stays a percentage.
    enveloppe = modelform_factory(Enveloppe, form=FormulaireMontants, fields=["montant", "taux_maximum"])
    assert isinstance(enveloppe.base_fields["montant"], ChampMontant)
    assert not isinstance(enveloppe.base_fields["taux_maximum"], ChampMontant)
    convention = modelform_factory(Convention, form=FormulaireMontants, fields=["pourcentage_avance"])
    assert not isinstance(convention.base_fields["pourcentage_avance"], ChampMontant)


def test_it_gives_the_same_field_through_the_back_office_mixin():
    class EnveloppeAdmin(AdminMontants, admin.ModelAdmin):
        pass

    modele = EnveloppeAdmin(Enveloppe, admin.site)
    assert isinstance(modele.formfield_for_dbfield(Enveloppe._meta.get_field("montant"), None), ChampMontant)
    taux = modele.formfield_for_dbfield(Enveloppe._meta.get_field("taux_maximum"), None)
    assert not isinstance(taux, ChampMontant)


def test_it_reads_french_amounts_in_the_payment_and_modificative_forms_and_refuses_below_their_minimum():
    assert PaiementForm({"nature": "avance", "date": "2024-07-01", "montant": "11 750,50 €"}).is_valid()
    form = PaiementForm({"nature": "avance", "date": "2024-07-01", "montant": "11 750,50 €"})
    form.is_valid()
    assert form.cleaned_data["montant"] == Decimal("11750.50")
    assert PaiementForm({"nature": "avance", "date": "2024-07-01", "montant": "0"}).errors["montant"] == [
        "Saisissez un montant d'au moins 0,01 €."
    ]
    champ = LigneModificativeForm.base_fields["montant_apres"]
    assert champ.clean("23 500,00 €") == Decimal("23500.00")
    with pytest.raises(forms.ValidationError) as refus_negatif:
        champ.clean("-1")
    assert refus_negatif.value.messages == ["Le montant ne peut pas être négatif."]


# Through the pages, as the agent types.


@pytest.fixture
def contrat_2024(db):
    return Contrat.objects.get(nature="contrat_de_ville", annee_debut=2024)


@pytest.mark.django_db
def test_it_stores_an_action_typed_with_french_amounts_exactly(client, agent, contrat_2024):
    client.force_login(agent)
    donnees = donnees_action(
        contrat_2024,
        cout="20 000",
        contribution="6000,50",
        **{
            "cofinancements-0-montant_sollicite": "1 234,56",
            "cofinancements-1-montant_accorde": "1\u202f500,00\u202f€",
        },
    )
    reponse = client.post(reverse("programmation:action_creer"), donnees)
    action = Action.objects.get(intitule="Ateliers numériques au Crêt de Roc")
    assert reponse.status_code == 302
    assert action.cout == Decimal("20000.00")
    assert action.contribution == Decimal("6000.50")
    assert set(
        action.cofinancements.values_list("financeur__nom", "montant_sollicite", "montant_accorde")
    ) == {
        ("État", Decimal("1234.56"), None),
        ("Saint-Etienne Métropole", None, Decimal("1500.00")),
    }


@pytest.mark.django_db
def test_it_shows_stored_amounts_the_french_way_in_text_inputs_on_the_edit_page(client, agent, contrat_2024):
    client.force_login(agent)
    donnees = donnees_action(
        contrat_2024,
        cout="20000",
        contribution="6000,50",
        **{"cofinancements-0-montant_sollicite": "1234,56"},
    )
    client.post(reverse("programmation:action_creer"), donnees)
    action = Action.objects.get(intitule="Ateliers numériques au Crêt de Roc")
    page = client.get(reverse("programmation:action_modifier", args=[action.pk])).content.decode()
    assert 'name="contribution" value="6\u202f000,50"' in page
    assert 'name="cout" value="20\u202f000"' in page
    # Rows come by financeur name: Saint-Etienne Métropole (1 500 accordés), then État (1 234,56 sollicités).
    assert 'name="cofinancements-0-montant_accorde" value="1\u202f500"' in page
    assert 'name="cofinancements-1-montant_sollicite" value="1\u202f234,56"' in page
    assert 'value="6000.50"' not in page and 'value="20000.00"' not in page
    assert 'type="number"' not in page.split('name="contribution"')[0].rsplit("<input", 1)[1]


@pytest.mark.django_db
def test_it_saves_the_edited_french_amount_and_keeps_the_version_check(client, agent, contrat_2024):
    client.force_login(agent)
    client.post(reverse("programmation:action_creer"), donnees_action(contrat_2024))
    action = Action.objects.get(intitule="Ateliers numériques au Crêt de Roc")
    formulaire = client.get(reverse("programmation:action_modifier", args=[action.pk])).context["form"]
    donnees = donnees_action(
        contrat_2024,
        porteur=action.porteur_id,
        nouveau_porteur="",
        nouveau_porteur_nature="",
        nouveau_porteur_siret="",
        nouveau_porteur_rna="",
        version=formulaire.initial["version"],
        contribution="5 000,25",
        **{"cofinancements-TOTAL_FORMS": "0", "cofinancements-INITIAL_FORMS": "0"},
    )
    reponse = client.post(reverse("programmation:action_modifier", args=[action.pk]), donnees)
    assert reponse.status_code == 302, reponse.context["form"].errors
    action.refresh_from_db()
    assert action.contribution == Decimal("5000.25")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changements, champ, message",
    [
        ({"contribution": "12,345"}, "contribution", "« 12,345 » est ambigu"),
        ({"cout": "20.000"}, "cout", "« 20.000 » est ambigu"),
        ({"contribution": "-5 000"}, "contribution", "La contribution ne peut pas être négative."),
        ({"contribution": "NaN"}, "contribution", "Saisissez un nombre."),
    ],
)
def test_it_saves_nothing_and_shows_again_what_was_typed_when_an_amount_is_refused(
    client, agent, contrat_2024, changements, champ, message
):
    client.force_login(agent)
    reponse = client.post(reverse("programmation:action_creer"), donnees_action(contrat_2024, **changements))
    assert reponse.status_code == 400
    erreurs = reponse.context["form"].errors
    assert any(message in e for e in erreurs.get(champ, []) + erreurs.get("__all__", [])), erreurs
    assert f'name="{champ}" value="{changements[champ]}"' in reponse.content.decode()
    assert not Action.objects.filter(intitule="Ateliers numériques au Crêt de Roc").exists()


@pytest.mark.django_db
def test_it_says_a_refused_amount_in_a_cofinancement_row_on_that_row(client, agent, contrat_2024):
    client.force_login(agent)
    donnees = donnees_action(contrat_2024, **{"cofinancements-0-montant_sollicite": "6,000"})
    reponse = client.post(reverse("programmation:action_creer"), donnees)
    assert "Rien n'a été enregistré" in reponse.content.decode()
    assert reponse.context["formset"].forms[0].errors["montant_sollicite"] == [
        "« 6,000 » est ambigu (trois chiffres après la virgule) : écrivez « 6\u202f000 » ou « 6,00 »."
    ]
    assert not Action.objects.filter(intitule="Ateliers numériques au Crêt de Roc").exists()


@pytest.mark.django_db
def test_it_reads_french_amounts_in_the_bilan_and_modificative_forms(contrat_2024):
    financements = FinancementFormSet(
        {
            "financements-TOTAL_FORMS": "1",
            "financements-INITIAL_FORMS": "0",
            "financements-0-financeur": Financeur.objects.get(nom="État").pk,
            "financements-0-prevu": "8 030,50",
            "financements-0-realise": "8\u00a0030,5 €",
        },
        prefix="financements",
    )
    assert financements.is_valid(), financements.errors
    assert financements.forms[0].cleaned_data["prevu"] == Decimal("8030.50")
    assert financements.forms[0].cleaned_data["realise"] == Decimal("8030.5")
