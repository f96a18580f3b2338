"""The text of a contract's conventions: articles with placeholders like {porteur}, the default text, and
the check of the placeholders (a délibération's model uses it too)."""

import re

from django.core.exceptions import ValidationError
from django.db import models

from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite
from contrat_ville.models import Contrat

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
