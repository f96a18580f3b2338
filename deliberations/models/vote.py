"""A délibération's attendance and vote, and what adopting it locks and keeps."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from contrat_ville.formats import date_fr
from programmation.enums import StatutTranche
from programmation.models import Tranche

from ..enums import ResultatVote
from .journal import Trace
from .presences import Decompte, decompter, erreurs_de_presence
from .seances import Elu

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import ManyRelatedManager, RelatedManager

    from contrat_ville.models import User

    from .deliberations import PresenceDeliberation
    from .modificative import LigneModificative
    from .seances import Seance


# The results that adopt the act (its tranche locked, its documents kept).
ADOPTEE = (ResultatVote.UNANIMITE, ResultatVote.MAJORITE)


class VoteDeliberation(models.Model):
    """Deliberation's part about its vote; abstract, so the model's migrations do not see it."""

    class Meta:
        abstract = True

    if TYPE_CHECKING:
        # What this part reads of the Deliberation it belongs to (deliberations.py, modificative.py).
        numero: str
        seance: Seance
        tranche_id: int | None
        resultat_vote: str
        vote_pour: int | None
        vote_contre: int | None
        vote_abstention: int | None
        ne_prenant_pas_part: ManyRelatedManager[Elu, Any]
        presences_modifiees: RelatedManager[PresenceDeliberation]
        lignes: RelatedManager[LigneModificative]
        est_modificative: bool

        def _en_projet(self) -> None: ...

    @property
    def texte_du_vote(self) -> str:
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
    def est_votee(self) -> bool:
        return self.resultat_vote in ADOPTEE

    @property
    def acte_de_vote(self) -> str:
        seance = self.seance
        return f"Délibération n°{self.numero} du {seance.instance} du {date_fr(seance.date)}"

    # --- attendance and vote

    def etats(self) -> dict[int, tuple[str, int | None]]:
        """The séance's attendance list with this délibération's overrides applied."""
        etats = self.seance.etats()
        for p in self.presences_modifiees.all():
            if p.etat:
                etats[p.elu_id] = (p.etat, p.mandataire_id)
            else:
                etats.pop(p.elu_id, None)
        return etats

    def decompte(self, ne_prenant_pas_part: Iterable[int] | None = None) -> Decompte:
        if ne_prenant_pas_part is None:
            ne_prenant_pas_part = [e.pk for e in self.ne_prenant_pas_part.all()] if self.pk else []
        return decompter(self.etats(), self.seance.membres_en_exercice, ne_prenant_pas_part)

    @transaction.atomic
    def modifier_presence(
        self, elu: Elu, etat: str, mandataire: Elu | None = None, auteur: User | None = None
    ) -> None:
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
        Trace.noter_presences(self.seance, avant, etats, auteur, Elu.objects.noms, deliberation=self)

    def verifier_vote(
        self,
        resultat: str,
        pour: int | None = None,
        contre: int | None = None,
        abstention: int | None = None,
        ne_prenant_pas_part: Iterable[Elu] = (),
    ) -> tuple[int | None, int | None, int | None]:
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

    @staticmethod
    def _verifier_voix(
        decompte: Decompte, pour: int | None, contre: int | None, abstention: int | None, resultat: str
    ) -> None:
        if pour is None or contre is None or abstention is None or min(pour, contre, abstention) < 0:
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

    def _appliquer(self, auteur: User | None) -> None:
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
