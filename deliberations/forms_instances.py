"""Forms of the référents' pages: instances, their members, the élus and the registry."""

from django import forms

from .import_membres import TAILLE_MAX
from .models import Elu, Instance, Registre

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DeLaCollectivite(forms.ModelForm):
    """The row's authority is set by the view, not typed: the model's rules that involve it (one name
    per authority, cloisonnement) are still checked, instead of failing in the database."""

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() - {"collectivite"}


class InstanceForm(DeLaCollectivite):
    class Meta:
        model = Instance
        fields = ["nom", "nature"]

    def clean_nom(self):
        nom = self.cleaned_data["nom"].strip()
        autres = Instance.objects.filter(collectivite=self.instance.collectivite_id, nom__iexact=nom)
        if autres.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Votre collectivité a déjà une instance de ce nom.")
        return nom


class EluForm(DeLaCollectivite):
    class Meta:
        model = Elu
        fields = ["civilite", "prenom", "nom", "fonction", "debut_mandat", "fin_mandat"]
        widgets = {"debut_mandat": DATE, "fin_mandat": DATE}

    def clean(self):
        donnees = super().clean()
        homonymes = Elu.objects.filter(
            collectivite=self.instance.collectivite_id,
            nom__iexact=donnees.get("nom", ""),
            prenom__iexact=donnees.get("prenom", ""),
        )
        if homonymes.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                "Un élu de ce nom et de ce prénom existe déjà dans votre collectivité."
            )
        return donnees


ID_MAX = 2**63 - 1  # beyond, the database fails instead of answering « not found »


class ChoixElus(forms.ModelMultipleChoiceField):
    def clean(self, value):
        if any(not str(v).isdecimal() or int(v) > ID_MAX for v in value or []):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().clean(value)


class MembresForm(forms.Form):
    """The members in office, checked among the authority's élus: an id from elsewhere is refused."""

    membres = ChoixElus(
        label="Membres en exercice",
        queryset=Elu.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Cet élu n'appartient pas à votre collectivité."},
    )

    def __init__(self, *args, collectivite, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membres"].queryset = Elu.objects.filter(collectivite=collectivite)


class DepotMembresForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier des membres (.csv ou .xlsx)",
        help_text="Colonnes : civilité, prénom, nom, fonction, début de mandat, fin de mandat. 2 Mo au plus.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX:
            raise forms.ValidationError(f"Le fichier dépasse {TAILLE_MAX // (1024 * 1024)} Mo.")
        return fichier


class RegistreForm(forms.ModelForm):
    class Meta:
        model = Registre
        fields = ["format_numero", "format_actes"]

    def __init__(self, *args, annee, **kwargs):
        super().__init__(*args, **kwargs)
        self.annee = annee
