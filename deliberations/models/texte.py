"""A délibération's written text and signature, frozen once it is voted or withdrawn."""

import pgtrigger
from django.db import models
from django.db.models import Q

from ..enums import Civilite, NatureInstance
from .seances import Elu

MESSAGE_TEXTE_FIGE = (
    "Une délibération votée ou retirée de l'ordre du jour garde son texte : une correction est une "
    "autre délibération."
)


class TexteFige(pgtrigger.Trigger):
    """The same rule for every writer, raw SQL included (CHAMPS_REDIGES' columns)."""

    name = "texte_fige"
    when = pgtrigger.Before
    operation = pgtrigger.Update

    def get_func(self, model):
        colonnes = [model._meta.get_field(c).column for c in CHAMPS_REDIGES]
        change = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in colonnes)
        message = MESSAGE_TEXTE_FIGE.replace("'", "''")
        return f"""
            IF (OLD.resultat_vote <> '' OR OLD.retiree) AND ({change}) THEN
                RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation';
            END IF;
            RETURN NEW;
        """


# What the Rédiger page writes: frozen once the délibération is voted or withdrawn.
CHAMPS_REDIGES = [
    "objet",
    "expose",
    "expose_suite",
    "tableau_recapitulatif",
    "decisions",
    "chapitres_budgetaires",
    "rapporteur",
    "signataire",
    "qualite_signataire",
    "qualite_secretaire",
]


def _texte_du_champ(deliberation, champ):
    valeur = getattr(deliberation, champ)
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    return "" if valeur is None else str(valeur)


class TexteDeliberation(models.Model):
    """Deliberation's part about who reports and signs; abstract, so the model's migrations do not see it."""

    class Meta:
        abstract = True

    # --- the written text and its signature

    def elus_possibles(self):
        """Who may report or sign: the instance's members, those on the attendance list, the président."""
        seance = self.seance
        return Elu.objects.filter(
            Q(instances=seance.instance_id)
            | Q(pk__in=seance.presences.values("elu"))
            | Q(pk=seance.president_id)
        ).distinct()

    def qualite_de_signataire(self, elu):
        """« Le Président », « La Présidente », or the mayor for a conseil municipal."""
        feminin = elu.civilite == Civilite.MADAME
        if self.seance.instance.nature == NatureInstance.CONSEIL_MUNICIPAL:
            return "La Maire" if feminin else "Le Maire"
        return "La Présidente" if feminin else "Le Président"

    def qualite_de_secretaire(self):
        secretaire = self.seance.secretaire
        if secretaire is None:
            return ""
        return (
            "La secrétaire de séance" if secretaire.civilite == Civilite.MADAME else "Le secrétaire de séance"
        )

    def _erreurs_de_membres(self):
        erreurs = {}
        choisis = {
            c: getattr(self, f"{c}_id") for c in ("rapporteur", "signataire") if getattr(self, f"{c}_id")
        }
        if not choisis:
            return erreurs
        possibles = set(self.elus_possibles().filter(pk__in=choisis.values()).values_list("pk", flat=True))
        for champ, elu in choisis.items():
            if elu not in possibles:
                erreurs[champ] = f"Le {champ} doit être membre du {self.seance.instance}."
        return erreurs
