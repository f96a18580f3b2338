"""Instances, séances, attendance and the délibérations that adopt tranches."""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q

from contrat_ville.models import Collectivite
from programmation.models import Tranche

from .enums import Civilite, EtatPresence, ModePublication, NatureInstance, ResultatVote

NATURES_ACTE = ("DE", "AR", "AI", "CC", "BF", "AU")
FORMAT_ACTES = re.compile(rf"^\d{{3}}-\d{{9}}-\d{{8}}-[A-Za-z0-9_]{{1,15}}-({'|'.join(NATURES_ACTE)})$")


def valider_identifiant_actes(valeur):
    if not FORMAT_ACTES.match(valeur or ""):
        raise ValidationError(
            f"L'identifiant ACTES « {valeur} » doit avoir la forme "
            "DDD-SIREN-AAAAMMJJ-NUMERO-NA, par exemple 042-244200770-20240516-D20240023010-DE.",
            code="format",
        )


class Elu(models.Model):
    collectivite = models.ForeignKey(
        Collectivite, verbose_name="collectivité", on_delete=models.PROTECT, related_name="elus"
    )
    civilite = models.CharField("civilité", max_length=3, choices=Civilite.choices)
    prenom = models.CharField("prénom", max_length=100)
    nom = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "élu"
        ordering = ["nom", "prenom"]
        constraints = [models.UniqueConstraint(fields=["collectivite", "nom", "prenom"], name="elu_unique")]

    def __str__(self):
        return f"{self.civilite} {self.prenom} {self.nom}"

    @property
    def nom_complet(self):
        return f"{self.prenom} {self.nom}"


class Instance(models.Model):
    collectivite = models.ForeignKey(
        Collectivite,
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="instances",
    )
    nom = models.CharField("nom", max_length=120, help_text="Par exemple « Bureau Métropolitain ».")
    nature = models.CharField("nature", max_length=30, choices=NatureInstance.choices)
    membres = models.ManyToManyField(
        Elu,
        blank=True,
        related_name="instances",
        help_text="Les membres en exercice aujourd'hui ; chaque séance garde son propre décompte.",
    )

    class Meta:
        ordering = ["collectivite", "nom"]
        constraints = [models.UniqueConstraint(fields=["collectivite", "nom"], name="instance_nom_unique")]

    def __str__(self):
        return self.nom


class SeanceQuerySet(models.QuerySet):
    def with_decompte(self):
        return self.annotate(
            nombre_presents=Count("presences", filter=Q(presences__etat=EtatPresence.PRESENT)),
            nombre_pouvoirs=Count("presences", filter=Q(presences__etat=EtatPresence.POUVOIR)),
            nombre_excuses=Count("presences", filter=Q(presences__etat=EtatPresence.EXCUSE)),
        )


class Seance(models.Model):
    instance = models.ForeignKey(Instance, on_delete=models.PROTECT, related_name="seances")
    date = models.DateField("date de la séance")
    date_convocation = models.DateField("date de convocation")
    membres_en_exercice = models.PositiveSmallIntegerField("nombre de membres en exercice")
    president = models.ForeignKey(
        Elu,
        verbose_name="président de séance",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    secretaire = models.ForeignKey(
        Elu,
        verbose_name="secrétaire de séance",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = SeanceQuerySet.as_manager()

    class Meta:
        verbose_name = "séance"
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_convocation__lte=models.F("date")),
                name="seance_convocation_avant_seance",
                violation_error_message="La convocation doit précéder la séance.",
            )
        ]

    def __str__(self):
        return f"{self.instance} du {self.date:%d/%m/%Y}"

    def decompte(self):
        """Présents, pouvoirs and voix, as the extract states them."""
        par_etat = dict(self.presences.values_list("etat").annotate(n=Count("id")).values_list("etat", "n"))
        presents = par_etat.get(EtatPresence.PRESENT, 0)
        pouvoirs = par_etat.get(EtatPresence.POUVOIR, 0)
        return {
            "membres_en_exercice": self.membres_en_exercice,
            "presents": presents,
            "pouvoirs": pouvoirs,
            "excuses": par_etat.get(EtatPresence.EXCUSE, 0),
            "voix": presents + pouvoirs,
        }


class Presence(models.Model):
    seance = models.ForeignKey(Seance, on_delete=models.CASCADE, related_name="presences")
    elu = models.ForeignKey(Elu, verbose_name="élu", on_delete=models.PROTECT, related_name="+")
    etat = models.CharField("présence", max_length=10, choices=EtatPresence.choices)
    mandataire = models.ForeignKey(
        Elu,
        verbose_name="donne pouvoir à",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "présence"
        ordering = ["seance", "ordre", "elu__nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["seance", "elu"],
                name="presence_unique",
                violation_error_message="Cet élu figure déjà dans la liste de présence.",
            ),
            # CGCT L2121-20: a member holds at most one pouvoir.
            models.UniqueConstraint(
                fields=["seance", "mandataire"],
                name="presence_un_pouvoir_par_mandataire",
                violation_error_message="Un membre ne peut détenir qu'un seul pouvoir (CGCT L2121-20).",
            ),
            models.CheckConstraint(
                condition=Q(etat=EtatPresence.POUVOIR, mandataire__isnull=False)
                | (~Q(etat=EtatPresence.POUVOIR) & Q(mandataire__isnull=True)),
                name="presence_pouvoir_avec_mandataire",
                violation_error_message=(
                    "Un pouvoir doit nommer son mandataire, et seul un pouvoir en nomme un."
                ),
            ),
        ]

    def __str__(self):
        if self.etat == EtatPresence.POUVOIR:
            return f"{self.elu} donne pouvoir à {self.mandataire}"
        return f"{self.elu} : {self.get_etat_display()}"

    def clean(self):
        if self.mandataire_id and self.mandataire_id == self.elu_id:
            raise ValidationError({"mandataire": "Un élu ne peut pas se donner pouvoir à lui-même."})
        if self.mandataire_id and self.seance_id:
            mandataire_present = self.seance.presences.filter(
                elu_id=self.mandataire_id, etat=EtatPresence.PRESENT
            ).exists()
            if not mandataire_present:
                raise ValidationError({"mandataire": "Le mandataire doit être présent à la séance."})


