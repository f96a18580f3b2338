from django.db import models


class NaturePorteur(models.TextChoices):
    ASSOCIATION = "association", "Association"
    COLLECTIVITE = "collectivite", "Collectivité"
    BAILLEUR = "bailleur", "Bailleur social"
    ETABLISSEMENT_PUBLIC = "etablissement_public", "Établissement public"
    ENTREPRISE = "entreprise", "Entreprise"
    AUTRE = "autre", "Autre organisme"


class StatutAction(models.TextChoices):
    DEPOSEE = "deposee", "Déposée"
    EN_INSTRUCTION = "en_instruction", "En instruction"
    PROPOSEE = "proposee", "Proposée"
    VOTEE = "votee", "Votée"
    CONVENTIONNEE = "conventionnee", "Conventionnée"
    SOLDEE = "soldee", "Soldée"
    REFUSEE = "refusee", "Refusée"
    ABANDONNEE = "abandonnee", "Abandonnée"


# An action whose subsidy was granted by a vote, whatever happened to it since (but not abandoned).
STATUTS_ACCORDES = (StatutAction.VOTEE, StatutAction.CONVENTIONNEE, StatutAction.SOLDEE)


class StatutTranche(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    SOUMISE = "soumise", "Soumise à l'instance"
    VOTEE = "votee", "Votée"


class NatureTotal(models.TextChoices):
    RECAPITULATIF = "recapitulatif", "Tableau récapitulatif de la délibération"
    ANNEXE = "annexe", "Total d'une annexe"
    TEXTE = "texte", "Montant énoncé dans le texte"


# The instruction workflow. « Votée » is reached only through the vote of the tranche.
TRANSITIONS = {
    StatutAction.DEPOSEE: [StatutAction.EN_INSTRUCTION, StatutAction.REFUSEE, StatutAction.ABANDONNEE],
    StatutAction.EN_INSTRUCTION: [StatutAction.PROPOSEE, StatutAction.REFUSEE, StatutAction.ABANDONNEE],
    StatutAction.PROPOSEE: [StatutAction.EN_INSTRUCTION, StatutAction.REFUSEE, StatutAction.ABANDONNEE],
    StatutAction.VOTEE: [StatutAction.CONVENTIONNEE, StatutAction.ABANDONNEE],
    StatutAction.CONVENTIONNEE: [StatutAction.SOLDEE, StatutAction.ABANDONNEE],
    StatutAction.SOLDEE: [],
    StatutAction.REFUSEE: [StatutAction.EN_INSTRUCTION],
    StatutAction.ABANDONNEE: [],
}


class PartieRapport(models.TextChoices):
    DELIBERATION = "deliberation", "Délibération"
    INGENIERIE = "ingenierie", "Ingénierie"
    AUTRE = "autre", "Autre partie"


class StatutConvention(models.TextChoices):
    A_SIGNER = "a_signer", "À signer"
    SIGNEE = "signee", "Signée"
    RESILIEE = "resiliee", "Résiliée"


class NaturePaiement(models.TextChoices):
    AVANCE = "avance", "Avance"
    ACOMPTE = "acompte", "Acompte"
    SOLDE = "solde", "Solde"


# The statuses of an action before its tranche is voted: a voted action never goes back to them.
AVANT_LE_VOTE = (
    StatutAction.DEPOSEE,
    StatutAction.EN_INSTRUCTION,
    StatutAction.PROPOSEE,
    StatutAction.REFUSEE,
)


# The statuses of an action that may still join a draft tranche (it goes to « Proposée » on the way).
PEUVENT_ENTRER_EN_TRANCHE = (StatutAction.DEPOSEE, StatutAction.EN_INSTRUCTION, StatutAction.PROPOSEE)


class OperationMasse(models.TextChoices):
    STATUT = "statut", "Changer le statut"
    AJOUTER = "ajouter", "Ajouter à une tranche en brouillon"
    RETIRER = "retirer", "Retirer de leur tranche en brouillon"
