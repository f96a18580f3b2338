"""The bilan's form and its three formsets (compte rendu financier, indicators, public by quartier)."""

from django import forms
from django.db import transaction
from django.forms import BaseInlineFormSet, inlineformset_factory

from contrat_ville.enums import NatureFinanceur
from contrat_ville.models import Financeur, Quartier
from contrat_ville.montants import FormulaireMontants

from ..forms import restreindre
from ..models import Bilan, BilanFinancement, BilanIndicateur, BilanQuartier
from .models import TRANCHES_AGE


class BilanForm(FormulaireMontants):
    class Meta:
        model = Bilan
        fields = [
            "realisation",
            "public_detail",
            "public_total",
            "public_femmes",
            "public_hommes",
            "public_qpv",
            *(champ for champ, _ in TRANCHES_AGE),
            "etp",
            "nombre_salaries",
            "nombre_benevoles",
            "moyens_humains",
            "points_forts",
            "points_faibles",
            "commentaires",
            "cout_prevu",
            "cout_realise",
            "depose_le",
        ]
        # French decimals (« 0,5 ETP ») are read as such; the amounts are ChampMontant (« 8 030,50 »).
        localized_fields = ["etp"]
        widgets = {
            "depose_le": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **{
                champ: forms.Textarea(attrs={"rows": 3})
                for champ in (
                    "public_detail",
                    "moyens_humains",
                    "points_forts",
                    "points_faibles",
                    "commentaires",
                )
            },
        }


class SansDoublon(BaseInlineFormSet):
    """A financeur (or quartier) appears once: said in French before the database would refuse it."""

    cle = None
    message = ""

    def clean(self):
        # Before the parent's check, whose message for the same fault is generic.
        vus = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            valeur = form.cleaned_data.get(self.cle)
            if valeur in vus:
                raise forms.ValidationError(self.message.format(valeur))
            vus.add(valeur)
        super().clean()


class FinancementsFormSet(SansDoublon):
    cle, message = "financeur", "Le financeur « {} » figure deux fois dans le compte rendu financier."


class QuartiersFormSet(SansDoublon):
    cle, message = "quartier", "Le quartier « {} » figure deux fois."


FinancementFormSet = inlineformset_factory(
    Bilan,
    BilanFinancement,
    form=FormulaireMontants,
    formset=FinancementsFormSet,
    fields=["financeur", "prevu", "realise"],
    extra=2,
)
IndicateurFormSet = inlineformset_factory(
    Bilan,
    BilanIndicateur,
    fields=["libelle", "cible", "realise"],
    localized_fields=["cible", "realise"],
    extra=2,
)
QuartierFormSet = inlineformset_factory(
    Bilan, BilanQuartier, formset=QuartiersFormSet, fields=["quartier", "nombre"], extra=1
)


def _financements(bilan, data):
    """A new bilan starts from the programmed amounts: the authority's contribution and cofinancements."""
    if bilan.pk:
        return FinancementFormSet(data, instance=bilan, prefix="financements")
    action = bilan.action
    initial = [{"financeur": f.pk, "prevu": action.part_de(f)} for f in _financeurs_de(action)]
    classe = inlineformset_factory(
        Bilan,
        BilanFinancement,
        form=FormulaireMontants,
        formset=FinancementsFormSet,
        fields=["financeur", "prevu", "realise"],
        extra=len(initial) + 1,
    )
    return classe(data, instance=bilan, prefix="financements", initial=initial)


def _financeurs_de(action):
    ids = {c.financeur_id for c in action.cofinancements.all()}
    financeurs = Financeur.objects.filter(collectivite=action.contrat.collectivite_id)
    return [
        f
        for f in financeurs
        if f.pk in ids or (f.nature == NatureFinanceur.COLLECTIVITE and action.contribution)
    ]


class SaisieBilan:
    """The form and its formsets, bound together; `enregistrer` saves all or nothing."""

    def __init__(self, bilan, collectivite, data=None):
        self.bilan = bilan
        self.form = BilanForm(data, instance=bilan)
        self.financements = _financements(bilan, data)
        self.indicateurs = IndicateurFormSet(data, instance=bilan, prefix="indicateurs")
        self.quartiers = QuartierFormSet(data, instance=bilan, prefix="quartiers")
        self.erreurs_equilibre = []
        restreindre(self.financements, "financeur", Financeur.objects.filter(collectivite=collectivite))
        restreindre(self.quartiers, "quartier", Quartier.objects.filter(collectivite=collectivite))

    @property
    def formsets(self):
        return [self.financements, self.indicateurs, self.quartiers]

    def est_valide(self):
        # Every part is checked, so that every error shows at once.
        resultats = [self.form.is_valid(), *(f.is_valid() for f in self.formsets)]
        if not all(resultats):
            return False
        lignes = [
            (f.cleaned_data.get("prevu"), f.cleaned_data.get("realise"))
            for f in self.financements.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        self.erreurs_equilibre = self.form.instance.verifier_equilibre(lignes)
        return not self.erreurs_equilibre

    @transaction.atomic
    def enregistrer(self):
        bilan = self.form.save()
        for formset in self.formsets:
            formset.instance = bilan
            formset.save()
        return bilan

    @property
    def a_des_erreurs(self):
        return bool(
            self.form.errors or self.erreurs_equilibre or any(f.total_error_count() for f in self.formsets)
        )
