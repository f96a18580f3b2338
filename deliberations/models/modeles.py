"""A contract's model text for the délibérations adopting its tranches, with placeholders like {annee}.

Filled from the tranche by deliberations/redaction.py; the Rédiger page copies it into a délibération,
where the agent finishes the text.
"""

from django.core.exceptions import ValidationError
from django.db import models

from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite
from contrat_ville.models import Contrat
from programmation.models.modeles_convention import champs_inconnus
from programmation.models.modeles_convention import message_inconnus as message_des_conventions

CHAMPS_MODELE = {
    "collectivite": "la collectivité telle que la nomment les actes (« la Ville de Grigny »)",
    "contrat": "l'intitulé du contrat",
    "annee": "l'année de la tranche",
    "tranche": "la tranche (« tranche 2 »)",
    "nombre_actions": "le nombre d'actions subventionnées de la tranche",
    "montant_total": "le montant total accordé par la tranche",
    "montants_par_axe": "une ligne par axe : nombre d'actions et montant",
    "enveloppes": "une ligne par enveloppe de l'année : allouée, consommée, restante",
    "instance": "l'instance qui vote (« Bureau Métropolitain »)",
    "date_seance": "la date de la séance (« 16 mai 2024 »)",
    "conventions": "les règles qui imposent une convention aux actions de la tranche (loi ou collectivité)",
}

TEXTES = ["objet", "expose", "expose_suite", "decisions", "chapitres_budgetaires"]

TEXTES_PAR_DEFAUT = {
    "objet": "{contrat} — programmation {annee}, {tranche}",
    "expose": (
        "Le {contrat} fixe les priorités que se donnent {collectivite} et ses partenaires en faveur des "
        "habitants des quartiers prioritaires de la politique de la ville.\n\n"
        "Au titre de la programmation {annee}, {tranche}, il est proposé de soutenir financièrement "
        "{nombre_actions} action(s) pour un montant total de {montant_total}, réparti de la manière "
        "suivante :"
    ),
    "expose_suite": (
        "Ces montants s'inscrivent dans les enveloppes de l'année {annee} :\n{enveloppes}\n\n"
        "{conventions}\n\nUn récapitulatif des différentes actions est annexé au présent rapport."
    ),
    "decisions": (
        "approuve le contenu de la programmation {annee} du {contrat}, {tranche} ;\n"
        "approuve la participation financière apportée par {collectivite} à cette programmation, pour un "
        "montant global de {montant_total} ;\n"
        "autorise l'exécutif, ou son représentant dûment habilité, à signer les conventions et tout "
        "document relatif à cette programmation."
    ),
    "chapitres_budgetaires": "chapitre 65 du budget politique de la ville {annee}",
}


class ModeleDeliberation(Cloisonne):
    contrat = models.OneToOneField(Contrat, on_delete=models.CASCADE, related_name="modele_deliberation")
    objet = models.CharField("objet", max_length=300, default=TEXTES_PAR_DEFAUT["objet"])
    expose = models.TextField("exposé (avant le tableau récapitulatif)", default=TEXTES_PAR_DEFAUT["expose"])
    expose_suite = models.TextField(
        "exposé (après le tableau récapitulatif)", blank=True, default=TEXTES_PAR_DEFAUT["expose_suite"]
    )
    decisions = models.TextField(
        "décisions", default=TEXTES_PAR_DEFAUT["decisions"], help_text="Une décision par ligne."
    )
    chapitres_budgetaires = models.CharField(
        "chapitres budgétaires imputés",
        max_length=300,
        blank=True,
        default=TEXTES_PAR_DEFAUT["chapitres_budgetaires"],
    )

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "modèle de délibération"
        verbose_name_plural = "modèles de délibération"

    def __str__(self):
        return f"Modèle de délibération — {self.contrat}"

    @classmethod
    def pour(cls, contrat):
        """The contract's own text, else the default one (not saved)."""
        return cls.objects.filter(contrat=contrat).first() or cls(contrat=contrat)

    def champs_inconnus(self):
        """{field: [unknown placeholders]} of the texts."""
        return champs_inconnus(self, TEXTES, CHAMPS_MODELE)

    def clean(self):
        erreurs = {texte: message_inconnus(noms) for texte, noms in self.champs_inconnus().items()}
        if erreurs:
            raise ValidationError(erreurs)


def message_inconnus(noms):
    return message_des_conventions(noms, CHAMPS_MODELE)
