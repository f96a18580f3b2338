"""The small forms of conventions and payments."""

import datetime
from decimal import Decimal

from django import forms

from contrat_ville.montants import ChampMontant

from .enums import NaturePaiement


class SignatureForm(forms.Form):
    date_signature = forms.DateField(
        label="Signée le", widget=forms.DateInput(attrs={"type": "date"}), initial=datetime.date.today
    )


class PaiementForm(forms.Form):
    nature = forms.ChoiceField(label="Nature", choices=NaturePaiement.choices)
    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    montant = ChampMontant(label="Montant (€)", min_value=Decimal("0.01"))
    reference = forms.CharField(label="N° de mandat", max_length=60, required=False)
