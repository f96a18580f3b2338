"""The préfecture: a délibération's ACTES identifier, its transmission and its publication."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from contrat_ville.formats import date_fr

from .registre import Registre

# Added after the vote by the préfecture's acknowledgement and the publication: a new kept extract.
CHAMPS_DU_TAMPON = {
    "identifiant_actes",
    "voie_transmission",
    "date_reception_prefecture",
    "mode_publication",
    "date_publication",
}

NATURES_ACTE = ("DE", "AR", "AI", "CC", "BF", "AU")
FORMAT_ACTES = re.compile(rf"^\d{{3}}-\d{{9}}-\d{{8}}-[A-Za-z0-9_]{{1,15}}-({'|'.join(NATURES_ACTE)})$")


def valider_identifiant_actes(valeur):
    if not FORMAT_ACTES.match(valeur or ""):
        raise ValidationError(
            f"L'identifiant ACTES « {valeur} » doit avoir la forme "
            "DDD-SIREN-AAAAMMJJ-NUMERO-NA, par exemple 042-244200770-20240516-D20240023010-DE.",
            code="format",
        )


class TransmissionDeliberation(models.Model):
    """Deliberation's part about the préfecture; abstract, so the model's migrations do not see it."""

    class Meta:
        abstract = True

    @property
    def est_executoire(self):
        return bool(self.date_reception_prefecture and self.date_publication)

    # --- the préfecture

    @property
    def prefixe_actes(self):
        """DDD-SIREN-AAAAMMJJ-: what every ACTES identifier of this séance starts with."""
        collectivite = self.seance.instance.collectivite
        return f"{collectivite.code_departement}-{collectivite.siren}-{self.seance.date:%Y%m%d}-"

    @cached_property
    def identifiant_actes_calcule(self):
        """DDD-SIREN-AAAAMMJJ-NUMERO-DE, the internal number in the register's ACTES format."""
        if self.rang is None or self.annee is None:
            return ""
        registre = Registre.objects.filter(collectivite=self.seance.instance.collectivite_id).first()
        return f"{self.prefixe_actes}{(registre or Registre()).numero_actes(self.annee, self.rang)}-DE"

    def _erreurs_d_identifiant_actes(self):
        erreurs = {}
        if self.identifiant_actes and self.seance_id and FORMAT_ACTES.match(self.identifiant_actes):
            attendu = self.prefixe_actes
            if not self.identifiant_actes.startswith(attendu):
                erreurs["identifiant_actes"] = (
                    f"L'identifiant ACTES doit commencer par {attendu} : le département et le SIREN de "
                    f"{self.seance.instance.collectivite}, puis la date de la séance."
                )
        return erreurs

    def _erreurs_de_dates(self):
        erreurs = {}
        # A stamp of the préfecture or a publication records what happened: after the séance, by today.
        aujourd_hui = timezone.localdate()
        for champ in ("date_reception_prefecture", "date_publication"):
            date = getattr(self, champ)
            if date and date > aujourd_hui:
                erreurs[champ] = (
                    f"Cette date est dans le futur : elle ne peut pas dépasser aujourd'hui, "
                    f"le {date_fr(aujourd_hui)}."
                )
            elif date and self.seance_id and date < self.seance.date:
                erreurs[champ] = f"Cette date précède la séance du {date_fr(self.seance.date)}."
        if (self.date_reception_prefecture or self.date_publication) and not self.resultat_vote:
            erreurs["date_reception_prefecture"] = "Seule une délibération votée se transmet et se publie."
        return erreurs
