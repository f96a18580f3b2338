"""The register of délibérations: one number a délibération, per authority and year, never reused."""

from __future__ import annotations

import re
import string
from typing import ClassVar, NoReturn

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max

from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite, CloisonneQuerySet
from contrat_ville.models import Collectivite

# A numbering format may only use {annee} and {rang}, with at most a zero-padded width: anything else
# (attributes, indexes, a width of a billion characters) could break or exhaust the server, from any door.
CHAMPS_CONNUS = {"annee", "rang"}
SPECIFICATION = re.compile(r"^(0?[1-9]|0?1[0-9]|0?20)?d?$")
NUMERO_MAX = 20  # Deliberation.numero
ACTES_INTERNE = re.compile(r"^[A-Za-z0-9_]{1,15}$")  # the NUMERO part of an ACTES identifier
RANG_EXEMPLE_MAX = 9_999


def _probleme(valeur: str) -> str | None:
    """Why a format cannot be used, or None."""
    try:
        morceaux = list(string.Formatter().parse(valeur))
    except ValueError:
        return "accolade mal fermée"
    for _, champ, specification, conversion in morceaux:
        if champ is None:
            continue
        if champ not in CHAMPS_CONNUS:
            return f"« {{{champ}}} » inconnu"
        if conversion or not SPECIFICATION.match(specification or ""):
            return f"« {{{champ}:{specification}}} » : seule une largeur comme {{rang:05d}} est permise"
    return None


def _refuser(valeur: str, probleme: str) -> NoReturn:
    raise ValidationError(
        f"Format « {valeur} » invalide : {probleme} ; seuls {{annee}} et {{rang}} sont connus, "
        "par exemple {annee}-{rang:04d}."
    )


def valider_format_numero(valeur: str) -> None:
    probleme = _probleme(valeur)
    if probleme is None and len(valeur.format(annee=2024, rang=RANG_EXEMPLE_MAX)) > NUMERO_MAX:
        probleme = f"le numéro dépasserait {NUMERO_MAX} caractères"
    if probleme:
        _refuser(valeur, probleme)


def valider_format_actes(valeur: str) -> None:
    probleme = _probleme(valeur)
    if probleme is None and not ACTES_INTERNE.match(valeur.format(annee=2024, rang=RANG_EXEMPLE_MAX)):
        probleme = "la préfecture n'accepte que 1 à 15 lettres sans accent, chiffres ou « _ »"
    if probleme:
        _refuser(valeur, probleme)


# A base made by a call: the type checker takes it as Any (its methods are QuerySet's, in CloisonneQuerySet).
class RegistreManager(models.Manager.from_queryset(CloisonneQuerySet)):  # type: ignore[misc]
    def de(self, collectivite_id: int) -> Registre:
        registre, _ = self.get_or_create(collectivite_id=collectivite_id)
        return registre


class Registre(Cloisonne):
    """How an authority numbers its délibérations, and its internal number for the préfecture."""

    collectivite = models.OneToOneField(
        Collectivite, verbose_name="collectivité", on_delete=models.PROTECT, related_name="registre"
    )
    format_numero = models.CharField(
        "format du numéro",
        max_length=60,
        default="{annee}.{rang:05d}",
        validators=[valider_format_numero],
        help_text="{annee} et {rang} : « {annee}.{rang:05d} » donne 2024.00230.",
    )
    format_actes = models.CharField(
        "format du numéro interne ACTES",
        max_length=60,
        default="D{annee}{rang:05d}10",
        validators=[valider_format_actes],
        help_text="Le numéro de l'acte pour la préfecture : « D{annee}{rang:05d}10 » donne D20240023010.",
    )

    objects: ClassVar[RegistreManager] = RegistreManager()

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "registre des délibérations"
        verbose_name_plural = "registres des délibérations"

    def __str__(self) -> str:
        return f"Registre de {self.collectivite}"

    def numero(self, annee: int, rang: int) -> str:
        return self.format_numero.format(annee=annee, rang=rang)

    def numero_actes(self, annee: int, rang: int) -> str:
        return self.format_actes.format(annee=annee, rang=rang)

    @transaction.atomic
    def attribuer(self, annee: int) -> int:
        """The year's next rang. The counter row is locked until the caller's transaction ends, so two
        concurrent requests never get the same rang; a rang once given is never given again."""
        compteur, _ = Compteur.objects.get_or_create(registre=self, annee=annee)
        compteur = Compteur.objects.select_for_update().get(pk=compteur.pk)
        if compteur.dernier == 0:
            compteur.dernier = self._dernier_sans_compteur(annee)
        compteur.dernier += 1
        compteur.save(update_fields=["dernier"])
        return compteur.dernier

    def prochain_rang(self, annee: int) -> int:
        """The rang attribuer() would give now, read only (nothing locked nor written)."""
        compteur = Compteur.objects.filter(registre_id=self.pk, annee=annee).values_list("dernier", flat=True)
        dernier = (compteur.first() if self.pk else 0) or self._dernier_sans_compteur(annee)
        return dernier + 1

    def _dernier_sans_compteur(self, annee: int) -> int:
        # A register started before this tool (the seeds): carry on after its last number.
        deliberations = self.collectivite.deliberations.filter(annee=annee)
        return deliberations.aggregate(n=Max("rang"))["n"] or 0


class Compteur(Cloisonne):
    registre = models.ForeignKey(Registre, on_delete=models.CASCADE, related_name="compteurs")
    annee = models.PositiveSmallIntegerField("année")
    dernier = models.PositiveIntegerField("dernier rang attribué", default=0)

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "compteur annuel"
        constraints = [
            models.UniqueConstraint(fields=["registre", "annee"], name="compteur_unique_par_annee")
        ]

    def __str__(self) -> str:
        return f"{self.annee} : {self.dernier}"


# Named by migrations 0002 and earlier.
_valider_format = valider_format_numero
