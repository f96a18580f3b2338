"""Conventions with porteurs (loi 2000-321 art. 10, or the authority's own rules), their yearly amounts,
and the payments made.

When is a payment due? Each year of a signed convention has an amount, paid in two parts:
- the advance (`pourcentage_avance` of the year's amount) is due at signature for the first year,
  and on 1 January of each following year;
- the balance is due once the compte rendu financier is due: six months after the year's end
  (30 June of the next year, CERFA 15059). Waiting for the document is the porteur's part; after that
  date an unpaid balance counts as late so that it is chased, whichever side holds it up.
Nothing is due before signature. « En retard » is what is due and not yet paid.
"""

import datetime
import re
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Case, F, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest, Round

from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite, CloisonneQuerySet
from contrat_ville.formats import date_fr, euros
from contrat_ville.models import MONTANT, Contrat

from ..enums import NaturePaiement, StatutAction, StatutConvention
from .actions import Action
from .evaluation import echeance
from .montants import ZERO, somme

CHAMP = re.compile(r"\{(\w+)\}")
CHAMPS_MODELE = {
    "collectivite": "le nom de la collectivité",
    "porteur": "le nom du porteur",
    "intitule": "l'intitulé de l'action",
    "objet": "l'objet de la convention",
    "contrat": "l'intitulé du contrat",
    "montant": "le montant total en chiffres",
    "montant_en_lettres": "le montant total en lettres",
    "duree": "la durée (« 4 ans »)",
    "annee_debut": "le premier exercice",
    "annee_fin": "le dernier exercice",
    "avance": "le pourcentage versé en avance",
    "solde": "le pourcentage versé au solde",
    "deliberation": "la délibération d'attribution",
    # The law or the authority's own rule, whichever makes this convention compulsory.
    "fondement": "la règle qui impose la convention (« conformément à l'article 10 de la loi… »)",
}

ARTICLES = [
    ("objet", "Objet de la convention"),
    ("montant", "Montant de la subvention"),
    ("duree", "Durée"),
    ("versement", "Modalités de versement"),
    ("obligations", "Obligations du porteur"),
    ("publicite", "Communication"),
    ("controle", "Contrôle de l'utilisation de la subvention"),
    ("resiliation", "Résiliation et litiges"),
]

TEXTES_PAR_DEFAUT = {
    "objet": (
        "La présente convention définit les conditions dans lesquelles {collectivite} soutient l'action "
        "« {objet} » que {porteur} s'engage à mettre en œuvre au titre du {contrat}, {fondement}."
    ),
    "montant": (
        "{collectivite} attribue à {porteur} une subvention de {montant} ({montant_en_lettres}), "
        "décidée par {deliberation}. Lorsque la convention couvre plusieurs exercices, les montants "
        "annuels sont ceux du tableau ci-dessous ; ceux des exercices suivant le premier sont versés "
        "sous réserve de l'inscription des crédits au budget de chaque exercice."
    ),
    "duree": (
        "La convention est conclue pour une durée de {duree}, de l'exercice {annee_debut} à l'exercice "
        "{annee_fin}. Elle prend effet à sa signature par les deux parties."
    ),
    "versement": (
        "La subvention de chaque exercice est versée en deux fois : une avance de {avance} du montant "
        "annuel à la signature de la convention (au début de l'exercice pour les exercices suivants), "
        "puis le solde de {solde} après réception et examen du compte rendu financier de l'action."
    ),
    "obligations": (
        "{porteur} s'engage à réaliser l'action conformément à son objet, à tenir une comptabilité "
        "permettant d'en retracer l'emploi et à transmettre à {collectivite}, dans les six mois suivant "
        "la fin de chaque exercice pour lequel la subvention a été attribuée, le compte rendu financier "
        "de l'action (formulaire CERFA n° 15059), signé par son représentant légal et accompagné d'un "
        "bilan qualitatif. Il informe {collectivite} sans délai de toute modification de l'action, de "
        "ses statuts ou de sa situation financière."
    ),
    "publicite": (
        "{porteur} fait mention du soutien de {collectivite} sur tous les supports de communication "
        "relatifs à l'action (documents imprimés, site internet, réseaux sociaux, manifestations)."
    ),
    "controle": (
        "{collectivite} peut contrôler à tout moment, sur pièces et sur place, l'emploi de la subvention. "
        "{porteur} lui communique toute pièce utile. Une somme non employée conformément à l'objet de "
        "la convention ou non justifiée par le compte rendu financier est reversée."
    ),
    "resiliation": (
        "En cas de manquement de {porteur} à ses obligations, {collectivite} peut résilier la convention "
        "par lettre recommandée avec accusé de réception, après une mise en demeure restée sans effet "
        "pendant un mois. Les litiges relèvent du tribunal administratif territorialement compétent."
    ),
}


