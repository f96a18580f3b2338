"""Loading a previewed file: all rows or none, in one transaction, with bulk operations only."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ..models import Action, Cofinancement, Porteur
from ..models.changements import LOT, Changements
from ..models.historique import texte_historique
from .apercu import CREATION, MODIFICATION, preparer
from .erreurs import ErreurImport


def charger(contenu, nom_fichier, contrat, annee, champs, auteur, progression=None, feuilles=None):
    """The preview is made again inside the transaction (rows locked): what loads is what it says.
    Its database comparison and checks, not the reading: feuilles, when given, are the rows the
    preview was made from (the file is never parsed twice)."""
    with transaction.atomic():
        apercu = preparer(
            contenu, nom_fichier, contrat, annee, champs, progression, verrouiller=True, feuilles=feuilles
        )
        en_erreur = apercu.en_erreur
        if en_erreur:
            premiere = en_erreur[0]
            erreur = ErreurImport(
                f"{len(en_erreur)} ligne(s) en erreur : rien n'a été chargé. Première : ligne "
                f"{premiere.numero} (feuille « {premiere.feuille} ») — {premiere.erreurs[0]}"
            )
            erreur.apercu = apercu
            raise erreur
        Porteur.objects.bulk_create(apercu.porteurs_nouveaux.values(), batch_size=LOT)
        Porteur.objects.bulk_update(apercu.porteurs_completes, ["siret", "rna"], batch_size=LOT)
        crees = _creer(apercu, auteur, nom_fichier)
        modifiees = _modifier(apercu, auteur)
    return {"creees": crees, "modifiees": modifiees, "apercu": apercu}


def _creer(apercu, auteur, nom_fichier):
    lignes = [ligne for ligne in apercu.lignes if ligne.operation == CREATION]
    actions = [
        Action(
            contrat=apercu.contrat,
            annee=apercu.annee,
            ordre=min(rang, 32767),
            numero_dauphin=ligne.numero_dauphin,
            numero_dauphin_source=ligne.numero_dauphin_source,
            intitule=ligne.intitule,
            libelle_source=ligne.libelle_source,
            porteur=ligne.porteur,
            axe=ligne.axe,
            territoire=ligne.territoire,
            objectifs=ligne.objectifs,
            cout=ligne.cout,
            contribution=ligne.contribution or Decimal(0),
        )
        for rang, ligne in enumerate(lignes, start=1)
    ]
    Action.objects.bulk_create(actions, batch_size=LOT)
    lien = Action.quartiers.through
    lien.objects.bulk_create(
        (
            lien(action_id=a.pk, quartier_id=q.pk)
            for a, ligne in zip(actions, lignes, strict=True)
            for q in ligne.quartiers_trouves
        ),
        batch_size=LOT,
    )
    Cofinancement.objects.bulk_create(
        (
            Cofinancement(action=a, financeur=f, montant_sollicite=m)
            for a, ligne in zip(actions, lignes, strict=True)
            for f, m in ligne.cofinancements
        ),
        batch_size=LOT,
    )
    changements = Changements(auteur)
    for action in actions:
        changements.creer(action, f"import de « {nom_fichier} »")
    changements.enregistrer()
    return len(actions)


def _modifier(apercu, auteur):
    lignes = [ligne for ligne in apercu.lignes if ligne.operation == MODIFICATION]
    quartiers, cofinancements = [], []
    # One date for the file's rows: the history shows them as one change.
    changements = Changements(auteur, date=timezone.now())
    for ligne in lignes:
        action, valeurs, textes = ligne.action, {}, []
        for champ, valeur in ligne.changements:
            if champ == "quartiers":
                quartiers.append((action, valeur))
                avant, apres = "", ", ".join(map(str, valeur))
            elif champ.startswith("cofinancement "):
                financeur, somme, actuel = valeur
                cofinancements.append((action, financeur, somme, actuel))
                avant, apres = (
                    texte_historique(actuel.montant_sollicite if actuel else None),
                    texte_historique(somme),
                )
            else:
                avant, apres = texte_historique(getattr(action, champ)), texte_historique(valeur)
                valeurs[champ] = valeur
            textes.append((champ, avant, apres))
        changements.changer(action, textes, **valeurs)
    changements.enregistrer()
    _remplacer_quartiers(quartiers)
    _cofinancer(cofinancements)
    return len(lignes)


def _remplacer_quartiers(quartiers):
    if not quartiers:
        return
    lien = Action.quartiers.through
    lien.objects.filter(action_id__in=[a.pk for a, _ in quartiers]).delete()
    lien.objects.bulk_create(lien(action_id=a.pk, quartier_id=q.pk) for a, liste in quartiers for q in liste)


def _cofinancer(cofinancements):
    a_modifier, a_creer = [], []
    for action, financeur, somme, actuel in cofinancements:
        if actuel is None:
            a_creer.append(Cofinancement(action=action, financeur=financeur, montant_sollicite=somme))
        else:
            actuel.montant_sollicite = somme
            a_modifier.append(actuel)
    Cofinancement.objects.bulk_create(a_creer)
    Cofinancement.objects.bulk_update(a_modifier, ["montant_sollicite"])
