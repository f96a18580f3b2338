"""Plain forms of the séance and délibération pages; the rules themselves live on the models."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from contrat_ville.montants import ChampMontant
from contrat_ville.widgets import SelectRapide
from programmation.enums import StatutTranche
from programmation.models import Action, Tranche

from .enums import EtatPresence, ModePublication, NatureDeliberation, ResultatVote
from .models import Deliberation, Elu, Instance, Seance
from .models.presences import erreurs_par_membre

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SeanceForm(forms.ModelForm):
    class Meta:
        model = Seance
        fields = ["instance", "date", "date_convocation", "membres_en_exercice", "president", "secretaire"]
        widgets = {"date": DATE, "date_convocation": DATE}
        help_texts = {"membres_en_exercice": "Laissé vide : le nombre de membres de l'instance aujourd'hui."}

    def __init__(self, *args, collectivite, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instance"].queryset = Instance.objects.filter(collectivite=collectivite)
        elus = Elu.objects.filter(collectivite=collectivite)
        self.fields["president"].queryset = elus
        self.fields["secretaire"].queryset = elus
        self.fields["membres_en_exercice"].required = False

    def clean(self):
        donnees = super().clean()
        if donnees.get("membres_en_exercice") is None and donnees.get("instance"):
            donnees["membres_en_exercice"] = donnees["instance"].membres.count()
            self.instance.membres_en_exercice = donnees["membres_en_exercice"]
        if not donnees.get("membres_en_exercice"):
            self.add_error("membres_en_exercice", "Indiquez le nombre de membres en exercice.")
        return donnees


ETATS = [("", "— non inscrit —"), *EtatPresence.choices]


class PresenceForm(forms.Form):
    elu = forms.IntegerField(widget=forms.HiddenInput)
    # The hidden initial value is what the agent saw: only the rows he changed are applied.
    etat = forms.ChoiceField(
        label="Présence", choices=ETATS, required=False, show_hidden_initial=True, widget=SelectRapide
    )
    mandataire = forms.TypedChoiceField(
        label="Donne pouvoir à",
        coerce=int,
        required=False,
        empty_value=None,
        show_hidden_initial=True,
        # One list of every member on each row: 68 × 69 options, 4 s a page through Django's templates.
        widget=SelectRapide(attrs={"data-mandataire": ""}),
        error_messages={"invalid_choice": "Le mandataire doit être un membre de l'instance."},
    )

    def __init__(self, *args, mandataires=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mandataire"].choices = [("", "—"), *mandataires]


class BasePresenceFormSet(forms.BaseFormSet):
    def __init__(self, *args, seance, elus, actuels, **kwargs):
        self.seance, self.elus, self.actuels = seance, elus, actuels
        choix = [(e.pk, str(e)) for e in elus]
        super().__init__(*args, form_kwargs={"mandataires": choix}, **kwargs)

    def etats(self):
        """The séance's current list with the rows the agent changed; a member left out has etat ''."""
        etats = dict(self.actuels)
        for f in self.forms:
            if f.cleaned_data.get("elu") and f.has_changed():
                etats[f.cleaned_data["elu"]] = (f.cleaned_data["etat"], f.cleaned_data["mandataire"])
        return {elu: v for elu, v in etats.items() if v[0]}

    def clean(self):
        if any(self.errors):
            return
        connus = {e.pk for e in self.elus}
        lus = [f.cleaned_data.get("elu") for f in self.forms]
        if any(elu not in connus for elu in lus):
            raise ValidationError("Un élu de la liste n'est pas membre de cette instance.")
        if len(set(lus)) != len(lus):
            raise ValidationError("Un élu figure deux fois dans la liste.")
        # The séance's rules (Seance.enregistrer_presences applies them too), shown on their rows.
        lignes = {f.cleaned_data["elu"]: f for f in self.forms}
        bureau = [e for e in (self.seance.president, self.seance.secretaire) if e]
        noms = {e.pk: str(e) for e in [*bureau, *self.elus]}
        obligatoires = self.seance.obligatoires()
        generales = []
        for erreur in erreurs_par_membre(self.etats(), self.seance.membres_en_exercice, noms, obligatoires):
            if erreur.elu in lignes:
                lignes[erreur.elu].add_error(erreur.champ, erreur.message)
            else:
                generales.append(erreur.message)
        if generales:
            raise ValidationError(generales)

    def full_clean(self):
        super().full_clean()
        for f in self.forms:
            if f.errors:
                for champ in ("etat", "mandataire"):
                    f.fields[champ].widget.attrs["aria-describedby"] = f"{f.prefix}-erreur"

    def refuser(self, erreur):
        """A refusal of the model (a closed list…) shown in the summary like the form's own errors."""
        self.non_form_errors().extend(erreur.messages)

    def resume(self):
        """(id of the field to correct or '', message) of every error, for the summary at the top."""
        resume = [("", message) for message in self.non_form_errors()]
        for f in self.forms:
            for champ, messages in f.errors.items():
                cible = f[champ if champ == "mandataire" else "etat"].auto_id
                nom = str(getattr(f, "membre", ""))
                resume += [(cible, m if nom in m else f"{nom} : {m}") for m in messages]
        return resume


PresenceFormSet = forms.formset_factory(PresenceForm, formset=BasePresenceFormSet, extra=0)