class DeliberationQuerySet(models.QuerySet):
    def visibles_par(self, user):
        return self.filter(collectivite=user.collectivite_id)


class Deliberation(models.Model):
    collectivite = models.ForeignKey(
        Collectivite,
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        related_name="deliberations",
        editable=False,
    )
    seance = models.ForeignKey(Seance, on_delete=models.PROTECT, related_name="deliberations")
    ordre_du_jour = models.PositiveSmallIntegerField("rang à l'ordre du jour", default=0)
    numero = models.CharField("numéro", max_length=20, help_text="Par exemple 2024.00230.")
    objet = models.CharField("objet", max_length=300)
    expose = models.TextField("exposé (avant le tableau récapitulatif)", blank=True)
    expose_suite = models.TextField("exposé (après le tableau récapitulatif)", blank=True)
    tableau_recapitulatif = models.BooleanField(
        "tableau récapitulatif par axe dans le texte",
        default=True,
        help_text="Le nombre d'actions et le montant par axe, calculés depuis la tranche.",
    )
    decisions = models.TextField(
        "décisions", blank=True, help_text="Une décision par ligne, telles que votées."
    )
    chapitres_budgetaires = models.CharField("chapitres budgétaires imputés", max_length=300, blank=True)
    tranche = models.OneToOneField(
        Tranche,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliberation",
        help_text="La tranche de programmation que cette délibération adopte.",
    )
    resultat_vote = models.CharField(
        "résultat du vote", max_length=20, choices=ResultatVote.choices, blank=True
    )
    vote_pour = models.PositiveSmallIntegerField("pour", null=True, blank=True)
    vote_contre = models.PositiveSmallIntegerField("contre", null=True, blank=True)
    vote_abstention = models.PositiveSmallIntegerField("abstentions", null=True, blank=True)
    signataire = models.ForeignKey(Elu, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    qualite_signataire = models.CharField(
        "qualité du signataire", max_length=120, blank=True, help_text="« Le Président »…"
    )
    qualite_secretaire = models.CharField(
        "qualité du secrétaire signataire",
        max_length=120,
        blank=True,
        help_text="« La secrétaire de Séance » ; vide si le secrétaire ne signe pas l'extrait.",
    )
    identifiant_actes = models.CharField(
        "identifiant ACTES", max_length=60, blank=True, validators=[valider_identifiant_actes]
    )
    voie_transmission = models.CharField(
        "voie de transmission", max_length=120, blank=True, help_text="« VIA DOTELEC - iXBus »."
    )
    date_reception_prefecture = models.DateField("reçu en préfecture le", null=True, blank=True)
    mode_publication = models.CharField(
        "publication", max_length=20, choices=ModePublication.choices, blank=True
    )
    date_publication = models.DateField("publié le", null=True, blank=True)

    objects = DeliberationQuerySet.as_manager()

    class Meta:
        verbose_name = "délibération"
        ordering = ["-seance__date", "ordre_du_jour"]
        constraints = [
            models.UniqueConstraint(
                fields=["collectivite", "numero"],
                name="deliberation_numero_unique",
                violation_error_message="Ce numéro de délibération est déjà attribué.",
            )
        ]

    def __str__(self):
        return f"Délibération n°{self.numero} — {self.objet}"

    def save(self, *args, **kwargs):
        self.collectivite_id = self.seance.instance.collectivite_id
        super().save(*args, **kwargs)

    @property
    def texte_du_vote(self):
        if self.resultat_vote == ResultatVote.UNANIMITE:
            return "Ce dossier a été adopté à l'unanimité."
        if self.resultat_vote in (ResultatVote.MAJORITE, ResultatVote.REJET):
            issue = "adopté" if self.resultat_vote == ResultatVote.MAJORITE else "rejeté"
            return (
                f"Ce dossier a été {issue} par {self.vote_pour or 0} voix pour, "
                f"{self.vote_contre or 0} voix contre et {self.vote_abstention or 0} abstention(s)."
            )
        return "Vote non encore intervenu."

    @property
    def est_votee(self):
        return self.resultat_vote in (ResultatVote.UNANIMITE, ResultatVote.MAJORITE)

    @property
    def est_executoire(self):
        return bool(self.date_reception_prefecture and self.date_publication)
