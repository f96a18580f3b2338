"""The grant-giving authority, its convention rules, and the money format every amount uses."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from ..enums import NatureCollectivite
from ..validators import valider_siren, valider_siret

MONTANT = {"max_digits": 14, "decimal_places": 2}
# Loi 2000-321 art. 10 and décret 2001-495 art. 1: the annual amount per private body above which a
# convention is compulsory. The authority's own threshold is checked against it (Collectivite).
SEUIL_LEGAL_CONVENTION = Decimal("23000")


class Collectivite(models.Model):
    """The grant-giving authority. Every top-level object belongs to one."""

    nom = models.CharField("nom", max_length=200, unique=True)
    sigle = models.CharField(
        "sigle", max_length=20, blank=True, help_text="« SEM » : le nom court des documents."
    )
    nature = models.CharField("nature", max_length=20, choices=NatureCollectivite.choices)
    siren = models.CharField("SIREN", max_length=9, unique=True, validators=[valider_siren])
    siret = models.CharField(
        "SIRET",
        max_length=14,
        blank=True,
        validators=[valider_siret],
        help_text="Laisser vide s'il n'est pas connu : il ne doit jamais être deviné.",
    )
    code_departement = models.CharField(
        "code du département", max_length=3, help_text="Sur 3 caractères, par exemple 042."
    )
    designation = models.CharField(
        "nom dans les actes",
        max_length=250,
        blank=True,
        help_text="« la Ville de Villeneuve », « Saint-Etienne Métropole » : avec son article s'il en prend "
        "un. Laissé vide, il est déduit du nom et de la nature.",
    )
    # Conventions the authority asks for beyond loi 2000-321 art. 10 (private bodies above 23 000 €).
    convention_investissement = models.BooleanField(
        "toute subvention d'investissement fait l'objet d'une convention", default=False
    )
    convention_organismes_publics = models.BooleanField(
        "les organismes publics (bailleurs, lycées…) signent aussi une convention",
        default=False,
        help_text="Aux mêmes seuils que les organismes de droit privé.",
    )
    convention_seuil_local = models.DecimalField(
        "seuil local de convention",
        **MONTANT,
        null=True,
        blank=True,
        help_text="Montant annuel par porteur, inférieur à 23 000 €, au-delà duquel la collectivité "
        "demande une convention. Laissé vide : pas de seuil local.",
    )
    convention_regle_locale = models.CharField(
        "référence de la règle locale",
        max_length=300,
        blank=True,
        help_text="L'acte qui fixe ces règles, par exemple « délibération n°2021.00123 du 12 avril 2021 ».",
    )

    SEUIL_LEGAL_CONVENTION = SEUIL_LEGAL_CONVENTION

    class Meta:
        verbose_name = "collectivité"
        ordering = ["nom"]
        permissions = [("parametrer_collectivite", "Paramétrer sa collectivité")]
        constraints = [
            models.CheckConstraint(
                condition=Q(convention_seuil_local__isnull=True)
                | Q(convention_seuil_local__gt=0, convention_seuil_local__lt=SEUIL_LEGAL_CONVENTION),
                name="collectivite_seuil_local_sous_le_seuil_legal",
                violation_error_message="Le seuil local doit être positif et inférieur à 23 000 €.",
            )
        ]

    def __str__(self):
        return self.nom

    @property
    def nom_court(self):
        return self.sigle or self.nom

    @property
    def nom_dans_les_actes(self):
        """How acts name the authority, article included: « la Ville de Villeneuve »."""
        return self.designation.strip() or self._designation_par_defaut()

    @property
    def de_nom_dans_les_actes(self):
        """After « de »: « de la Ville de X », « du Département de la Loire », « d'Amiens Métropole »."""
        nom = self.nom_dans_les_actes
        for article, contracte in (("le ", "du "), ("les ", "des ")):
            if nom.lower().startswith(article):
                return contracte + nom[len(article) :]
        if nom[:1] and nom[0].lower() in "aeiouyéèêàâîôû":
            return "d'" + nom
        return "de " + nom

    def _designation_par_defaut(self):
        # A commune is « la Ville de X » in its acts, a département « le Département de Y »; an EPCI's
        # name (« Saint-Etienne Métropole ») takes no article.
        nom = self.nom.strip()
        if self.nature == NatureCollectivite.COMMUNE:
            deja_nommee = nom.lower().startswith(("ville de ", "ville d'", "commune de ", "commune d'"))
            return "la " + nom if deja_nommee else f"la Ville de {nom}"
        if self.nature == NatureCollectivite.DEPARTEMENT and nom.lower().startswith("département"):
            return "le " + nom
        return nom

    def clean(self):
        seuil = self.convention_seuil_local
        if seuil is not None and not 0 < seuil < self.SEUIL_LEGAL_CONVENTION:
            raise ValidationError(
                {
                    "convention_seuil_local": "Le seuil local doit être positif et inférieur au seuil "
                    "légal de 23 000 € (au-delà, la loi impose déjà la convention)."
                }
            )
