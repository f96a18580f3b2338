"""The export choices of the open-data page, and the authority's SIRET."""

from django import forms

from contrat_ville.validators import valider_siret


class ExportForm(forms.Form):
    fichier = forms.ChoiceField(
        choices=[("subventions", "Subventions"), ("deliberations", "Délibérations")], widget=forms.HiddenInput
    )
    annee = forms.TypedChoiceField(label="Année", coerce=int, required=False, empty_value=None)
    toutes = forms.BooleanField(
        label="Publier toutes les subventions (la loi n'impose que celles de plus de 23 000 € par an)",
        required=False,
    )

    def __init__(self, *args, annees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [("", "Toutes")] + [(a, a) for a in annees]


class SiretForm(forms.Form):
    siret = forms.CharField(label="SIRET de la collectivité", max_length=14, validators=[valider_siret])

    def __init__(self, *args, collectivite, **kwargs):
        super().__init__(*args, **kwargs)
        self.collectivite = collectivite

    def clean_siret(self):
        siret = self.cleaned_data["siret"]
        if not siret.startswith(self.collectivite.siren):
            raise forms.ValidationError(
                f"Un SIRET de {self.collectivite.nom} commence par son SIREN {self.collectivite.siren}."
            )
        return siret
