"""The small forms of conventions and payments."""

import datetime

from django import forms

from .enums import NaturePaiement


class SignatureForm(forms.Form):
    date_signature = forms.DateField(
        label="Signée le", widget=forms.DateInput(attrs={"type": "date"}), initial=datetime.date.today
    )


class PaiementForm(forms.Form):
    nature = forms.ChoiceField(label="Nature", choices=NaturePaiement.choices)
    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    montant = forms.DecimalField(label="Montant (€)", max_digits=14, decimal_places=2, min_value=0.01)
    reference = forms.CharField(label="N° de mandat", max_length=60, required=False)
