"""Counting and checking an attendance list: the rules of the CGCT, on plain values.

An attendance list is {elu_id: (etat, mandataire_id)}: the séance's own, or a délibération's once
its overrides (a member arriving late, leaving early) are applied.
"""

from collections import Counter
from dataclasses import dataclass

from ..enums import EtatPresence


@dataclass(frozen=True)
class Decompte:
    membres_en_exercice: int
    presents: int
    pouvoirs: int
    excuses: int
    # Voices of the members who do not take part (CGCT L2131-11), and of the pouvoirs they hold.
    voix_retirees: int = 0

    @property
    def voix(self):
        """The votants: présents plus pouvoirs."""
        return self.presents + self.pouvoirs

    @property
    def suffrages_attendus(self):
        """What pour, contre and abstentions must add up to."""
        return self.voix - self.voix_retirees

    @property
    def quorum_requis(self):
        # L2121-17: more than half of the members in office present; pouvoirs do not count.
        return self.membres_en_exercice // 2 + 1

    @property
    def quorum_atteint(self):
        return self.presents >= self.quorum_requis


def decompter(etats, membres_en_exercice, ne_prenant_pas_part=()):
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


def erreurs_de_presence(etats, membres_en_exercice, noms):
    """The broken rules, in French, one message each; noms gives an élu's name from its id."""
    erreurs = []
    detenus = Counter()
    for elu, (etat, mandataire) in etats.items():
        if etat == EtatPresence.POUVOIR:
            if not mandataire:
                erreurs.append(f"{noms[elu]} donne pouvoir : choisissez à qui.")
                continue
            if mandataire == elu:
                erreurs.append(f"{noms[elu]} ne peut pas se donner pouvoir à lui-même.")
                continue
            if etats.get(mandataire, (None,))[0] != EtatPresence.PRESENT:
                erreurs.append(
                    f"{noms[elu]} donne pouvoir à {noms.get(mandataire, 'un élu')}, qui doit être présent."
                )
            detenus[mandataire] += 1
        elif mandataire:
            erreurs.append(f"{noms[elu]} n'a pas donné pouvoir : ne nommez pas de mandataire.")
    for mandataire, nombre in detenus.items():
        if nombre > 1:
            erreurs.append(
                f"{noms.get(mandataire, 'Un élu')} détiendrait {nombre} pouvoirs : "
                "un membre ne peut détenir qu'un seul pouvoir (CGCT L2121-20)."
            )
    if len(etats) > membres_en_exercice:
        erreurs.append(
            f"La liste compte {len(etats)} membres pour {membres_en_exercice} membres en exercice."
        )
    return erreurs
