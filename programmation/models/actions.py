"""Programmation: porteurs, their actions, cofinancements and the tranches that group them.

Actions know nothing of séances: a vote tells the tranche to lock itself (`Tranche.verrouiller`).
"""

from collections import deque
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

import pgtrigger
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, TextField, Value
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite, CloisonneQuerySet
from contrat_ville.enums import NatureFinanceur, Section
from contrat_ville.formats import euros
from contrat_ville.models import (
    MONTANT,
    Axe,
    Collectivite,
    Contrat,
    Dispositif,
    Financeur,
    Quartier,
    Theme,
)
from contrat_ville.validators import valider_rna, valider_siret

from ..enums import (
    AVANT_LE_VOTE,
    PEUVENT_ENTRER_EN_TRANCHE,
    TRANSITIONS,
    NaturePorteur,
    NatureTotal,
    StatutAction,
    StatutTranche,
)
from ..recherche import sans_accents, texte_normalise
from .masse import ActionsEnMasse, appliquer_en_masse
from .reconduction import Reconductions
from .verrou import VerrouAction, VerrouCofinancement, VerrouTranche

ZERO = Value(0, output_field=DecimalField(**MONTANT))


# A cofinancement counts for its granted amount, else the requested one (SQL; see Cofinancement).
MONTANT_RETENU = Coalesce("montant_accorde", "montant_sollicite")


def somme(champ, filtre=None):
    """A database sum that is 0, never None, on an empty set."""
    return Coalesce(Sum(champ, filter=filtre), ZERO, output_field=DecimalField(**MONTANT))


class Porteur(Cloisonne):
    """The organisation carrying actions; the same porteur across years and contracts."""

    collectivite = models.ForeignKey(
        Collectivite, verbose_name="collectivité", on_delete=models.PROTECT, related_name="porteurs"
    )
    nom = models.CharField("nom", max_length=200)
    nature = models.CharField("nature", max_length=25, choices=NaturePorteur.choices)
    siret = models.CharField(
        "SIRET", max_length=14, blank=True, validators=[valider_siret], help_text="14 chiffres."
    )
    rna = models.CharField(
        "numéro RNA",
        max_length=10,
        blank=True,
        validators=[valider_rna],
        help_text="W + 9 chiffres.",
    )
    commune = models.CharField("commune", max_length=120, blank=True)

    class Meta:
        ordering = ["nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["collectivite", "nom"],
                name="porteur_nom_unique",
                violation_error_message="Un porteur de ce nom existe déjà.",
            ),
            models.CheckConstraint(
                condition=Q(siret="") | Q(siret__regex=r"^[0-9]{14}$"),
                name="porteur_siret_14_chiffres",
                violation_error_message="Le SIRET doit comporter 14 chiffres.",
            ),
            models.CheckConstraint(
                condition=Q(rna="") | Q(rna__regex=r"^W[0-9]{9}$"),
                name="porteur_rna_format",
                violation_error_message="Le numéro RNA doit être un W suivi de 9 chiffres.",
            ),
        ]
        triggers = [CloisonnementCollectivite()]

    def __str__(self):
        return self.nom

    @property
    def identifie(self):
        return bool(self.siret or self.rna)

    @property
    def anomalie_identifiant(self):
        """Why the porteur cannot be named in open data (SCDL wants a valid SIRET or RNA); "" when it can."""
        if not self.identifie:
            return "ni SIRET ni RNA"
        try:
            if self.siret:
                valider_siret(self.siret)
        except ValidationError:
            return f"SIRET {self.siret} invalide"
        return ""


class TrancheQuerySet(CloisonneQuerySet):
    def update(self, **valeurs):
        if {"statut", "contrat", "contrat_id", "annee", "numero"} & set(valeurs):
            self._refuser_si_votee()
        return super().update(**valeurs)

    def delete(self):
        self._refuser_si_votee()
        return super().delete()

    def _refuser_si_votee(self):
        votee = self.filter(statut=StatutTranche.VOTEE).first()
        if votee is not None:
            raise ValidationError(MESSAGE_VERROU.format(tranche=votee))

    def visibles_par(self, user):
        """A user sees the tranches of their own authority only."""
        return self.filter(contrat__collectivite=user.collectivite_id)

    def creer_suivante(self, contrat, annee):
        """The year's next tranche of a contract, as a draft."""
        dernier = self.filter(contrat=contrat, annee=annee).aggregate(n=models.Max("numero"))["n"] or 0
        return self.create(
            contrat=contrat,
            annee=annee,
            numero=dernier + 1,
            intitule=f"Programmation {annee} — tranche {dernier + 1}",
        )

    def with_totaux(self):
        subventions = Q(actions__maitrise_ouvrage_collectivite=False)
        return self.annotate(
            nombre_actions=Count("actions", filter=subventions),
            # Tells a cost total of 0 € from a total of unknown costs (« non renseigné »).
            couts_connus=Count("actions__cout", filter=subventions),
            total_cout=somme("actions__cout", subventions),
            total_contribution=somme("actions__contribution", subventions),
        )


