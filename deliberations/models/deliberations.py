"""Délibérations: put on an agenda with the register's next number, voted, sent to the préfecture.

A vote that adopts a tranche asks it to lock itself; a "modificative" is the only way to change
a locked amount afterwards.
"""

import re

import pgtrigger
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.functional import cached_property

from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite, CloisonneQuerySet
from contrat_ville.formats import date_fr, euros
from contrat_ville.models import MONTANT, Collectivite
from programmation.enums import StatutTranche
from programmation.models import Action, Tranche, somme

from ..enums import Civilite, EtatPresence, ModePublication, NatureDeliberation, NatureInstance, ResultatVote
from .journal import Trace
from .presences import decompter, erreurs_de_presence
from .registre import Registre
from .seances import Elu, Seance

# Added after the vote by the préfecture's acknowledgement and the publication: a new kept extract.
CHAMPS_DU_TAMPON = {
    "identifiant_actes",
    "voie_transmission",
    "date_reception_prefecture",
    "mode_publication",
    "date_publication",
}

# The results that adopt the act (its tranche locked, its documents kept).
ADOPTEE = (ResultatVote.UNANIMITE, ResultatVote.MAJORITE)
NATURES_ACTE = ("DE", "AR", "AI", "CC", "BF", "AU")
FORMAT_ACTES = re.compile(rf"^\d{{3}}-\d{{9}}-\d{{8}}-[A-Za-z0-9_]{{1,15}}-({'|'.join(NATURES_ACTE)})$")


def valider_identifiant_actes(valeur):
    if not FORMAT_ACTES.match(valeur or ""):
        raise ValidationError(
            f"L'identifiant ACTES « {valeur} » doit avoir la forme "
            "DDD-SIREN-AAAAMMJJ-NUMERO-NA, par exemple 042-244200770-20240516-D20240023010-DE.",
            code="format",
        )


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


class DeliberationQuerySet(CloisonneQuerySet):
    def visibles_par(self, user):
        return self.filter(collectivite=user.collectivite_id)

    def update(self, **valeurs):
        # The register keeps a voted or withdrawn text as adopted, through querysets too (bulk_update
        # goes through here); PostgreSQL holds the same rule (TexteFige).
        texte = {c for champ in CHAMPS_REDIGES for c in (champ, f"{champ}_id")}
        if texte & set(valeurs) and self.filter(Q(retiree=True) | ~Q(resultat_vote="")).exists():
            raise ValidationError(MESSAGE_TEXTE_FIGE)
        return super().update(**valeurs)

    def adoptees(self):
        return self.filter(resultat_vote__in=ADOPTEE)

    def sans_documents_votes(self):
        """Adopted outside the app (historic acts loaded from their documents): nothing kept yet."""
        return self.adoptees().filter(actes_figes__isnull=True)

    @transaction.atomic
    def inscrire(self, seance, objet, **champs):
        """A draft délibération at the end of the séance's agenda, with the register's next number.

        The séance's row stays locked until the transaction ends: two concurrent inscriptions read the
        last rank one after the other, never the same one."""
        Seance.objects.select_for_update().only("pk").get(pk=seance.pk)
        dernier = seance.deliberations.aggregate(n=Max("ordre_du_jour"))["n"] or 0
        deliberation = self.model(
            seance=seance,
            collectivite_id=seance.instance.collectivite_id,
            objet=objet,
            ordre_du_jour=dernier + 1,
            **champs,
        )
        deliberation.full_clean(exclude=["numero"])
        deliberation.numeroter()
        deliberation.save()
        return deliberation