def remplir(texte, valeurs):
    """Placeholders replaced; an unknown one is left as typed (the model's clean names it)."""
    return CHAMP.sub(lambda m: str(valeurs.get(m.group(1), m.group(0))), texte)


def champs_inconnus(modele, textes, connus):
    """{field: [unknown placeholders]} of a model text's fields (a convention's, a délibération's)."""
    inconnus = {}
    for texte in textes:
        noms = sorted(set(CHAMP.findall(getattr(modele, texte))) - connus.keys())
        if noms:
            inconnus[texte] = noms
    return inconnus


def message_inconnus(noms, connus):
    return (
        f"Champ(s) inconnu(s) : {', '.join('{' + n + '}' for n in noms)}. "
        f"Champs possibles : {', '.join('{' + n + '}' for n in connus)}."
    )


def _texte(article):
    return models.TextField(dict(ARTICLES)[article], default=TEXTES_PAR_DEFAUT[article])


class ModeleConvention(Cloisonne):
    """The text of a contract's conventions, article by article, with placeholders like {porteur}."""

    contrat = models.OneToOneField(Contrat, on_delete=models.CASCADE, related_name="modele_convention")
    titre = models.CharField("titre", max_length=200, default="Convention d'objectifs et de financement")
    objet = _texte("objet")
    montant = _texte("montant")
    duree = _texte("duree")
    versement = _texte("versement")
    obligations = _texte("obligations")
    publicite = _texte("publicite")
    controle = _texte("controle")
    resiliation = _texte("resiliation")

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "modèle de convention"
        verbose_name_plural = "modèles de convention"

    def __str__(self):
        return f"Modèle de convention — {self.contrat}"

    @classmethod
    def pour(cls, contrat):
        """The contract's own text, else the default one (not saved)."""
        return cls.objects.filter(contrat=contrat).first() or cls(contrat=contrat)

    def clean(self):
        inconnus = champs_inconnus(self, [article for article, _ in ARTICLES], CHAMPS_MODELE)
        if inconnus:
            raise ValidationError({a: message_inconnus(noms, CHAMPS_MODELE) for a, noms in inconnus.items()})

    def articles(self, valeurs):
        return [(titre, remplir(getattr(self, article), valeurs)) for article, titre in ARTICLES]


def annee_des_soldes_dus(jour):
    """The last year whose balance is due on `jour`: its compte rendu financier, due with its bilans."""
    return jour.year - 1 if jour > echeance(jour.year - 1) else jour.year - 2


class ConventionQuerySet(CloisonneQuerySet):
    def visibles_par(self, user):
        return self.filter(action__contrat__collectivite=user.collectivite_id)

    def approuvees_par(self, tranche):
        """The drafts a vote of this tranche approves: its actions' conventions still to sign."""
        return self.filter(action__tranche=tranche, statut=StatutConvention.A_SIGNER).order_by("pk")

    def with_montant(self):
        return self.annotate(montant_total=somme("echeances__montant"))

    def creer_pour(self, action):
        """The convention an action needs, with its yearly amounts: one year, or the CPO's years."""
        if Convention.objects.filter(action=action).exists():
            raise ValidationError(f"« {action} » a déjà une convention.")
        if action.maitrise_ouvrage_collectivite:
            raise ValidationError("Une action portée par la collectivité elle-même n'a pas de convention.")
        if action.statut in (StatutAction.REFUSEE, StatutAction.ABANDONNEE):
            raise ValidationError(
                f"« {action} » est {action.get_statut_display().lower()} : pas de convention."
            )
        if action.contribution <= 0:
            raise ValidationError(f"« {action} » n'a pas de subvention à conventionner.")
        duree = action.contrat.annee_fin - action.annee + 1 if action.convention_pluriannuelle else 1
        convention = self.create(
            action=action,
            objet=action.intitule,
            annee_debut=action.annee,
            duree_annees=max(duree, 1),
            reference_deliberation=action.tranche.acte_de_vote if action.tranche_id else "",
        )
        EcheanceConvention.objects.bulk_create(
            EcheanceConvention(convention=convention, annee=annee, montant=montant)
            for annee, montant in repartir(action.contribution, action.annee, convention.duree_annees)
        )
        return convention


