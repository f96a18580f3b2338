"""The forms of the Rédiger page and of a contract's model text; the rules live on the models."""

from django import forms

from .models import Deliberation, ModeleDeliberation
from .models.deliberations import CHAMPS_REDIGES
from .models.modeles import CHAMPS_MODELE

TEXTE_LONG = forms.Textarea(attrs={"rows": 8, "cols": 80})


class RedactionForm(forms.ModelForm):
    class Meta:
        model = Deliberation
        fields = CHAMPS_REDIGES
        widgets = {"expose": TEXTE_LONG, "expose_suite": TEXTE_LONG, "decisions": TEXTE_LONG}
        help_texts = {
            "expose": "Un paragraphe par bloc, séparés par une ligne vide.",
            "signataire": "Par défaut, le président de séance.",
            "qualite_secretaire": "Laissez vide si le secrétaire de séance ne signe pas l'extrait.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        elus = self.instance.elus_possibles().order_by("nom", "prenom")
        self.fields["rapporteur"].queryset = elus
        self.fields["signataire"].queryset = elus
        self._proposer_la_signature()

    def _proposer_la_signature(self):
        """The séance's président signs unless the agent chooses another élu."""
        deliberation, seance = self.instance, self.instance.seance
        if not self.initial.get("signataire") and seance.president_id:
            self.initial["signataire"] = seance.president_id
            if not self.initial.get("qualite_signataire"):
                self.initial["qualite_signataire"] = deliberation.qualite_de_signataire(seance.president)
        # Only for a first draft: left empty afterwards, it means the secretary does not sign.
        if not deliberation.signataire_id and not self.initial.get("qualite_secretaire"):
            self.initial["qualite_secretaire"] = deliberation.qualite_de_secretaire()

    def clean(self):
        donnees = super().clean()
        if donnees.get("signataire") and not donnees.get("qualite_signataire", "").strip():
            self.add_error(
                "qualite_signataire",
                "Indiquez la qualité du signataire, telle qu'elle figure sous sa signature "
                "(« Le Président », « La Première Vice-Présidente »…).",
            )
        return donnees


class ModeleDeliberationForm(forms.ModelForm):
    class Meta:
        model = ModeleDeliberation
        fields = ["objet", "expose", "expose_suite", "decisions", "chapitres_budgetaires"]
        widgets = {"expose": TEXTE_LONG, "expose_suite": TEXTE_LONG, "decisions": TEXTE_LONG}


def aide_des_champs():
    """[(« {annee} », what it becomes)] for the page that edits a model."""
    return [(f"{{{nom}}}", description) for nom, description in CHAMPS_MODELE.items()]
