"""Actions: one funded project for one year.

Its queryset is in requetes_actions, the texts its history writes in historique."""

from collections import deque
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite
from contrat_ville.enums import NatureFinanceur, Section
from contrat_ville.models import MONTANT, Axe, Contrat, Dispositif, Quartier, Theme

from ..enums import AVANT_LE_VOTE, PEUVENT_ENTRER_EN_TRANCHE, TRANSITIONS, StatutAction, StatutTranche
from .changements import Changements
from .garde import _MODIFICATIVE, MESSAGE_VERROU
from .historique import HistoriqueAction
from .porteurs import Porteur
from .requetes_actions import ActionQuerySet
from .tranches import Tranche
from .verrou import VerrouAction


class Action(Cloisonne, HistoriqueAction):
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
        # Named column by column: "tranche" would expand into the tranche's and the contract's own orderings
        # down to the authority's name, a 10-key sort joining four tables on every list (issue 17).
        ordering = [
            "annee",
            "-contrat__annee_debut",
            "contrat__intitule",
            "contrat_id",
            "tranche__numero",
            "axe__ordre",
            "axe__numero",
            "ordre",
            "id",
        ]
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

    def modifier(self, auteur, *, motif="", modificative=False, **valeurs):
        """One change of this action, written now with its history and one version more (Changements).

        modificative=True: a modificative's voted line, the one change a voted tranche's amounts accept;
        `motif` (« délibération n°… ») then names the history's field."""
        changements = Changements(auteur, modificative=modificative)
        changements.changer(self, motif=motif, **valeurs)
        changements.enregistrer()

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

    def passer_au_statut(self, nouveau, changements):
        """One step of the workflow, in memory, added to `changements`; returns its history row."""
        if nouveau not in self.statuts_possibles():
            raise ValidationError(self._refus_de_statut(nouveau))
        return changements.changer(self, statut=nouveau)

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
        changements = Changements(auteur)
        self.passer_au_statut(nouveau, changements)
        changements.enregistrer()

    def entrer_dans(self, tranche, changements):
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
        lignes = []
        for etape in self.chemin_vers(StatutAction.PROPOSEE):
            lignes += self.passer_au_statut(etape, changements)
        return lignes + changements.changer(self, tranche=tranche)

    def sortir_de(self, tranche, changements):
        if self.tranche_id != tranche.pk:
            raise ValidationError("n'est pas dans cette tranche.")
        return changements.changer(self, [("tranche", str(tranche), "")], tranche=None)

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
        changements = Changements(auteur)
        changements.noter(
            self.reconduite_de, f"reconduction en {self.annee}", str(self), "brouillon supprimé"
        )
        changements.enregistrer()
        try:
            self.delete()
        except models.ProtectedError as erreur:
            raise ValidationError(
                "Ce brouillon a déjà une convention ou des versements : abandonnez-le plutôt."
            ) from erreur