def presences_formset(seance, elus, data=None, proposes=None):
    """The attendance list of the séance; proposes: {elu_id: (etat, mandataire_id)} to check as if posted."""
    actuels = seance.etats()
    initial = [
        {
            "elu": e.pk,
            "etat": actuels.get(e.pk, ("", None))[0],
            "mandataire": actuels.get(e.pk, ("", None))[1],
        }
        for e in elus
    ]
    if proposes is not None:
        data = _donnees(elus, initial, proposes)
    formset = PresenceFormSet(
        data, initial=initial, seance=seance, elus=elus, actuels=actuels, prefix="presences"
    )
    for form, elu in zip(formset.forms, elus, strict=False):
        form.membre = elu
    return formset


def _donnees(elus, initial, proposes):
    donnees = {"presences-TOTAL_FORMS": len(elus), "presences-INITIAL_FORMS": len(elus)}
    for i, (elu, avant) in enumerate(zip(elus, initial, strict=True)):
        etat, mandataire = proposes.get(elu.pk, ("", None))
        donnees |= {
            f"presences-{i}-elu": elu.pk,
            f"presences-{i}-etat": etat,
            f"presences-{i}-mandataire": mandataire or "",
            f"initial-presences-{i}-etat": avant["etat"],
            f"initial-presences-{i}-mandataire": avant["mandataire"] or "",
        }
    return donnees


class InscriptionForm(forms.Form):
    objet = forms.CharField(label="Objet", max_length=300)
    nature = forms.ChoiceField(label="Nature", choices=NatureDeliberation.choices)
    tranche = forms.ModelChoiceField(
        label="Tranche adoptée",
        queryset=Tranche.objects.none(),
        required=False,
        help_text="Une tranche soumise à l'instance.",
    )
    tranche_corrigee = forms.ModelChoiceField(
        label="Tranche corrigée (modificative)", queryset=Tranche.objects.none(), required=False
    )

    def __init__(self, *args, collectivite, **kwargs):
        super().__init__(*args, **kwargs)
        tranches = Tranche.objects.filter(contrat__collectivite=collectivite)
        self.fields["tranche"].queryset = tranches.filter(
            statut=StatutTranche.SOUMISE, deliberation__isnull=True
        )
        self.fields["tranche_corrigee"].queryset = tranches.filter(statut=StatutTranche.VOTEE)


class VoteForm(forms.Form):
    resultat = forms.ChoiceField(label="Résultat", choices=ResultatVote.choices)
    pour = forms.IntegerField(label="Pour", min_value=0, required=False)
    contre = forms.IntegerField(label="Contre", min_value=0, required=False)
    abstention = forms.IntegerField(label="Abstentions", min_value=0, required=False)
    ne_prenant_pas_part = forms.ModelMultipleChoiceField(
        label="Ne prennent pas part au vote",
        queryset=Elu.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Par exemple un élu membre du conseil d'administration d'une association financée.",
    )

    def __init__(self, *args, deliberation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ne_prenant_pas_part"].queryset = Elu.objects.filter(pk__in=deliberation.etats())


class PresenceDeliberationForm(forms.Form):
    elu = forms.ModelChoiceField(label="Élu", queryset=Elu.objects.none())
    etat = forms.ChoiceField(
        label="Présence pour cette délibération",
        choices=[*EtatPresence.choices, ("", "Ne siège pas (sorti de la salle)")],
        required=False,
        initial=EtatPresence.PRESENT,
    )
    mandataire = forms.ModelChoiceField(label="Donne pouvoir à", queryset=Elu.objects.none(), required=False)

    def __init__(self, *args, deliberation, **kwargs):
        super().__init__(*args, **kwargs)
        membres = deliberation.seance.membres()
        self.fields["elu"].queryset = membres
        self.fields["mandataire"].queryset = membres


class PrefectureForm(forms.ModelForm):
    class Meta:
        model = Deliberation
        fields = [
            "identifiant_actes",
            "voie_transmission",
            "date_reception_prefecture",
            "mode_publication",
            "date_publication",
        ]
        widgets = {"date_reception_prefecture": DATE, "date_publication": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.identifiant_actes:
            self.initial["identifiant_actes"] = self.instance.identifiant_actes_calcule
        if not self.instance.mode_publication:
            # Publication électronique is the rule since 1 July 2022.
            self.initial["mode_publication"] = ModePublication.MISE_EN_LIGNE
        # The browser offers no day after today nor before the séance; Deliberation.clean decides.
        for champ in ("date_reception_prefecture", "date_publication"):
            attributs = self.fields[champ].widget.attrs  # each form's own copy
            attributs["max"] = timezone.localdate().isoformat()
            if self.instance.seance_id:
                attributs["min"] = self.instance.seance.date.isoformat()

    def clean(self):
        # A stamp of the préfecture is a legal fact: it may be corrected, never erased from here.
        for champ in ("identifiant_actes", "date_reception_prefecture", "date_publication"):
            if (
                getattr(self.instance, champ)
                and not self.cleaned_data.get(champ)
                and champ not in self.errors
            ):
                self.add_error(champ, "Déjà enregistré : corrigez-le si besoin, il ne peut pas être effacé.")
        return super().clean()


class LigneModificativeForm(forms.Form):
    action = forms.ModelChoiceField(label="Action", queryset=Action.objects.none())
    montant_apres = ChampMontant(label="Nouveau montant (€)", min_value=0)

    def __init__(self, *args, deliberation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = deliberation.tranche_corrigee.actions.select_related("porteur")