class Deliberation(Cloisonne):
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
    annee = models.PositiveSmallIntegerField("année du registre", null=True, blank=True, editable=False)
    rang = models.PositiveIntegerField("rang dans le registre", null=True, blank=True, editable=False)
    nature = models.CharField(
        "nature", max_length=20, choices=NatureDeliberation.choices, default=NatureDeliberation.ORDINAIRE
    )
    retiree = models.BooleanField(
        "retirée de l'ordre du jour", default=False, help_text="Son numéro reste attribué."
    )
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
    tranche_corrigee = models.ForeignKey(
        Tranche,
        verbose_name="tranche corrigée",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="modificatives",
        help_text="Pour une modificative : la tranche votée dont elle change des montants.",
    )
    ne_prenant_pas_part = models.ManyToManyField(
        Elu,
        verbose_name="ne prennent pas part au vote",
        blank=True,
        related_name="+",
        help_text="Par exemple un élu membre du conseil d'administration d'une association financée.",
    )
    resultat_vote = models.CharField(
        "résultat du vote", max_length=20, choices=ResultatVote.choices, blank=True
    )
    vote_pour = models.PositiveSmallIntegerField("pour", null=True, blank=True)
    vote_contre = models.PositiveSmallIntegerField("contre", null=True, blank=True)
    vote_abstention = models.PositiveSmallIntegerField("abstentions", null=True, blank=True)
    rapporteur = models.ForeignKey(
        Elu,
        verbose_name="rapporteur",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="L'élu qui présente le dossier à l'instance.",
    )
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
        triggers = [CloisonnementCollectivite(), TexteFige()]
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
        champs = kwargs.get("update_fields")
        if champs is None or set(champs) & set(CHAMPS_REDIGES):
            changes = self._texte_change_apres_le_vote()
            if changes:
                raise ValidationError(changes)
        super().save(*args, **kwargs)
        if self.est_votee and (champs is None or CHAMPS_DU_TAMPON & set(champs)):
            # The préfecture's stamp, saved after the vote (its form, the back-office): a new kept
            # version of the extract, the first one untouched.
            from ..documents import tamponner  # the documents module builds on these models

            tamponner(self)

    @property
    def texte_du_vote(self):
        if self.resultat_vote == ResultatVote.UNANIMITE:
            texte = "Ce dossier a été adopté à l'unanimité."
        elif self.resultat_vote in (ResultatVote.MAJORITE, ResultatVote.REJET):
            issue = "adopté" if self.resultat_vote == ResultatVote.MAJORITE else "rejeté"
            texte = (
                f"Ce dossier a été {issue} par {self.vote_pour or 0} voix pour, "
                f"{self.vote_contre or 0} voix contre et {self.vote_abstention or 0} abstention(s)."
            )
        else:
            return "Vote non encore intervenu."
        absents = [str(e) for e in self.ne_prenant_pas_part.all()] if self.pk else []
        if absents:
            texte += f" Ne prennent pas part au vote : {', '.join(absents)}."
        return texte

    @property
    def est_votee(self):
        return self.resultat_vote in ADOPTEE

    @property
    def est_executoire(self):
        return bool(self.date_reception_prefecture and self.date_publication)

    @property
    def est_modificative(self):
        return self.nature == NatureDeliberation.MODIFICATIVE

    @property
    def etat(self):
        if self.retiree:
            return "retirée"
        if self.resultat_vote:
            return self.get_resultat_vote_display().lower()
        return "à voter"

    @property
    def acte_de_vote(self):
        seance = self.seance
        return f"Délibération n°{self.numero} du {seance.instance} du {date_fr(seance.date)}"

    def numeroter(self):
        """Takes the register's next number for the séance's year; the caller's transaction holds the
        counter until it commits."""
        collectivite_id = self.seance.instance.collectivite_id
        registre = Registre.objects.de(collectivite_id)
        self.annee = self.seance.date.year
        while True:
            self.rang = registre.attribuer(self.annee)
            self.numero = registre.numero(self.annee, self.rang)
            # A number typed by hand before the register was kept here is skipped, never given twice.
            if not Deliberation.objects.filter(collectivite_id=collectivite_id, numero=self.numero).exists():
                return

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

    def clean(self):
        erreurs = {}
        if self.identifiant_actes and self.seance_id and FORMAT_ACTES.match(self.identifiant_actes):
            attendu = self.prefixe_actes
            if not self.identifiant_actes.startswith(attendu):
                erreurs["identifiant_actes"] = (
                    f"L'identifiant ACTES doit commencer par {attendu} : le département et le SIREN de "
                    f"{self.seance.instance.collectivite}, puis la date de la séance."
                )
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
        if self.tranche_id and not self.pk and self.tranche.statut != StatutTranche.SOUMISE:
            erreurs["tranche"] = (
                f"La tranche {self.tranche} est « {self.tranche.get_statut_display()} » : "
                "seule une tranche soumise à l'instance s'inscrit à l'ordre du jour."
            )
        if self.est_modificative and not (self.tranche_corrigee_id and self.tranche_corrigee.est_verrouillee):
            erreurs["tranche_corrigee"] = "Une modificative corrige une tranche votée : choisissez-la."
        if self.tranche_id and self.est_modificative:
            erreurs["tranche"] = "Une modificative n'adopte pas de tranche : elle en corrige une."
        if not self.resultat_vote and self.seance_id:
            erreurs.update(self._erreurs_de_membres())
        changes = self._texte_change_apres_le_vote()
        if changes:
            erreurs[NON_FIELD_ERRORS] = changes
        if erreurs:
            raise ValidationError(erreurs)

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

    def _texte_change_apres_le_vote(self):
        """The fields of the written text changed on a voted or withdrawn délibération: the register
        keeps the text as it was adopted (a correction is another délibération)."""
        if self.pk is None:
            return []
        noms = [Deliberation._meta.get_field(c).attname for c in CHAMPS_REDIGES]
        avant = Deliberation.objects.filter(pk=self.pk).values("resultat_vote", "retiree", *noms).first()
        if avant is None or not (avant["resultat_vote"] or avant["retiree"]):
            return []
        changes = [c for c, nom in zip(CHAMPS_REDIGES, noms, strict=True) if avant[nom] != getattr(self, nom)]
        if not changes:
            return []
        etat = "votée" if avant["resultat_vote"] else "retirée de l'ordre du jour"
        libelles = ", ".join(str(Deliberation._meta.get_field(c).verbose_name) for c in changes)
        return [f"La délibération n°{self.numero} est {etat} : son texte ne se modifie plus ({libelles})."]

    @transaction.atomic
    def rediger(self, auteur=None):
        """Saves the written text and signature as set on this object, each change in the journal."""
        avant = Deliberation.objects.select_for_update().get(pk=self.pk)
        avant._en_projet()
        self.full_clean()
        self.save(update_fields=CHAMPS_REDIGES)
        for champ in CHAMPS_REDIGES:
            ancien, nouveau = _texte_du_champ(avant, champ), _texte_du_champ(self, champ)
            if ancien != nouveau:
                libelle = Deliberation._meta.get_field(champ).verbose_name
                self._tracer(auteur, str(libelle), ancien, nouveau)

    # --- the agenda

    def _en_projet(self):
        if self.retiree:
            raise ValidationError(f"La délibération n°{self.numero} est retirée de l'ordre du jour.")
        if self.resultat_vote:
            raise ValidationError(f"La délibération n°{self.numero} est déjà votée.")

    def retirer(self, auteur=None):
        """Withdrawn from the agenda: the number stays taken, and shows as withdrawn."""
        self._en_projet()
        self._tracer(auteur, "ordre du jour", "inscrite", "retirée")
        self.retiree = True
        # The tranche it was to adopt goes back to be put on another séance's agenda.
        self.tranche = None
        self.save(update_fields=["retiree", "tranche"])

    def deplacer(self, sens):
        """Swaps with the previous (sens -1) or next (sens 1) délibération of the agenda."""
        voisines = self.seance.deliberations.exclude(pk=self.pk)
        if sens < 0:
            voisine = (
                voisines.filter(ordre_du_jour__lte=self.ordre_du_jour).order_by("-ordre_du_jour").first()
            )
        else:
            voisine = voisines.filter(ordre_du_jour__gte=self.ordre_du_jour).order_by("ordre_du_jour").first()
        if voisine is None:
            return
        if voisine.ordre_du_jour == self.ordre_du_jour:
            voisine.ordre_du_jour -= sens
        self.ordre_du_jour, voisine.ordre_du_jour = voisine.ordre_du_jour, self.ordre_du_jour
        Deliberation.objects.bulk_update([self, voisine], ["ordre_du_jour"])

    # --- attendance and vote

    def etats(self):
        """The séance's attendance list with this délibération's overrides applied."""
        etats = self.seance.etats()
        for p in self.presences_modifiees.all():
            if p.etat:
                etats[p.elu_id] = (p.etat, p.mandataire_id)
            else:
                etats.pop(p.elu_id, None)
        return etats

    def decompte(self, ne_prenant_pas_part=None):
        if ne_prenant_pas_part is None:
            ne_prenant_pas_part = [e.pk for e in self.ne_prenant_pas_part.all()] if self.pk else []
        return decompter(self.etats(), self.seance.membres_en_exercice, ne_prenant_pas_part)

    @transaction.atomic
    def modifier_presence(self, elu, etat, mandataire=None, auteur=None):
        """A member arriving late or leaving before this délibération: its own attendance for him."""
        self._en_projet()
        avant = self.etats()
        etats = dict(avant)
        if etat:
            etats[elu.pk] = (etat, mandataire.pk if mandataire else None)
        else:
            etats.pop(elu.pk, None)
        noms = {e.pk: str(e) for e in Elu.objects.filter(pk__in=set(etats) | {elu.pk})}
        erreurs = erreurs_de_presence(etats, self.seance.membres_en_exercice, noms)
        if erreurs:
            raise ValidationError(erreurs)
        if self.seance.etats().get(elu.pk, (None, None)) == etats.get(elu.pk, (None, None)):
            self.presences_modifiees.filter(elu=elu).delete()
        else:
            self.presences_modifiees.update_or_create(
                elu=elu, defaults={"etat": etat or "", "mandataire": mandataire if etat else None}
            )
        Trace.noter_presences(self.seance, avant, etats, auteur, deliberation=self)

    def verifier_vote(self, resultat, pour=None, contre=None, abstention=None, ne_prenant_pas_part=()):
        """The vote's rules, nothing written: the figures to record, (pour, contre, abstention)."""
        self._en_projet()
        decompte = self.decompte([e.pk for e in ne_prenant_pas_part])
        if not decompte.quorum_atteint:
            raise ValidationError(
                f"Quorum non atteint : {decompte.presents} présents pour {decompte.membres_en_exercice} "
                f"membres en exercice, il en faut au moins {decompte.quorum_requis} (CGCT L2121-17). "
                "La délibération ne peut pas être votée."
            )
        if resultat not in ResultatVote.values:
            raise ValidationError("Choisissez le résultat du vote.")
        if resultat == ResultatVote.UNANIMITE:
            if decompte.suffrages_attendus <= 0:
                raise ValidationError("Aucun votant ne prend part au vote.")
            return None, None, None
        self._verifier_voix(decompte, pour, contre, abstention, resultat)
        return pour, contre, abstention

    @transaction.atomic
    def voter(self, resultat, pour=None, contre=None, abstention=None, ne_prenant_pas_part=(), auteur=None):
        """Records the vote; with quorum only, and figures that add up. Adopting locks the tranche."""
        Deliberation.objects.select_for_update().filter(pk=self.pk).first()
        self.refresh_from_db(fields=["resultat_vote", "retiree"])
        pour, contre, abstention = self.verifier_vote(resultat, pour, contre, abstention, ne_prenant_pas_part)
        self.resultat_vote = resultat
        self.vote_pour, self.vote_contre, self.vote_abstention = pour, contre, abstention
        self.save(update_fields=["resultat_vote", "vote_pour", "vote_contre", "vote_abstention"])
        self.ne_prenant_pas_part.set([e.pk for e in ne_prenant_pas_part])
        self._tracer(auteur, "vote", "", self.texte_du_vote)
        if self.est_votee:
            self._appliquer(auteur)

    def _tracer(self, auteur, champ, avant, apres):
        Trace.objects.create(
            seance_id=self.seance_id, deliberation=self, auteur=auteur, champ=champ, avant=avant, apres=apres
        )

    @staticmethod
    def _verifier_voix(decompte, pour, contre, abstention, resultat):
        if None in (pour, contre, abstention) or min(pour, contre, abstention) < 0:
            raise ValidationError("Indiquez les voix pour, contre et les abstentions (0 s'il n'y en a pas).")
        total = pour + contre + abstention
        if total != decompte.suffrages_attendus:
            retirees = (
                f" moins {decompte.voix_retirees} ne prenant pas part au vote"
                if decompte.voix_retirees
                else ""
            )
            raise ValidationError(
                f"{pour} pour + {contre} contre + {abstention} abstention(s) = {total} : le total doit "
                f"être de {decompte.suffrages_attendus} ({decompte.voix} votants{retirees})."
            )
        # A tie is settled by the président's casting vote (L2121-20), either way.
        if resultat == ResultatVote.MAJORITE and pour < contre:
            raise ValidationError(f"{pour} voix pour contre {contre} : le dossier n'est pas adopté.")
        if resultat == ResultatVote.REJET and pour > contre:
            raise ValidationError(f"{pour} voix pour contre {contre} : le dossier est adopté.")

    def _appliquer(self, auteur):
        if self.tranche_id:
            tranche = Tranche.objects.select_for_update().get(pk=self.tranche_id)
            if tranche.statut != StatutTranche.SOUMISE:
                raise ValidationError(
                    f"La tranche {tranche} est « {tranche.get_statut_display()} » : "
                    "seule une tranche soumise à l'instance peut être adoptée."
                )
            tranche.verrouiller(self.acte_de_vote, le=self.seance.date, auteur=auteur)
        if self.est_modificative:
            for ligne in self.lignes.all():  # each line locks and reads its action itself
                ligne.appliquer(self, auteur)
        # Rendered here, in the vote's transaction: the kept documents are those of the data voted.
        from ..documents import figer  # the documents module builds on these models

        figer(self)

    # --- the modificative's lines

    def corriger(self, action, montant_apres):
        """A line of the modificative: this action's amount becomes montant_apres once voted."""
        self._en_projet()
        ligne = self.lignes.filter(action=action).first() or LigneModificative(
            deliberation=self, action=action
        )
        ligne.montant_avant = action.contribution
        ligne.montant_apres = montant_apres
        ligne.full_clean()
        ligne.save()
        return ligne

    def totaux_modificative(self):
        return self.lignes.aggregate(
            avant=somme("montant_avant"),
            apres=somme("montant_apres"),
            difference=somme(F("montant_apres") - F("montant_avant")),
        )


