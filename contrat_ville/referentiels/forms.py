"""The forms of the reference data pages. Each saves through the model's full_clean(): its rules
(unique keys, amounts, one authority per row) are shown next to the fields, in French."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.models import construct_instance

from ..cloisonnement import chemin_vers_la_collectivite
from ..enums import Section
from ..models import Axe, Contrat, Enveloppe, Financeur, Quartier, Theme
from ..montants import ChampMontant, FormulaireMontants

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def axe_et_contrat(axe):
    return f"{axe} — {axe.contrat.intitule} ({axe.contrat.periode})"


class FormulaireReferentiel(FormulaireMontants):
    """A ModelForm for one authority's reference data.

    - every choice of a related row offers the authority's rows only (another authority's id is
      « not one of the available choices »);
    - the instance is checked by `full_clean()` as a whole, the fields the page does not show (the
      authority, set by the view) included: a unique key involving them is reported, not left to the
      database. An error on such a field is shown above the form.
    """

    messages_unicite = None  # the message of a multi-field unique key, instead of Django's

    def __init__(self, *args, collectivite, **kwargs):
        super().__init__(*args, **kwargs)
        self.collectivite = collectivite
        for champ in self.fields.values():
            if isinstance(champ, forms.ModelChoiceField):
                chemin = chemin_vers_la_collectivite(champ.queryset.model)
                if chemin is not None:
                    champ.queryset = champ.queryset.filter(**{chemin: collectivite})

    def _post_clean(self):
        opts = self._meta
        try:
            self.instance = construct_instance(self, self.instance, opts.fields, opts.exclude)
        except ValidationError as erreur:
            self._update_errors(erreur)
            return
        # Fields the person typed wrongly are already reported: their rules are not checked twice.
        try:
            self.instance.full_clean(exclude=[nom for nom in self.errors if nom != NON_FIELD_ERRORS])
        except ValidationError as erreur:
            self._update_errors(erreur)

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            rangees = {}
            for champ, messages in errors.error_dict.items():
                if champ == NON_FIELD_ERRORS and self.messages_unicite:
                    for message in messages:
                        if getattr(message, "code", None) == "unique_together":
                            message.message, message.params = self.messages_unicite, None
                rangees.setdefault(champ if champ in self.fields else NON_FIELD_ERRORS, []).extend(messages)
            errors.error_dict = rangees
        super()._update_errors(errors)


class ChampTaux(forms.DecimalField):
    """A percentage typed the French way: « 50 », « 55,5 », « 55,5 % »."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=5, decimal_places=2, min_value=0, max_value=100, localize=True, **kwargs)
        self.widget.attrs.update(inputmode="decimal", autocomplete="off")

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("%", "").strip()
        return super().to_python(value)


class ContratForm(FormulaireReferentiel):
    class Meta:
        model = Contrat
        fields = [
            "intitule",
            "nature",
            "annee_debut",
            "annee_fin",
            "libelle_niveau",
            "date_adoption",
            "instance_adoption",
        ]
        widgets = {"date_adoption": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for nom in ("annee_debut", "annee_fin"):
            champ = self.fields[nom]
            champ.validators = [*champ.validators, MinValueValidator(2000), MaxValueValidator(2100)]
            champ.widget.attrs.update(min=2000, max=2100)

    def clean(self):
        donnees = super().clean()
        debut, fin = donnees.get("annee_debut"), donnees.get("annee_fin")
        if self.instance.pk and debut is not None and fin is not None and debut <= fin:
            # A shorter period must not leave envelopes, actions or tranches outside the contract.
            hors = sorted(
                {
                    *self.instance.enveloppes.exclude(annee__range=(debut, fin)).values_list(
                        "annee", flat=True
                    ),
                    *self.instance.actions.exclude(annee__range=(debut, fin)).values_list("annee", flat=True),
                    *self.instance.tranches.exclude(annee__range=(debut, fin)).values_list(
                        "annee", flat=True
                    ),
                }
            )
            if hors:
                annees = ", ".join(str(a) for a in hors)
                self.add_error(
                    None,
                    f"Le contrat a des enveloppes, des actions ou des tranches en {annees} : "
                    f"la période {debut}-{fin} les laisserait hors du contrat.",
                )
        return donnees


class FinanceurForm(FormulaireReferentiel):
    messages_unicite = "Votre collectivité a déjà un financeur de ce nom."

    class Meta:
        model = Financeur
        fields = ["nom", "nature", "precision"]


class QuartierForm(FormulaireReferentiel):
    messages_unicite = "Cette commune a déjà un quartier de ce nom."

    class Meta:
        model = Quartier
        fields = ["nom", "commune", "nature", "code"]

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip().upper()


class AxeForm(FormulaireReferentiel):
    class Meta:
        model = Axe
        fields = ["contrat", "numero", "intitule", "nom_court", "devise", "ordre"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Its thèmes, envelopes and actions belong to this contract: an axe stays in it.
            self.fields["contrat"].disabled = True
            self.fields["contrat"].help_text = "Un axe reste dans son contrat."


class ThemeForm(FormulaireReferentiel):
    messages_unicite = "Cet axe a déjà un thème de cet intitulé."

    class Meta:
        model = Theme
        fields = ["axe", "intitule", "ordre"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["axe"].label_from_instance = axe_et_contrat
        if self.instance.pk:
            # Actions name their axe and their thème: a thème stays under its axe.
            self.fields["axe"].disabled = True
            self.fields["axe"].help_text = "Un thème reste sous son axe."


class EnveloppeForm(FormulaireReferentiel):
    """Amounts typed the French way (« 490 500 »): see contrat_ville.montants."""

    montant = ChampMontant(label="Montant (€)", min_value=0)
    taux_maximum = ChampTaux(label="Part maximale du programme (%)", required=False)

    class Meta:
        model = Enveloppe
        fields = ["contrat", "annee", "axe", "financeur", "section", "montant", "taux_maximum", "source"]
        help_texts = {
            "axe": "Vide : tout le contrat.",
            "section": "Vide : les deux sections.",
            "taux_maximum": "La part du programme que ce financeur prend au plus (50 % pour l'État au CLS).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["axe"].label_from_instance = axe_et_contrat
        self.fields["axe"].empty_label = "— tout le contrat —"
        self.fields["financeur"].empty_label = "— tous financeurs confondus —"
        self.fields["section"].choices = [("", "— les deux sections —"), *Section.choices]

    def clean(self):
        donnees = super().clean()
        contrat, axe, annee = donnees.get("contrat"), donnees.get("axe"), donnees.get("annee")
        if contrat and axe and axe.contrat_id != contrat.pk:
            self.add_error("axe", f"« {axe} » n'est pas un axe du contrat « {contrat.intitule} ».")
        if contrat and annee is not None and annee not in contrat.annees():
            self.add_error("annee", f"Le contrat « {contrat.intitule} » couvre les années {contrat.periode}.")
        return donnees
