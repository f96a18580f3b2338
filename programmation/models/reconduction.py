"""Reconduction: next year's draft copy of actions, one per action and year at most.

The copy keeps what the porteur asks again (porteur, title, axe, territory, quartiers, objectives,
cost) and none of what was decided (contribution, cofinancements, tranche, status): it is « Déposée »,
in no tranche, linked to its source (reconduite_de). The database holds the « at most one » with a
unique constraint on (reconduite_de, annee); here a second attempt is told where the copy is."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from .changements import Changements


@dataclass
class Reconduite:
    source: object
    copie: object


@dataclass
class Ignoree:
    source: object
    raison: str
    copie: object = None  # the copy made earlier, when that is the reason


@dataclass
class BilanReconduction:
    faites: list = field(default_factory=list)
    ignorees: list = field(default_factory=list)


class Reconductions:
    """ActionQuerySet's reconduction of many actions, in a fixed number of queries."""

    @transaction.atomic
    def reconduire(self, auteur):
        from .actions import Action

        # Locked: a double click's second request waits here, then finds the first one's copies.
        sources = list(
            self.select_for_update(of=("self",))
            .select_related("contrat", "porteur")
            .prefetch_related("quartiers")
            .order_by("pk")
        )
        existantes = {
            (copie.reconduite_de_id, copie.annee): copie
            for copie in Action.objects.filter(reconduite_de__in=sources).select_related("porteur")
        }
        bilan, copies = BilanReconduction(), []
        for source in sources:
            annee = source.annee + 1
            if (source.pk, annee) in existantes:
                copie = existantes[source.pk, annee]
                raison = f"déjà reconduite en {annee} : « {copie.intitule} »"
                bilan.ignorees.append(Ignoree(source, raison, copie))
            elif not source.reconductible:
                raison = (
                    f"Le contrat « {source.contrat} » s'achève en {source.contrat.annee_fin} : "
                    f"l'action ne peut pas être reconduite en {annee} sous ce contrat."
                )
                bilan.ignorees.append(Ignoree(source, raison))
            else:
                copies.append(source.copie_pour(annee))
                bilan.faites.append(Reconduite(source, copies[-1]))
        try:
            with transaction.atomic():
                Action.objects.bulk_create(copies)
        except IntegrityError as erreur:
            raise ValidationError(
                "Une reconduction de ces actions vient d'être faite par ailleurs : rechargez la page."
            ) from erreur
        liaison = Action.quartiers.through
        liaison.objects.bulk_create(
            liaison(action_id=r.copie.pk, quartier_id=q.pk)
            for r in bilan.faites
            for q in r.source.quartiers.all()
        )
        changements = Changements(auteur)
        for r in bilan.faites:
            changements.noter(r.copie, "reconduite de", apres=f"{r.source} ({r.source.annee})")
        changements.enregistrer()
        return bilan