class PresenceDeliberation(Cloisonne):
    """The attendance of one member for one délibération, when it differs from the séance's."""

    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.CASCADE, related_name="presences_modifiees"
    )
    elu = models.ForeignKey(Elu, verbose_name="élu", on_delete=models.PROTECT, related_name="+")
    etat = models.CharField(
        "présence", max_length=10, choices=EtatPresence.choices, blank=True, help_text="Vide : ne siège pas."
    )
    mandataire = models.ForeignKey(
        Elu, verbose_name="donne pouvoir à", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "présence pour une délibération"
        verbose_name_plural = "présences pour une délibération"
        constraints = [
            models.UniqueConstraint(fields=["deliberation", "elu"], name="presence_deliberation_unique"),
            models.UniqueConstraint(
                fields=["deliberation", "mandataire"],
                name="presence_deliberation_un_pouvoir",
                violation_error_message="Un membre ne peut détenir qu'un seul pouvoir (CGCT L2121-20).",
            ),
        ]

    def __str__(self):
        return f"{self.elu} : {self.get_etat_display() or 'ne siège pas'}"


class LigneModificative(Cloisonne):
    """One action's amount, before and after a modificative."""

    deliberation = models.ForeignKey(Deliberation, on_delete=models.CASCADE, related_name="lignes")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="+")
    montant_avant = models.DecimalField("montant voté", **MONTANT)
    montant_apres = models.DecimalField("nouveau montant", **MONTANT)

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "ligne de modificative"
        ordering = ["deliberation", "action__ordre", "action__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation", "action"],
                name="ligne_modificative_unique",
                violation_error_message="Cette action figure déjà dans la modificative.",
            ),
            models.CheckConstraint(
                condition=Q(montant_apres__gte=0),
                name="ligne_modificative_positive",
                violation_error_message="Le nouveau montant ne peut pas être négatif.",
            ),
        ]

    def __str__(self):
        return f"{self.action} : {euros(self.montant_avant)} → {euros(self.montant_apres)}"

    @property
    def difference(self):
        return self.montant_apres - self.montant_avant

    def clean(self):
        if self.action.tranche_id != self.deliberation.tranche_corrigee_id:
            raise ValidationError(
                f"« {self.action} » n'est pas dans la tranche que corrige cette modificative."
            )
        if (
            self.montant_apres is not None
            and self.action.cout is not None
            and self.montant_apres > self.action.cout
        ):
            raise ValidationError(
                {
                    "montant_apres": "Le nouveau montant dépasse le coût de l'action "
                    f"({euros(self.action.cout)})."
                }
            )

    def appliquer(self, deliberation, auteur):
        """The only way to change a locked amount: written as the action's history."""
        action = Action.objects.select_for_update().get(pk=self.action_id)
        if action.contribution != self.montant_avant:
            raise ValidationError(
                f"Le montant de « {action} » est de {euros(action.contribution)} et non plus de "
                f"{euros(self.montant_avant)} : revoyez la ligne avant le vote."
            )
        action.corriger_contribution(self.montant_apres, auteur, f"délibération n°{deliberation.numero}")