class TrancheManager(models.Manager.from_queryset(TrancheQuerySet)):
    def get_queryset(self):
        # A tranche is always named after its contract.
        return super().get_queryset().select_related("contrat")


class Tranche(Cloisonne):
    contrat = models.ForeignKey(Contrat, on_delete=models.PROTECT, related_name="tranches")
    annee = models.PositiveSmallIntegerField("année")
    numero = models.PositiveSmallIntegerField("numéro")
    intitule = models.CharField("intitulé", max_length=250, blank=True)
    statut = models.CharField(
        "statut", max_length=20, choices=StatutTranche.choices, default=StatutTranche.BROUILLON
    )
    # When the vote was recorded (the journal's time); votee_le is the séance's date, shown on the pages.
    verrouillee_le = models.DateTimeField("verrouillée le", null=True, blank=True, editable=False)
    votee_le = models.DateField("votée le", null=True, blank=True, editable=False)
    acte_de_vote = models.CharField(
        "acte de vote",
        max_length=250,
        blank=True,
        help_text="Renseigné par le vote : « Délibération n°2024.00230 du Bureau Métropolitain… ».",
    )

    objects = TrancheManager()

    class Meta:
        ordering = ["contrat", "-annee", "numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["contrat", "annee", "numero"],
                name="tranche_unique_par_contrat_et_annee",
                violation_error_message="Ce contrat a déjà une tranche de ce numéro pour cette année.",
            )
        ]
        triggers = [CloisonnementCollectivite(), VerrouTranche()]

    def __str__(self):
        return f"{self.contrat.intitule} — {self.annee} T{self.numero}"

    @property
    def est_verrouillee(self):
        return self.statut == StatutTranche.VOTEE

    def save(self, *args, **kwargs):
        self.clean()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk and Tranche.objects.filter(pk=self.pk, statut=StatutTranche.VOTEE).exists():
            raise ValidationError(MESSAGE_VERROU.format(tranche=self))
        return super().delete(*args, **kwargs)

    def clean(self):
        # Only a modificative changes a voted tranche: not its status, contract, year or number either.
        avant = (
            Tranche.objects.filter(pk=self.pk).values("statut", "contrat", "annee", "numero").first()
            if self.pk
            else None
        )
        if avant and avant["statut"] == StatutTranche.VOTEE:
            apres = {
                "statut": self.statut,
                "contrat": self.contrat_id,
                "annee": self.annee,
                "numero": self.numero,
            }
            if avant != apres:
                raise ValidationError(MESSAGE_VERROU.format(tranche=self))

    def _modifiable(self):
        if self.statut != StatutTranche.BROUILLON:
            raise ValidationError(
                f"La tranche {self.annee} T{self.numero} est « {self.get_statut_display()} » : "
                "seule une tranche en brouillon se compose."
            )

    def ajouter(self, action, auteur=None):
        """One action in (to « Proposée » on the way when the workflow allows it): the bulk rule for one."""
        self._modifiable()
        appliquer_en_masse([action], lambda a: a.entrer_dans(self, auteur), ["statut", "tranche", "version"])

    def retirer(self, action, auteur=None):
        self._modifiable()
        appliquer_en_masse([action], lambda a: a.sortir_de(self, auteur), ["tranche", "version"])

    def soumettre(self, constats):
        """Sent to the séance: only with actions, and no blocking finding."""
        self._modifiable()
        if not self.actions.exists():
            raise ValidationError("Une tranche vide ne peut pas être soumise.")
        bloquants = [c for c in constats if c.bloquant]
        if bloquants:
            raise ValidationError(
                f"{len(bloquants)} anomalie(s) bloquante(s) à corriger avant de soumettre la tranche."
            )
        self.statut = StatutTranche.SOUMISE
        self.save(update_fields=["statut"])

    def verrouiller(self, acte_de_vote, le=None, auteur=None):
        """Called by the vote that adopts this tranche: from then on its amounts are frozen.

        le: the date of the vote (the séance's), which the pages show; today when not given."""
        self.statut = StatutTranche.VOTEE
        self.verrouillee_le = timezone.now()
        self.votee_le = le or timezone.localdate()
        self.acte_de_vote = acte_de_vote
        self.save(update_fields=["statut", "verrouillee_le", "votee_le", "acte_de_vote"])
        proposees = self.actions.filter(statut=StatutAction.PROPOSEE)
        # Each action's history says it was voted, and by which act.
        lignes = [
            Modification(
                action_id=pk,
                auteur=auteur,
                champ="statut",
                avant=StatutAction.PROPOSEE.label,
                apres=f"{StatutAction.VOTEE.label} ({acte_de_vote})",
            )
            for pk in proposees.values_list("pk", flat=True)
        ]
        proposees.update(statut=StatutAction.VOTEE, version=F("version") + 1)
        Modification.objects.bulk_create(lignes)


