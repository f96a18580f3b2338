"""Counting and checking an attendance list: the rules of the CGCT, on plain values.

An attendance list is {elu_id: (etat, mandataire_id)}: the séance's own, or a délibération's once
its overrides (a member arriving late, leaving early) are applied.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from ..enums import EtatPresence

# An attendance list: {elu_id: (etat, mandataire_id)}.
Etats = Mapping[int, tuple[str, int | None]]


@dataclass(frozen=True)
class Decompte:
    membres_en_exercice: int
    presents: int
    pouvoirs: int
    excuses: int
    # Voices of the members who do not take part (CGCT L2131-11), and of the pouvoirs they hold.
    voix_retirees: int = 0

    @property
    def voix(self) -> int:
        """The votants: présents plus pouvoirs."""
        return self.presents + self.pouvoirs

    @property
    def suffrages_attendus(self) -> int:
        """What pour, contre and abstentions must add up to."""
        return self.voix - self.voix_retirees

    @property
    def quorum_requis(self) -> int:
        # L2121-17: more than half of the members in office present; pouvoirs do not count.
        return self.membres_en_exercice // 2 + 1

    @property
    def quorum_atteint(self) -> bool:
        return self.presents >= self.quorum_requis


def decompter(etats: Etats, membres_en_exercice: int, ne_prenant_pas_part: Iterable[int] = ()) -> Decompte:
    par_etat = Counter(etat for etat, _ in etats.values())
    mandataires = {mandataire for etat, mandataire in etats.values() if etat == EtatPresence.POUVOIR}
    retirees = 0
    for elu in set(ne_prenant_pas_part):
        etat = etats.get(elu, (None, None))[0]
        # A member who does not take part leaves the room: neither his voice nor the pouvoir he holds.
        retirees += etat in (EtatPresence.PRESENT, EtatPresence.POUVOIR)
        retirees += elu in mandataires
    return Decompte(
        membres_en_exercice=membres_en_exercice,
        presents=par_etat[EtatPresence.PRESENT],
        pouvoirs=par_etat[EtatPresence.POUVOIR],
        excuses=par_etat[EtatPresence.EXCUSE],
        voix_retirees=retirees,
    )


class Erreur(NamedTuple):
    """A broken rule: the member whose row is to be corrected (None: the whole list) and the field."""

    elu: int | None
    champ: str
    message: str


def erreurs_de_presence(
    etats: Etats,
    membres_en_exercice: int,
    noms: Mapping[int, str],
    obligatoires: Mapping[int, str] | None = None,
) -> list[str]:
    """The broken rules, in French, one message each; noms gives an élu's name from its id."""
    return [e.message for e in erreurs_par_membre(etats, membres_en_exercice, noms, obligatoires)]


def erreurs_par_membre(
    etats: Etats,
    membres_en_exercice: int,
    noms: Mapping[int, str],
    obligatoires: Mapping[int, str] | None = None,
) -> list[Erreur]:
    """The broken rules as Erreur, in the list's order.

    obligatoires: {elu_id: role} of the members who must be present once the list is taken, the
    président and the secrétaire de séance (an absent secrétaire would sign an extract listing her absent).
    """
    erreurs: list[Erreur] = []
    detenteurs: dict[int, int] = {}
    for elu, (etat, mandataire) in etats.items():
        if etat == EtatPresence.POUVOIR:
            if not mandataire:
                erreurs.append(Erreur(elu, "mandataire", f"{noms[elu]} donne pouvoir : choisissez à qui."))
                continue
            if mandataire == elu:
                message = f"{noms[elu]} ne peut pas se donner pouvoir à lui-même."
                erreurs.append(Erreur(elu, "mandataire", message))
                continue
            if etats.get(mandataire, (None,))[0] != EtatPresence.PRESENT:
                message = (
                    f"{noms[elu]} donne pouvoir à {noms.get(mandataire, 'un élu')}, qui doit être présent."
                )
                erreurs.append(Erreur(elu, "mandataire", message))
            if mandataire in detenteurs:
                erreurs.append(
                    Erreur(
                        elu,
                        "mandataire",
                        f"{noms.get(mandataire, 'Un élu')} détient déjà le pouvoir de "
                        f"{noms[detenteurs[mandataire]]} : un membre ne peut détenir qu'un seul pouvoir "
                        "(CGCT L2121-20).",
                    )
                )
            detenteurs.setdefault(mandataire, elu)
        elif mandataire:
            message = f"{noms[elu]} n'a pas donné pouvoir : ne nommez pas de mandataire."
            erreurs.append(Erreur(elu, "mandataire", message))
    if etats:
        for elu, role in (obligatoires or {}).items():
            if etats.get(elu, (None,))[0] != EtatPresence.PRESENT:
                message = (
                    f"Le {role}, {noms.get(elu, 'cet élu')}, doit être présent (ni absent, ni représenté)."
                )
                erreurs.append(Erreur(elu, "etat", message))
    if len(etats) > membres_en_exercice:
        message = f"La liste compte {len(etats)} membres pour {membres_en_exercice} membres en exercice."
        erreurs.append(Erreur(None, "etat", message))
    return erreurs