def repartir(total, premiere_annee, duree):
    """Equal yearly shares to the cent, the rounding left on the first year (the agent may change them)."""
    part = (total / duree).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    parts = [total - part * (duree - 1)] + [part] * (duree - 1)
    return [(premiere_annee + i, montant) for i, montant in enumerate(parts)]


class Convention(Cloisonne):
    action = models.OneToOneField(Action, on_delete=models.PROTECT, related_name="convention")
    objet = models.CharField("objet", max_length=300)
    annee_debut = models.PositiveSmallIntegerField("premier exercice")
    duree_annees = models.PositiveSmallIntegerField(
        "durée (années)", default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    pourcentage_avance = models.DecimalField(
        "avance à la signature (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    reference_deliberation = models.CharField(
        "délibération d'attribution",
        max_length=250,
        blank=True,
        help_text="Reprise de l'acte de vote de la tranche.",
    )
    statut = models.CharField(
        "statut", max_length=10, choices=StatutConvention.choices, default=StatutConvention.A_SIGNER
    )
    date_signature = models.DateField("signée le", null=True, blank=True)
    creee_le = models.DateTimeField("créée le", auto_now_add=True)

    objects = ConventionQuerySet.as_manager()

    class Meta:
        triggers = [CloisonnementCollectivite()]
        ordering = ["-annee_debut", "action__porteur__nom"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pourcentage_avance__gte=0) & Q(pourcentage_avance__lte=100),
                name="convention_avance_en_pourcentage",
                violation_error_message="L'avance est un pourcentage entre 0 et 100.",
            ),
            models.CheckConstraint(
                condition=Q(statut=StatutConvention.A_SIGNER) | Q(date_signature__isnull=False),
                name="convention_signee_avec_date",
                violation_error_message="Une convention signée porte sa date de signature.",
            ),
        ]

    def __str__(self):
        return f"Convention {self.annee_debut} — {self.objet} / {self.action.porteur}"

    @property
    def annee_fin(self):
        return self.annee_debut + self.duree_annees - 1

    @property
    def porteur(self):
        return self.action.porteur

    def signer(self, date, auteur, aujourd_hui=None):
        """Records the signature; the voted action then becomes « conventionnée »."""
        aujourd_hui = aujourd_hui or datetime.date.today()
        if self.statut != StatutConvention.A_SIGNER:
            raise ValidationError(f"Cette convention est déjà {self.get_statut_display().lower()}.")
        if date > aujourd_hui:
            raise ValidationError("La date de signature ne peut pas être dans le futur.")
        if date.year < self.annee_debut - 1:
            raise ValidationError(
                f"Une convention de l'exercice {self.annee_debut} n'a pu être signée en {date.year}."
            )
        self.statut = StatutConvention.SIGNEE
        self.date_signature = date
        self.save(update_fields=["statut", "date_signature"])
        if self.action.statut == StatutAction.VOTEE:
            self.action.changer_statut(StatutAction.CONVENTIONNEE, auteur)


