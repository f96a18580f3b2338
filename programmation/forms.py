"""Forms the agents fill in: actions with their cofinancements, a porteur created on the way."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import inlineformset_factory

from contrat_ville.models import Axe, Contrat, Dispositif, Financeur, Quartier
from contrat_ville.montants import FormulaireMontants
from contrat_ville.validators import valider_rna, valider_siret

from .enums import NaturePorteur
from .models import Action, Cofinancement, Porteur


class ActionForm(FormulaireMontants):
    """Amounts (coût, contribution) are typed the French way: « 6 000,50 » (see contrat_ville.montants)."""

    nouveau_porteur = forms.CharField(
        label="… ou nouveau porteur : nom",
        required=False,
        max_length=200,
        help_text="Laissez vide si le porteur est choisi dans la liste.",
    )
    nouveau_porteur_nature = forms.ChoiceField(
        label="Nature du nouveau porteur", choices=NaturePorteur.choices, required=False
    )
    nouveau_porteur_siret = forms.CharField(
        label="SIRET du nouveau porteur", required=False, validators=[valider_siret], max_length=14
    )
    nouveau_porteur_rna = forms.CharField(
        label="RNA du nouveau porteur", required=False, validators=[valider_rna], max_length=10
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Action
        fields = [
            "contrat",
            "annee",
            "numero_dauphin",
            "intitule",
            "porteur",
            "axe",
            "dispositif",
            "territoire",
            "quartiers",
            "objectifs",
            "cout",
            "contribution",
            "section",
        ]
        widgets = {"objectifs": forms.Textarea(attrs={"rows": 6}), "quartiers": forms.CheckboxSelectMultiple}

    def _update_errors(self, errors):
        # The model's rules may name a field this form does not show (the tranche): above the form.
        if hasattr(errors, "error_dict"):
            rangees = {}
            for champ, messages in errors.error_dict.items():
                rangees.setdefault(champ if champ in self.fields else NON_FIELD_ERRORS, []).extend(messages)
            errors.error_dict = rangees
        super()._update_errors(errors)

    def __init__(self, *args, collectivite, **kwargs):
        super().__init__(*args, **kwargs)
        self.collectivite = collectivite
        champs = self.fields
        champs["contrat"].queryset = Contrat.objects.de(collectivite)
        champs["porteur"].queryset = Porteur.objects.filter(collectivite=collectivite)
        champs["porteur"].required = False
        if self.instance.contrat_id:
            champs["axe"].queryset = Axe.objects.filter(contrat=self.instance.contrat_id)
        else:
            champs["axe"].queryset = Axe.objects.filter(contrat__collectivite=collectivite)
            champs["axe"].label_from_instance = lambda axe: (
                f"{axe} — {axe.contrat.intitule} ({axe.contrat.periode})"
            )
        champs["dispositif"].queryset = Dispositif.objects.filter(collectivite=collectivite)
        champs["quartiers"].queryset = Quartier.objects.filter(collectivite=collectivite)
        self.initial.setdefault("version", self.instance.version)
        if self.instance.montants_verrouilles:
            for champ in Action.VERROUILLES:
                if champ not in champs:
                    continue
                champs[champ].disabled = True
                champs[champ].help_text = "Verrouillé : la tranche est votée."

    def clean(self):
        donnees = super().clean()
        nom = (donnees.get("nouveau_porteur") or "").strip()
        if not donnees.get("porteur") and not nom:
            self.add_error("porteur", "Choisissez un porteur, ou saisissez le nom d'un nouveau porteur.")
        if donnees.get("porteur") and nom:
            self.add_error("nouveau_porteur", "Choisissez un porteur existant ou créez-en un, pas les deux.")
        if nom and Porteur.objects.filter(collectivite=self.collectivite, nom__iexact=nom).exists():
            self.add_error(
                "nouveau_porteur", f"Le porteur « {nom} » existe déjà : choisissez-le dans la liste."
            )
        if nom and not donnees.get("nouveau_porteur_nature"):
            self.add_error("nouveau_porteur_nature", "Précisez la nature du nouveau porteur.")
        if nom and not donnees.get("porteur"):
            # Saved with the action, in the same transaction (see saisie.enregistrer_action).
            donnees["porteur"] = Porteur(
                collectivite_id=self.collectivite,
                nom=nom,
                nature=donnees.get("nouveau_porteur_nature") or NaturePorteur.ASSOCIATION,
                siret=donnees.get("nouveau_porteur_siret") or "",
                rna=donnees.get("nouveau_porteur_rna") or "",
            )
        return donnees

    def _get_validation_exclusions(self):
        exclusions = super()._get_validation_exclusions()
        if (self.cleaned_data.get("nouveau_porteur") or "").strip():
            exclusions.add("porteur")  # not saved yet: it is created with the action
        return exclusions


class CofinancementForm(FormulaireMontants):
    class Meta:
        model = Cofinancement
        fields = ["financeur", "montant_sollicite", "montant_accorde"]


CofinancementFormSet = inlineformset_factory(
    Action, Cofinancement, form=CofinancementForm, extra=2, can_delete=True
)


def restreindre(formset, champ, queryset):
    """Limits a choice of every row (and of the empty row the page copies) with one query, not one a row."""
    options = [(objet.pk, str(objet)) for objet in queryset]
    for form in [*formset.forms, formset.empty_form]:
        champ_du_formulaire = form.fields[champ]
        champ_du_formulaire.queryset = queryset
        vide = champ_du_formulaire.empty_label
        champ_du_formulaire.choices = [("", vide), *options] if vide is not None else options


def cofinancements_formset(collectivite, **kwargs):
    formset = CofinancementFormSet(**kwargs)
    restreindre(formset, "financeur", Financeur.objects.filter(collectivite=collectivite))
    if formset.instance.pk and formset.instance.montants_verrouilles:
        for form in formset.forms:
            for champ in form.fields.values():
                champ.disabled = True
    return formset
