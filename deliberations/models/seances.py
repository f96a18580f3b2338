"""Instances, their members, séances and attendance (CGCT L2121-17 quorum, L2121-20 pouvoirs)."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, F, Q
from django.db.models.lookups import GreaterThan

from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite, CloisonneQuerySet
from contrat_ville.formats import date_fr
from contrat_ville.models import Collectivite

from ..enums import Civilite, EtatPresence, NatureInstance
from .journal import Trace
from .presences import decompter, erreurs_de_presence

MANDAT_A_L_ENVERS = "La fin du mandat ne peut pas précéder son début."


class EluQuerySet(CloisonneQuerySet):
    def visibles_par(self, user):
        return self.filter(collectivite=user.collectivite_id)

    def with_nombre_instances(self):
        return self.annotate(nombre_instances=Count("instances"))

    def noms(self, cles):
        """{elu_id: name} of these members (Trace.noter_presences asks for those a change cites)."""
        return {e.pk: str(e) for e in self.filter(pk__in=set(cles) - {None})}


class Elu(Cloisonne):
    collectivite = models.ForeignKey(
        Collectivite, verbose_name="collectivité", on_delete=models.PROTECT, related_name="elus"
    )
    civilite = models.CharField("civilité", max_length=3, choices=Civilite.choices)
    prenom = models.CharField("prénom", max_length=100)
    nom = models.CharField("nom", max_length=100)
    fonction = models.CharField(
        "fonction", max_length=120, blank=True, help_text="Par exemple « Vice-Président »."
    )
    debut_mandat = models.DateField("début du mandat", null=True, blank=True)
    fin_mandat = models.DateField("fin du mandat", null=True, blank=True)

    objects = EluQuerySet.as_manager()

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "élu"
        ordering = ["nom", "prenom"]
        constraints = [
            models.UniqueConstraint(fields=["collectivite", "nom", "prenom"], name="elu_unique"),
            # For the doors that skip clean() (update, bulk_create, scripts); clean() gives the form its
            # message on the field, and full_clean() then leaves this one out.
            models.CheckConstraint(
                condition=Q(debut_mandat__isnull=True)
                | Q(fin_mandat__isnull=True)
                | Q(fin_mandat__gte=F("debut_mandat")),
                name="elu_mandat_ordonne",
                violation_error_message=MANDAT_A_L_ENVERS,
            ),
        ]

    def __str__(self):
        return f"{self.civilite} {self.prenom} {self.nom}"

    @property
    def nom_complet(self):
        return f"{self.prenom} {self.nom}"

    def clean(self):
        if self.debut_mandat and self.fin_mandat and self.fin_mandat < self.debut_mandat:
            raise ValidationError({"fin_mandat": MANDAT_A_L_ENVERS})


class InstanceQuerySet(CloisonneQuerySet):
    def visibles_par(self, user):
        return self.filter(collectivite=user.collectivite_id)

    def with_nombre_membres(self):
        return self.annotate(nombre_membres=Count("membres"))


class Instance(Cloisonne):
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

    objects = InstanceQuerySet.as_manager()

    class Meta:
        triggers = [CloisonnementCollectivite()]
        ordering = ["collectivite", "nom"]
        constraints = [models.UniqueConstraint(fields=["collectivite", "nom"], name="instance_nom_unique")]

    def __str__(self):
        return self.nom


class SeanceQuerySet(CloisonneQuerySet):
    def visibles_par(self, user):
        return self.filter(instance__collectivite=user.collectivite_id)

    def with_decompte(self):
        """Counts, votants and quorum of each séance, in the query (distinct: two joins are counted)."""

        def compte(etat):
            return Count("presences", filter=Q(presences__etat=etat), distinct=True)

        return self.annotate(
            nombre_presents=compte(EtatPresence.PRESENT),
            nombre_pouvoirs=compte(EtatPresence.POUVOIR),
            nombre_deliberations=Count(
                "deliberations", filter=Q(deliberations__retiree=False), distinct=True
            ),
        ).annotate(
            nombre_votants=F("nombre_presents") + F("nombre_pouvoirs"),
            # L2121-17: more than half of the members in office present.
            quorum_atteint=GreaterThan(F("nombre_presents") * 2, F("membres_en_exercice")),
        )


class Seance(Cloisonne):
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
        triggers = [CloisonnementCollectivite()]
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
        return f"{self.instance} du {date_fr(self.date)}"

    MESSAGE_ARRETEE = (
        "Des délibérations de cette séance sont votées : sa liste de présence et son nombre de membres "
        "en exercice sont arrêtés. Une arrivée ou un départ en cours de séance se note sur la délibération."
    )

    def a_des_votes(self):
        return self.pk is not None and self.deliberations.exclude(resultat_vote="").exists()

    def clean(self):
        if self.a_des_votes():
            avant = Seance.objects.filter(pk=self.pk).values("membres_en_exercice", "date", "instance").get()
            apres = {
                "membres_en_exercice": self.membres_en_exercice,
                "date": self.date,
                "instance": self.instance_id,
            }
            if avant != apres:
                raise ValidationError(self.MESSAGE_ARRETEE)
        self._clean_bureau()

    def _clean_bureau(self):
        """The président and the secrétaire sit in the instance and, once the list is taken, are present."""
        if not self.instance_id:
            return
        etats = self.etats() if self.pk else {}
        membres = set(self.instance.membres.values_list("pk", flat=True)) | set(etats)
        erreurs = {}
        for champ, role in (("president", "président de séance"), ("secretaire", "secrétaire de séance")):
            elu = getattr(self, f"{champ}_id")
            if elu and elu not in membres:
                erreurs[champ] = f"Le {role} doit être membre de l'instance."
            elif elu and etats and etats.get(elu, (None,))[0] != EtatPresence.PRESENT:
                erreurs[champ] = (
                    f"Le {role} doit être présent à la séance (ni absent, ni représenté) : "
                    "corrigez d'abord la liste de présence."
                )
        if erreurs:
            raise ValidationError(erreurs)

    def obligatoires(self):
        """{elu_id: role} of the members the attendance list must show present."""
        roles = {self.secretaire_id: "secrétaire de séance", self.president_id: "président de séance"}
        return {elu: role for elu, role in roles.items() if elu}

    def precedente(self):
        """The séance of the same instance just before this one, or None."""
        return (
            Seance.objects.filter(instance_id=self.instance_id)
            .filter(Q(date__lt=self.date) | Q(date=self.date, pk__lt=self.pk or 0))
            .order_by("-date", "-pk")
            .first()
        )

    def etats_tous_presents(self):
        membres = self.instance.membres.values_list("pk", flat=True)
        return dict.fromkeys(membres, (EtatPresence.PRESENT, None))

    def etats_de(self, precedente):
        """The attendance of the previous séance, for the members still in the instance."""
        membres = set(self.instance.membres.values_list("pk", flat=True))
        return {elu: etat for elu, etat in precedente.etats().items() if elu in membres}

    def tous_presents(self, auteur=None):
        self.enregistrer_presences(self.etats_tous_presents(), auteur)

    def reprendre_presences(self, auteur=None):
        """Copies the previous séance's attendance; returns that séance, or None when there is none."""
        precedente = self.precedente()
        if precedente:
            self.enregistrer_presences(self.etats_de(precedente), auteur)
        return precedente

    def decompte(self):
        """The figures and the quorum (L2121-17) of the séance's attendance list."""
        return decompter(self.etats(), self.membres_en_exercice)

    @transaction.atomic
    def enregistrer_presences(self, etats, auteur=None):
        """Replaces the attendance list with {elu_id: (etat, mandataire_id)}, all or nothing.

        Members left out (etat None) are not on the list. Refused with every broken rule at once.
        """
        # The séance's row locked, as a vote locks it: a vote cannot land between this check and the write.
        Seance.objects.select_for_update().filter(pk=self.pk).first()
        if self.a_des_votes():
            raise ValidationError(self.MESSAGE_ARRETEE)
        etats = {elu: (etat, mandataire) for elu, (etat, mandataire) in etats.items() if etat}
        obligatoires = self.obligatoires()
        cites = set(etats) | {m for _, m in etats.values()} | set(obligatoires)
        noms = {e.pk: str(e) for e in Elu.objects.filter(pk__in=cites)}
        erreurs = erreurs_de_presence(etats, self.membres_en_exercice, noms, obligatoires)
        if erreurs:
            raise ValidationError(erreurs)
        avant = self.etats()
        ordres = dict(self.presences.values_list("elu_id", "ordre"))
        self.presences.all().delete()
        Presence.objects.bulk_create(
            Presence(seance=self, elu_id=elu, etat=etat, mandataire_id=mandataire, ordre=ordres.get(elu, 0))
            for elu, (etat, mandataire) in etats.items()
        )
        Trace.noter_presences(self, avant, etats, auteur, Elu.objects.noms)

    def etats(self):
        """{elu_id: (etat, mandataire_id)} of the séance's attendance list."""
        return {p.elu_id: (p.etat, p.mandataire_id) for p in self.presences.all()}

    def membres(self):
        """Who can be on the attendance list: the instance's members and anyone already on it."""
        return Elu.objects.filter(
            Q(instances=self.instance_id) | Q(pk__in=self.presences.values("elu"))
        ).distinct()


class Presence(Cloisonne):
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
        triggers = [CloisonnementCollectivite()]
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
        if not self.seance_id:
            return
        if self.seance.a_des_votes():
            raise ValidationError(Seance.MESSAGE_ARRETEE)
        autres = self.seance.presences.exclude(pk=self.pk)
        if self.mandataire_id:
            mandataire_present = autres.filter(elu_id=self.mandataire_id, etat=EtatPresence.PRESENT).exists()
            if not mandataire_present:
                raise ValidationError({"mandataire": "Le mandataire doit être présent à la séance."})
        if self.etat != EtatPresence.PRESENT:
            role = self.seance.obligatoires().get(self.elu_id)
            if role:
                raise ValidationError({"etat": f"Le {role} doit être présent (ni absent, ni représenté)."})
            if self.elu_id and autres.filter(mandataire_id=self.elu_id).exists():
                raise ValidationError({"etat": "Cet élu détient un pouvoir : il doit rester présent."})
        if not self.pk and autres.count() >= self.seance.membres_en_exercice:
            raise ValidationError("La liste compte déjà autant de membres que de membres en exercice.")
