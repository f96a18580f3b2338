"""The back-office's changes of actions, through their one owner (models/changements.py): the version
an action's form was read at, checked before writing (a colleague's change is never overwritten), and the
cofinancements' own pages, whose changes are their action's."""

from django import forms
from django.core.exceptions import ValidationError

from .models.changements import Changements
from .saisie import modifiee_entre_temps


class VersionLue(forms.ModelForm):
    """An action's back-office form carries the version it was read at: posted after a colleague's change,
    it is refused, as the agent's form is, instead of writing over that change."""

    version_lue = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version_lue"].initial = self.instance.version if self.instance.pk else None


def verifier_les_versions(formulaires, actuelles):
    """Refuses the save when an action changed since its form was read (a ValidationError: the back-office
    shows it and rolls the whole request back)."""
    for formulaire in formulaires:
        actuelle = actuelles[formulaire.instance.pk]
        if formulaire.cleaned_data.get("version_lue") != actuelle.version:
            raise ValidationError(
                f"« {actuelle} » : {modifiee_entre_temps(actuelle)} Rien n'a été enregistré ; rouvrez "
                "la page pour partir de la version actuelle."
            )


def avec_historique(request, actions, ecrire):
    """ecrire() changes the actions' cofinancements; each action then gets its version and rows."""
    with Changements(request.user).suivre(actions, ecrites=False):
        ecrire()