_DEJA_VERIFIE = ContextVar("verrou_deja_verifie", default=False)
_MODIFICATIVE = ContextVar("hors_verrou", default=False)


@contextmanager
def hors_verrou():
    """The one door through a voted tranche's lock: a modificative applying its voted lines (see
    Action.corriger_contribution), or acts voted elsewhere being recorded as they were voted (tests).

    Opens the model's guards and PostgreSQL's triggers for this thread only, inside one transaction."""
    jeton = _MODIFICATIVE.set(True)
    try:
        with transaction.atomic(), pgtrigger.ignore(*VerrouAction.uris(), *VerrouCofinancement.uris()):
            yield
    finally:
        _MODIFICATIVE.reset(jeton)


class GardeVerrouQuerySet(CloisonneQuerySet):
    """Bulk paths (update, bulk_create, bulk_update, delete: imports, scripts) refuse to touch a voted
    tranche's content, as the forms and save() do. PostgreSQL's triggers hold the same rule."""

    # The lookup from this model to the tranche, and the fields that are locked with it.
    chemin_tranche = "tranche"
    champs_verrouilles = ()

    def _verrouillees(self):
        return self.filter(**{f"{self.chemin_tranche}__statut": StatutTranche.VOTEE})

    def _refuser(self, lignes):
        if _MODIFICATIVE.get():
            return
        premiere = lignes.select_related(self.chemin_tranche).first()
        if premiere is not None:
            tranche = premiere
            for etape in self.chemin_tranche.split("__"):
                tranche = getattr(tranche, etape)
            raise ValidationError(MESSAGE_VERROU.format(tranche=tranche))

    def update(self, **valeurs):
        if not _DEJA_VERIFIE.get():
            if set(valeurs) & set(self.champs_verrouilles):
                self._refuser(self._verrouillees())
            self._refuser_l_entree(valeurs)
        return super().update(**valeurs)

    # The foreign key through which a row enters a tranche, and the lookup from its target to the
    # tranche ("" when the target is the tranche): update(tranche=…) or update(action=…).
    entree = ("tranche", "")

    def _refuser_l_entree(self, valeurs):
        """An update that would put rows into a voted tranche."""
        champ, vers_tranche = self.entree
        cible = valeurs.get(champ, valeurs.get(f"{champ}_id"))
        cible_id = getattr(cible, "pk", cible)
        if cible_id is None or _MODIFICATIVE.get():
            return
        statut = f"{vers_tranche}__statut" if vers_tranche else "statut"
        modele = self.model._meta.get_field(champ).related_model
        trouvee = modele.objects.filter(pk=cible_id, **{statut: StatutTranche.VOTEE}).first()
        if trouvee is not None:
            tranche = getattr(trouvee, vers_tranche) if vers_tranche else trouvee
            raise ValidationError(MESSAGE_VERROU.format(tranche=tranche))

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        self.model.verifier_verrou(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        self.model.verifier_verrou(objs)
        # Django's bulk_update goes through update(): the objects were checked above, in two queries.
        jeton = _DEJA_VERIFIE.set(True)
        try:
            return super().bulk_update(objs, fields, batch_size=batch_size)
        finally:
            _DEJA_VERIFIE.reset(jeton)

    def delete(self):
        self._refuser(self._verrouillees())
        return super().delete()


class ActionQuerySet(ActionsEnMasse, Reconductions, GardeVerrouQuerySet):
    champs_verrouilles = (
        "contrat",
        "contrat_id",
        "annee",
        "tranche",
        "tranche_id",
        "axe",
        "axe_id",
        "cout",
        "contribution",
        "section",
        "maitrise_ouvrage_collectivite",
    )

    def update(self, **valeurs):
        if valeurs.get("statut") in AVANT_LE_VOTE and not _DEJA_VERIFIE.get():
            self._refuser(self._verrouillees())
        return super().update(**valeurs)

    def visibles_par(self, user):
        return self.filter(contrat__collectivite=user.collectivite_id)

    def for_table(self):
        """Everything a list row shows, in one query."""
        return self.select_related("porteur", "axe__contrat", "tranche__contrat").with_cofinancements()

    def with_cofinancements(self):
        # A subquery, not a join: a join would multiply the rows that the totals add up.
        lignes = (
            Cofinancement.objects.filter(action=OuterRef("pk"))
            .order_by()
            .values("action")
            .annotate(total=Sum(MONTANT_RETENU))
            .values("total")
        )
        return self.annotate(total_cofinancements=Coalesce(Subquery(lignes), ZERO))

    def annees(self):
        """The distinct years of these actions, in order, read from the (contrat, annee) index.

        order_by(): the default ordering joins four tables and would make every row distinct."""
        return list(self.order_by().values_list("annee", flat=True).distinct().order_by("annee"))

    def recherche(self, texte):
        """Title, porteur and objectives, whatever the accents and the case."""
        contenu = Concat(
            "intitule", Value(" "), "porteur__nom", Value(" "), "objectifs", output_field=TextField()
        )
        return self.annotate(texte_recherche=texte_normalise(contenu)).filter(
            texte_recherche__contains=sans_accents(texte).lower()
        )

    def subventions(self):
        """Actions granted to a porteur (excludes those the authority carries itself)."""
        return self.filter(maitrise_ouvrage_collectivite=False)

    def en_maitrise_ouvrage(self):
        return self.filter(maitrise_ouvrage_collectivite=True)

    def totaux(self):
        return self.aggregate(**self._agregats())

    def par_axe(self):
        return (
            self.values("axe", "axe__numero")
            .annotate(**self._agregats())
            .order_by("axe__ordre", "axe__numero")
        )

    @staticmethod
    def _agregats():
        # couts_connus tells a cost total of 0 € from a total of unknown costs.
        return {
            "nombre": Count("id"),
            "couts_connus": Count("cout"),
            "cout": somme("cout"),
            "contribution": somme("contribution"),
        }

    def par_section(self):
        return (
            self.values("section")
            .annotate(nombre=Count("id"), contribution=somme("contribution"))
            .order_by("section")
        )


def texte_historique(valeur):
    """A value as the history of changes writes it (amounts in French format, a choice by its label)."""
    if valeur is None:
        return ""
    if isinstance(valeur, Decimal):
        return euros(valeur)
    if isinstance(valeur, models.Choices):
        return str(valeur.label)
    return str(valeur)


MESSAGE_VERROU = (
    "La tranche {tranche} est votée : ses montants sont verrouillés. "
    "Une correction passe par une nouvelle délibération (modificative)."
)


class Action(Cloisonne):
    """One funded project for one year."""

    contrat = models.ForeignKey(Contrat, on_delete=models.PROTECT, related_name="actions")
    annee = models.PositiveSmallIntegerField("année")
    tranche = models.ForeignKey(
        Tranche, on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    ordre = models.PositiveSmallIntegerField(
        "ordre", default=0, help_text="Position dans l'annexe de la tranche."
    )
    numero_dauphin = models.CharField("N° Action DAUPHIN", max_length=20, blank=True, db_index=True)
    numero_dauphin_source = models.CharField(
        "N° DAUPHIN tel qu'écrit",
        max_length=30,
        blank=True,
        help_text="La forme brute du document source, par exemple « 0026600 7 ».",
    )
    intitule = models.CharField("intitulé", max_length=300)
    libelle_source = models.TextField(
        "intitulé et porteur tels qu'écrits",
        blank=True,
        help_text="La cellule « Intitulé de l'action et porteur » du document source.",
    )
    porteur = models.ForeignKey(Porteur, on_delete=models.PROTECT, related_name="actions")
    axe = models.ForeignKey(Axe, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    theme = models.ForeignKey(
        Theme, verbose_name="thème", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dispositif = models.ForeignKey(
        Dispositif, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    territoire = models.CharField("territoire concerné", max_length=300, blank=True)
    quartiers = models.ManyToManyField(Quartier, blank=True, related_name="+")
    objectifs = models.TextField("objectifs de l'action", blank=True)
    cout = models.DecimalField(
        "coût de l'action", **MONTANT, null=True, blank=True, help_text="Vide s'il n'est pas connu."
    )
    contribution = models.DecimalField("contribution de la collectivité", **MONTANT, default=0)
    section = models.CharField(
        "section", max_length=20, choices=Section.choices, default=Section.FONCTIONNEMENT
    )
    statut = models.CharField(
        "statut", max_length=20, choices=StatutAction.choices, default=StatutAction.DEPOSEE
    )
    maitrise_ouvrage_collectivite = models.BooleanField(
        "la collectivité est maître d'ouvrage",
        default=False,
        help_text="Action portée par la collectivité elle-même (annexe 2), hors subventions.",
    )
    convention_pluriannuelle = models.BooleanField("convention pluriannuelle d'objectifs", default=False)
    version = models.PositiveIntegerField(
        "version",
        default=1,
        editable=False,
        help_text="Augmente à chaque enregistrement (saisies concurrentes).",
    )
    reconduite_de = models.ForeignKey(
        "self",
        verbose_name="reconduite de",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="reconductions",
    )

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["annee", "tranche", "axe__ordre", "axe__numero", "ordre", "id"]
        indexes = [
            # annees() of a 300 000-action contract (500 000 in all), EXPLAIN ANALYZE: a sort of every row
            # 2 632 ms → « Index Only Scan using action_contrat_annee » 58 ms; the latest year 248 → 0.1 ms.
            models.Index(fields=["contrat", "annee"], name="action_contrat_annee"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(cout__isnull=True) | Q(cout__gte=0),
                name="action_cout_positif",
                violation_error_message="Le coût d'une action ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(contribution__gte=0),
                name="action_contribution_positive",
                violation_error_message="La contribution ne peut pas être négative.",
            ),
            models.CheckConstraint(
                condition=Q(cout__isnull=True) | Q(contribution__lte=F("cout")),
                name="action_contribution_dans_le_cout",
                violation_error_message="La contribution ne peut pas dépasser le coût de l'action.",
            ),
            # A double click, two tabs or two colleagues: one copy per action and year, whatever writes.
            models.UniqueConstraint(
                fields=["reconduite_de", "annee"],
                name="action_reconduite_une_fois_par_annee",
                violation_error_message="Cette action est déjà reconduite cette année-là.",
            ),
        ]
        triggers = [CloisonnementCollectivite(), VerrouAction()]

    def __str__(self):
        return f"{self.intitule} / {self.porteur}"

    def save(self, *args, **kwargs):
        Action.verifier_verrou([self])
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk and Action.objects.filter(pk=self.pk, tranche__statut=StatutTranche.VOTEE).exists():
            raise ValidationError(MESSAGE_VERROU.format(tranche=self.tranche))
        return super().delete(*args, **kwargs)

    def clean(self):
        erreurs = {}
        if self.axe_id and self.contrat_id and self.axe.contrat_id != self.contrat_id:
            erreurs["axe"] = "Cet axe n'appartient pas au contrat de l'action."
        if self.tranche_id and self.contrat_id and self.tranche.contrat_id != self.contrat_id:
            erreurs["tranche"] = "Cette tranche n'appartient pas au contrat de l'action."
        if self.tranche_id and self.annee and self.tranche.annee != self.annee:
            erreurs["tranche"] = "Cette tranche n'est pas de l'année de l'action."
        for _, fautifs in Action.erreurs_de_verrou([self]):
            erreurs.update(fautifs)
        if erreurs:
            raise ValidationError(erreurs)

    # What a vote freezes: an action's place in the programmation and its amounts. Its title,
    # territory, quartiers and objectives stay correctable; its status only moves forward.
    VERROUILLES = (
        "contrat",
        "annee",
        "tranche",
        "axe",
        "cout",
        "contribution",
        "section",
        "maitrise_ouvrage_collectivite",
    )

    @classmethod
    def erreurs_de_verrou(cls, actions):
        """[(action, {field: message})] for the actions that would change a voted tranche's content.

        Two queries whatever the number of actions (bulk paths call it too)."""
        if _MODIFICATIVE.get():
            return []
        colonnes = [cls._meta.get_field(champ).attname for champ in cls.VERROUILLES]
        avant = {
            ligne["pk"]: ligne
            for ligne in cls._base_manager.filter(pk__in=[a.pk for a in actions if a.pk])
            .filter(tranche__statut=StatutTranche.VOTEE)
            .values("pk", "statut", *colonnes)
        }
        # The voted tranches the actions are in, or would enter: one query, not one per action.
        entrees = {a.tranche_id for a in actions if a.tranche_id and a.pk not in avant}
        tranches = {ligne["tranche_id"] for ligne in avant.values()} | entrees
        votees = Tranche.objects.filter(pk__in=tranches, statut=StatutTranche.VOTEE).in_bulk()
        erreurs = []
        for action in actions:
            ancien = avant.get(action.pk)
            if ancien is not None:
                tranche = votees[ancien["tranche_id"]]
                fautifs = [
                    c
                    for c, col in zip(cls.VERROUILLES, colonnes, strict=True)
                    if ancien[col] != getattr(action, col)
                ]
                if action.statut != ancien["statut"] and action.statut in AVANT_LE_VOTE:
                    fautifs.append("statut")
            else:
                tranche = votees.get(action.tranche_id)
                fautifs = ["tranche"] if tranche is not None else []
            if fautifs:
                erreurs.append((action, dict.fromkeys(fautifs, MESSAGE_VERROU.format(tranche=tranche))))
        return erreurs

    @classmethod
    def verifier_verrou(cls, actions):
        erreurs = cls.erreurs_de_verrou(actions)
        if erreurs:
            raise ValidationError(erreurs[0][1])

    @property
    def montants_verrouilles(self):
        return bool(self.tranche_id and self.tranche.est_verrouillee)

    def statuts_possibles(self):
        return TRANSITIONS[self.statut]

    def corriger_contribution(self, montant, auteur, motif):
        """A modificative's voted line: the one change a voted tranche accepts, written to the history."""
        with hors_verrou():
            avant = self.contribution
            self.contribution = montant
            self.version += 1
            self.save(update_fields=["contribution", "version"])
            Modification.objects.create(
                action=self,
                auteur=auteur,
                champ=f"contribution ({motif})",
                avant=euros(avant),
                apres=euros(montant),
            )

    @property
    def cofinance(self):
        """What the cofinanceurs put in (reads the prefetched cofinancements)."""
        return sum((c.montant_retenu or 0 for c in self.cofinancements.all()), Decimal(0))

    def part_de(self, financeur):
        """What one financeur puts in: the authority's contribution, or its cofinancement."""
        if financeur.nature == NatureFinanceur.COLLECTIVITE:
            return self.contribution
        return sum(
            (c.montant_retenu or 0 for c in self.cofinancements.all() if c.financeur_id == financeur.pk),
            Decimal(0),
        )

    def _refus_de_statut(self, nouveau):
        libelle = StatutAction(nouveau).label if nouveau in StatutAction.values else nouveau
        return f"Une action « {self.get_statut_display()} » ne peut pas passer au statut « {libelle} »."

    def passer_au_statut(self, nouveau, auteur):
        """One step of the workflow, in memory; returns the history row, which the caller writes."""
        if nouveau not in self.statuts_possibles():
            raise ValidationError(self._refus_de_statut(nouveau))
        avant = self.get_statut_display()
        self.statut = nouveau
        self.version += 1
        return Modification(
            action=self, auteur=auteur, champ="statut", avant=avant, apres=self.get_statut_display()
        )

    def chemin_vers(self, statut):
        """The workflow's steps from the current status to `statut`, shortest first ([] when there):
        a bulk change may go through an intermediate status, never around the workflow."""
        precedents, file = {self.statut: None}, deque([self.statut])
        while file:
            courant = file.popleft()
            if courant == statut:
                chemin = []
                while precedents[courant] is not None:
                    chemin.insert(0, courant)
                    courant = precedents[courant]
                return chemin
            for suivant in TRANSITIONS[courant]:
                if suivant not in precedents:
                    precedents[suivant] = courant
                    file.append(suivant)
        raise ValidationError(self._refus_de_statut(statut))

    def changer_statut(self, nouveau, auteur):
        ligne = self.passer_au_statut(nouveau, auteur)
        self.save(update_fields=["statut", "version"])
        ligne.save()

    def entrer_dans(self, tranche, auteur):
        """Into a draft tranche, in memory (to « Proposée » on the way); returns the history rows."""
        if (self.contrat_id, self.annee) != (tranche.contrat_id, tranche.annee):
            raise ValidationError("n'est pas du contrat et de l'année de cette tranche.")
        if self.tranche_id:
            raise ValidationError(f"est déjà dans la tranche {self.tranche.annee} T{self.tranche.numero}.")
        if self.statut not in PEUVENT_ENTRER_EN_TRANCHE:
            raise ValidationError(
                f"est « {self.get_statut_display()} » : seule une action déposée, en instruction "
                "ou proposée entre dans une tranche."
            )
        lignes = [self.passer_au_statut(etape, auteur) for etape in self.chemin_vers(StatutAction.PROPOSEE)]
        self.tranche = tranche
        self.version += 1
        return [*lignes, Modification(action=self, auteur=auteur, champ="tranche", apres=str(tranche))]

    def sortir_de(self, tranche, auteur):
        if self.tranche_id != tranche.pk:
            raise ValidationError("n'est pas dans cette tranche.")
        self.tranche = None
        self.version += 1
        return [Modification(action=self, auteur=auteur, champ="tranche", avant=str(tranche))]

    @property
    def reconductible(self):
        """Next year is still within its contract (a reconduction never leaves it)."""
        return self.annee < self.contrat.annee_fin

    def copie_pour(self, annee):
        """This action asked again in `annee`, unsaved: what the porteur asks, none of what was decided
        (contribution, cofinancements, tranche, status)."""
        return Action(
            contrat_id=self.contrat_id,
            annee=annee,
            intitule=self.intitule,
            porteur_id=self.porteur_id,
            axe_id=self.axe_id,
            theme_id=self.theme_id,
            dispositif_id=self.dispositif_id,
            territoire=self.territoire,
            objectifs=self.objectifs,
            cout=self.cout,
            section=self.section,
            maitrise_ouvrage_collectivite=self.maitrise_ouvrage_collectivite,
            reconduite_de=self,
        )

    def reconduire(self, auteur):
        """A draft copy for next year's call (see Reconductions): the one copy, or why there is none."""
        bilan = Action.objects.filter(pk=self.pk).reconduire(auteur)
        if bilan.ignorees:
            raise ValidationError(bilan.ignorees[0].raison)
        return bilan.faites[0].copie

    @property
    def est_brouillon_reconduit(self):
        """A reconducted copy not taken further (never in a tranche, so never voted): may be deleted."""
        return bool(
            self.reconduite_de_id
            and not self.tranche_id
            and self.statut in (StatutAction.DEPOSEE, StatutAction.ABANDONNEE)
        )

    def supprimer_brouillon(self, auteur):
        """Deletes a draft reconducted copy; its source's history says so (the copy's goes with it)."""
        if not self.est_brouillon_reconduit:
            raise ValidationError(
                "Seul le brouillon d'une reconduction, hors de toute tranche, se supprime : "
                "abandonnez plutôt cette action."
            )
        Modification.objects.create(
            action_id=self.reconduite_de_id,
            auteur=auteur,
            champ=f"reconduction en {self.annee}",
            avant=str(self),
            apres="brouillon supprimé",
        )
        try:
            self.delete()
        except models.ProtectedError as erreur:
            raise ValidationError(
                "Ce brouillon a déjà une convention ou des versements : abandonnez-le plutôt."
            ) from erreur

    SUIVIS = (
        "intitule",
        "porteur",
        "axe",
        "tranche",
        "territoire",
        "cout",
        "contribution",
        "section",
        "statut",
    )

    def instantane(self):
        """The followed values, as text, with the cofinancements: compared after a change."""
        # A field with choices (statut, section) is written by its label: « Déposée », not « deposee ».
        valeurs = {
            champ: texte_historique(
                getattr(self, f"get_{champ}_display")()
                if self._meta.get_field(champ).choices and getattr(self, champ) is not None
                else getattr(self, champ)
            )
            for champ in self.SUIVIS
        }
        if self.pk:
            for c in self.cofinancements.select_related("financeur"):
                valeurs[f"cofinancement {c.financeur}"] = texte_historique(c.montant_retenu)
        return valeurs

    def noter_modifications(self, auteur, avant):
        apres = self.instantane()
        Modification.objects.bulk_create(
            Modification(action=self, auteur=auteur, champ=champ, avant=avant.get(champ, ""), apres=valeur)
            for champ, valeur in apres.items()
            if avant.get(champ, "") != valeur
        )


class CofinancementQuerySet(GardeVerrouQuerySet):
    chemin_tranche = "action__tranche"
    champs_verrouilles = (
        "montant_sollicite",
        "montant_accorde",
        "action",
        "action_id",
        "financeur",
        "financeur_id",
    )
    entree = ("action", "tranche")


class Cofinancement(Cloisonne):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="cofinancements")
    financeur = models.ForeignKey(Financeur, on_delete=models.PROTECT, related_name="+")
    montant_sollicite = models.DecimalField("montant sollicité", **MONTANT, null=True, blank=True)
    montant_accorde = models.DecimalField("montant accordé", **MONTANT, null=True, blank=True)

    objects = CofinancementQuerySet.as_manager()

    class Meta:
        ordering = ["action", "financeur__nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "financeur"],
                name="cofinancement_unique",
                violation_error_message="Ce financeur figure déjà sur cette action.",
            ),
            models.CheckConstraint(
                condition=(Q(montant_sollicite__isnull=True) | Q(montant_sollicite__gte=0))
                & (Q(montant_accorde__isnull=True) | Q(montant_accorde__gte=0)),
                name="cofinancement_montants_positifs",
                violation_error_message="Les montants d'un cofinancement ne peuvent pas être négatifs.",
            ),
        ]
        triggers = [CloisonnementCollectivite(), VerrouCofinancement()]

    def __str__(self):
        return f"{self.financeur} — {self.action}"

    @property
    def montant_retenu(self):
        """Granted, else requested (MONTANT_RETENU is the same rule in SQL)."""
        return self.montant_accorde if self.montant_accorde is not None else self.montant_sollicite

    def save(self, *args, **kwargs):
        Cofinancement.verifier_verrou([self])
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.action.montants_verrouilles and not _MODIFICATIVE.get():
            raise ValidationError(MESSAGE_VERROU.format(tranche=self.action.tranche))
        return super().delete(*args, **kwargs)

    def clean(self):
        Cofinancement.verifier_verrou([self])

    CHAMPS = ("action_id", "financeur_id", "montant_sollicite", "montant_accorde")

    @classmethod
    def verifier_verrou(cls, cofinancements):
        """Refuses adding, moving or changing a cofinancement of a voted tranche's action (two queries)."""
        if _MODIFICATIVE.get():
            return
        avant = {
            ligne["pk"]: ligne
            for ligne in cls._base_manager.filter(pk__in=[c.pk for c in cofinancements if c.pk]).values(
                "pk", *cls.CHAMPS
            )
        }
        concernees = {c.action_id for c in cofinancements} | {a["action_id"] for a in avant.values()}
        votees = set(
            Action.objects.filter(pk__in=concernees, tranche__statut=StatutTranche.VOTEE).values_list(
                "pk", flat=True
            )
        )
        for cofinancement in cofinancements:
            ancien = avant.get(cofinancement.pk)
            actions = {cofinancement.action_id, ancien and ancien["action_id"]} & votees
            change = ancien is None or any(ancien[c] != getattr(cofinancement, c) for c in cls.CHAMPS)
            if actions and change:
                tranche = Action.objects.get(pk=actions.pop()).tranche
                raise ValidationError(MESSAGE_VERROU.format(tranche=tranche))


class TotalDeclare(Cloisonne):
    """A total as a source document states it, kept so that the checks can compare it with the lines."""

    tranche = models.ForeignKey(Tranche, on_delete=models.CASCADE, related_name="totaux_declares")
    nature = models.CharField("nature", max_length=20, choices=NatureTotal.choices)
    axe = models.ForeignKey(
        Axe,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Vide : total général.",
    )
    section = models.CharField("section", max_length=20, choices=Section.choices, blank=True)
    maitrise_ouvrage_collectivite = models.BooleanField(
        "porte sur les actions en maîtrise d'ouvrage", default=False
    )
    libelle = models.CharField("libellé tel qu'écrit", max_length=300)
    nombre_actions = models.PositiveSmallIntegerField("nombre d'actions", null=True, blank=True)
    cout = models.DecimalField("coût", **MONTANT, null=True, blank=True)
    montant = models.DecimalField("montant accordé", **MONTANT, null=True, blank=True)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "total déclaré"
        verbose_name_plural = "totaux déclarés"
        ordering = ["tranche", "nature", "ordre"]

    def __str__(self):
        return self.libelle


class Modification(Cloisonne):
    """The history of an action: who changed which amount or status, when, from what to what."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="modifications")
    auteur = models.ForeignKey("contrat_ville.User", on_delete=models.SET_NULL, null=True, related_name="+")
    date = models.DateTimeField("date", default=timezone.now)
    champ = models.CharField("champ", max_length=60)
    avant = models.TextField("avant", blank=True)
    apres = models.TextField("après", blank=True)

    class Meta:
        triggers = [CloisonnementCollectivite()]
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.action} : {self.champ} {self.avant} → {self.apres}"