class EcheanceConvention(Cloisonne):
    """The amount of one year of a convention."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="echeances")
    annee = models.PositiveSmallIntegerField("exercice")
    montant = models.DecimalField("montant", **MONTANT)

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "montant annuel"
        verbose_name_plural = "montants annuels"
        ordering = ["convention", "annee"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "annee"], name="echeance_une_par_annee"),
            models.CheckConstraint(
                condition=Q(montant__gte=0),
                name="echeance_montant_positif",
                violation_error_message="Un montant annuel ne peut pas être négatif.",
            ),
        ]

    def __str__(self):
        return f"{self.annee} : {euros(self.montant)}"


def _du_le(jour):
    """SQL: what one yearly row has made due by `jour` (advance, then balance; see the module's doc)."""
    avance = Round(F("montant") * F("convention__pourcentage_avance") / Value(Decimal(100)), 2)
    avance_due = Q(annee__lte=jour.year) | Q(annee=F("convention__annee_debut"))
    return Case(When(avance_due, then=avance), default=ZERO) + Case(
        When(annee__lte=annee_des_soldes_dus(jour), then=F("montant") - avance), default=ZERO
    )


def annoter_versements(actions, jour=None):
    """Granted, paid, due and late amounts per action, each a subquery summed by the database."""
    jour = jour or datetime.date.today()
    paye = (
        Paiement.objects.filter(action=OuterRef("pk"))
        .order_by()  # the default ordering would join the action's tables into every subquery
        .values("action")
        .annotate(total=Sum("montant"))
        .values("total")
    )
    du = (
        EcheanceConvention.objects.filter(
            convention__action=OuterRef("pk"),
            convention__date_signature__lte=jour,
            convention__statut=StatutConvention.SIGNEE,
        )
        .order_by()
        .values("convention__action")
        .annotate(total=Sum(_du_le(jour)))
        .values("total")
    )
    return actions.annotate(
        montant_verse=Coalesce(Subquery(paye), ZERO),
        montant_echu=Coalesce(Subquery(du), ZERO),
    ).annotate(
        montant_reste=F("contribution") - F("montant_verse"),
        montant_en_retard=Greatest(F("montant_echu") - F("montant_verse"), ZERO),
    )


def totaux_versements(actions, jour=None):
    """The same figures summed over a set of actions (a porteur's, a year's)."""
    return annoter_versements(actions, jour).aggregate(
        accorde=somme("contribution"),
        verse=somme("montant_verse"),
        echu=somme("montant_echu"),
        reste_a_verser=somme("montant_reste"),
        en_retard=somme("montant_en_retard"),
    )


class PaiementQuerySet(CloisonneQuerySet):
    def visibles_par(self, user):
        return self.filter(action__contrat__collectivite=user.collectivite_id)

    @transaction.atomic
    def enregistrer(self, action, *, nature, date, montant, reference="", auteur=None, aujourd_hui=None):
        """A payment, refused when it would take the action past its grant."""
        aujourd_hui = aujourd_hui or datetime.date.today()
        # The action's row locked: two agents paying at once cannot both pass the check.
        action = Action.objects.select_for_update().get(pk=action.pk)
        if action.statut not in (StatutAction.VOTEE, StatutAction.CONVENTIONNEE):
            raise ValidationError(
                f"« {action} » est « {action.get_statut_display()} » : seule une action votée ou "
                "conventionnée reçoit des versements."
            )
        if montant is None or montant <= 0:
            raise ValidationError("Le montant d'un versement doit être positif.")
        if date > aujourd_hui:
            raise ValidationError(
                "Un versement s'enregistre une fois fait : sa date ne peut pas être future."
            )
        paiement = self.model(
            action=action, nature=nature, date=date, montant=montant, reference=reference, saisi_par=auteur
        )
        paiement.verifier_plafond()
        paiement.save()
        return paiement


class Paiement(Cloisonne):
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="paiements")
    nature = models.CharField("nature", max_length=10, choices=NaturePaiement.choices)
    date = models.DateField("date du versement")
    montant = models.DecimalField("montant", **MONTANT)
    reference = models.CharField("référence (n° de mandat)", max_length=60, blank=True)
    saisi_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    saisi_le = models.DateTimeField("saisi le", auto_now_add=True)

    objects = PaiementQuerySet.as_manager()

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "versement"
        ordering = ["action", "date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(montant__gt=0),
                name="paiement_montant_positif",
                violation_error_message="Le montant d'un versement doit être positif.",
            )
        ]

    def __str__(self):
        return f"{self.get_nature_display()} du {date_fr(self.date)} : {euros(self.montant)}"

    def clean(self):
        if self.action_id and self.montant:
            self.verifier_plafond()

    def verifier_plafond(self):
        """Never more paid than granted (the other payments of the action plus this one)."""
        action = self.action
        deja = action.paiements.exclude(pk=self.pk).aggregate(total=somme("montant"))["total"]
        if deja + self.montant > action.contribution:
            raise ValidationError(
                f"Versement refusé : {euros(self.montant)} porteraient les versements à "
                f"{euros(deja + self.montant)}, au-delà des {euros(action.contribution)} accordés "
                f"(déjà versé : {euros(deja)} ; reste à verser : {euros(action.contribution - deja)})."
            )
