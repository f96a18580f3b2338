"""Saving what an agent enters: the action, its new porteur, its cofinancements and its history,
all or nothing, and never over a colleague's change made in the meantime."""

from contrat_ville.formats import date_fr

from .models.changements import Changements


def modifiee_entre_temps(actuelle):
    """« Cette action a été modifiée entre-temps par X le … » from the action's last history row."""
    derniere = actuelle.modifications.select_related("auteur").first()
    qui = (
        f" par {derniere.auteur} le {date_fr(derniere.date, heure=True)}"
        if derniere and derniere.auteur
        else ""
    )
    return f"Cette action a été modifiée entre-temps{qui}."


class ConflitDeVersion(Exception):
    def __init__(self, actuelle):
        self.actuelle = actuelle
        super().__init__(
            f"{modifiee_entre_temps(actuelle)} Rien n'a été enregistré : vos saisies sont "
            "conservées ci-dessous ; ouvrez la fiche dans un autre onglet pour voir la version actuelle, "
            "puis enregistrez de nouveau."
        )


def enregistrer_action(form, formset, auteur):
    action = form.instance
    changements = Changements(auteur)
    # Read and locked, one version more: the form's save writes it with the fields.
    with changements.suivre([action] if action.pk else []) as actuelles:
        if action.pk and form.cleaned_data.get("version") != actuelles[action.pk].version:
            raise ConflitDeVersion(actuelles[action.pk])
        if action.porteur.pk is None:
            action.porteur.save()
            action.porteur = action.porteur  # takes the new porteur's id
        nouvelle = action.pk is None
        action = form.save()
        if formset is not None:  # None for a voted action: its cofinancements are locked with its amounts
            formset.instance = action
            formset.save()
        if nouvelle:
            changements.creer(action)
    return action
