"""The bulk form of the programmation list: what to do with the selected actions."""

from django import forms

from .enums import OperationMasse, StatutAction, StatutTranche
from .models import Tranche

# « Votée » is reached only through the vote of the tranche: not offered.
STATUTS_PROPOSES = [(s.value, s.label) for s in StatutAction if s != StatutAction.VOTEE]


class ActionsEnMasseForm(forms.Form):
    operation = forms.ChoiceField(label="Opération", choices=OperationMasse.choices)
    statut = forms.ChoiceField(label="Nouveau statut", required=False, choices=[("", "—"), *STATUTS_PROPOSES])
    tranche = forms.ModelChoiceField(
        label="Tranche en brouillon", required=False, queryset=Tranche.objects.none(), empty_label="—"
    )

    def __init__(self, *args, user, **kwargs):
        # Its own ids: the list's filter form above has fields of the same names (statut, tranche).
        kwargs.setdefault("auto_id", "masse_%s")
        super().__init__(*args, **kwargs)
        self.fields["tranche"].queryset = Tranche.objects.visibles_par(user).filter(
            statut=StatutTranche.BROUILLON
        )

    def clean(self):
        donnees = super().clean()
        operation = donnees.get("operation")
        if operation == OperationMasse.STATUT and not donnees.get("statut"):
            self.add_error("statut", "Choisissez le nouveau statut.")
        if operation in (OperationMasse.AJOUTER, OperationMasse.RETIRER) and not donnees.get("tranche"):
            self.add_error("tranche", "Choisissez la tranche en brouillon.")
        return donnees
