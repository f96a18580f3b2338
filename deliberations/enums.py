from django.db import models


class NatureInstance(models.TextChoices):
    BUREAU = "bureau", "Bureau"
    CONSEIL_COMMUNAUTAIRE = "conseil_communautaire", "Conseil métropolitain ou communautaire"
    CONSEIL_MUNICIPAL = "conseil_municipal", "Conseil municipal"


class Civilite(models.TextChoices):
    MONSIEUR = "M.", "M."
    MADAME = "Mme", "Mme"


class EtatPresence(models.TextChoices):
    PRESENT = "present", "Présent"
    POUVOIR = "pouvoir", "Absent, a donné pouvoir"
    EXCUSE = "excuse", "Absent excusé"


class ResultatVote(models.TextChoices):
    UNANIMITE = "unanimite", "Adopté à l'unanimité"
    MAJORITE = "majorite", "Adopté à la majorité"
    REJET = "rejet", "Rejeté"


class ModePublication(models.TextChoices):
    MISE_EN_LIGNE = "mise_en_ligne", "Mise en ligne"
    AFFICHAGE = "affichage", "Affichage"


class NatureDeliberation(models.TextChoices):
    ORDINAIRE = "ordinaire", "Délibération"
    MODIFICATIVE = "modificative", "Délibération modificative d'une tranche votée"


class NatureActeFige(models.TextChoices):
    """The documents of a voted act kept as they were voted (ActeFige)."""

    EXTRAIT_PDF = "extrait-pdf", "Extrait du registre (PDF)"
    ANNEXE_PDF = "annexe-pdf", "Annexe de la tranche (PDF)"
    ANNEXE_XLSX = "annexe-xlsx", "Annexe de la tranche (tableur)"
    # A convention to sign that the act approves; its signed copy is its second version.
    CONVENTION_PDF = "convention-pdf", "Convention approuvée (PDF)"
    # A large act's HTML, kept at the vote; its PDF is laid out by the worker at the first request.
    EXTRAIT_HTML = "extrait-html", "Extrait du registre (source HTML)"
    ANNEXE_HTML = "annexe-html", "Annexe de la tranche (source HTML)"
