"""The forms of the import pages: the file to send, and the field of each of its columns."""

from django import forms

from contrat_ville.models import Contrat

from .entetes import CHOIX, trouver_entete
from .erreurs import ErreurImport
from .lecture import TAILLE_MAX, lire


class DepotForm(forms.Form):
    contrat = forms.ModelChoiceField(label="Contrat", queryset=Contrat.objects.none())
    annee = forms.IntegerField(label="Année", min_value=2000, max_value=2100)
    fichier = forms.FileField(
        label="Fichier (.xlsx ou .csv)",
        help_text=f"{TAILLE_MAX // (1024 * 1024)} Mo au plus.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, collectivite, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contrat"].queryset = Contrat.objects.de(collectivite)

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > TAILLE_MAX:
            raise forms.ValidationError(
                f"Le fichier pèse {fichier.size // (1024 * 1024)} Mo : la limite est de "
                f"{TAILLE_MAX // (1024 * 1024)} Mo."
            )
        self.contenu = fichier.read()
        try:
            # The one reading of the file: an unreadable file is refused before anything is kept, and
            # the rows are kept with it for the preview and the load.
            self.feuilles = lire(self.contenu, fichier.name)
        except ErreurImport as erreur:
            raise forms.ValidationError(str(erreur)) from None
        if not any(trouver_entete(feuille.lignes) for feuille in self.feuilles):
            raise forms.ValidationError(
                "Aucune ligne d'en-têtes reconnue : le fichier doit avoir une ligne d'en-têtes nommant au "
                "moins l'intitulé de l'action. Téléchargez le modèle pour voir les colonnes attendues."
            )
        return fichier

    def clean(self):
        donnees = super().clean()
        contrat, annee = donnees.get("contrat"), donnees.get("annee")
        if contrat and annee and annee not in contrat.annees():
            self.add_error("annee", f"Le contrat « {contrat} » couvre les années {contrat.periode}.")
        return donnees


class CorrespondanceForm(forms.Form):
    """One drop-down per column of the file's header row."""

    def __init__(self, *args, entetes, champs, **kwargs):
        super().__init__(*args, **kwargs)
        for i, entete in enumerate(entetes):
            self.fields[f"colonne_{i}"] = forms.ChoiceField(
                label=entete or f"Colonne {i + 1} (sans en-tête)",
                choices=CHOIX,
                required=False,
                initial=champs[i] if i < len(champs) else "",
            )

    def clean(self):
        donnees = super().clean()
        choisis = [c for c in donnees.values() if c]
        doubles = sorted({c for c in choisis if choisis.count(c) > 1})
        if doubles:
            raise forms.ValidationError(f"Un champ ne peut désigner qu'une colonne : {', '.join(doubles)}.")
        if not {"intitule", "intitule_porteur"} & set(choisis):
            raise forms.ValidationError("Désignez la colonne de l'intitulé de l'action.")
        return donnees

    def champs(self):
        return [self.cleaned_data[f"colonne_{i}"] for i in range(len(self.fields))]
