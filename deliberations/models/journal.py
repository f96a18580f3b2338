"""The audit trail of attendance and votes: who changed what, when, from what to what.

Written by the models' own methods (the attendance list, a délibération's own attendance, the vote,
a withdrawal); never changed afterwards (read-only in the back-office, no page to edit it).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from contrat_ville.cloisonnement import Cloisonne, CloisonnementCollectivite, CloisonneQuerySet

from ..enums import EtatPresence


class TraceQuerySet(CloisonneQuerySet):
    def visibles_par(self, user):
        return self.filter(seance__instance__collectivite=user.collectivite_id)


class Trace(Cloisonne):
    seance = models.ForeignKey(
        "Seance", verbose_name="séance", on_delete=models.CASCADE, related_name="traces"
    )
    deliberation = models.ForeignKey(
        "Deliberation",
        verbose_name="délibération",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="traces",
    )
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    date = models.DateTimeField("date", default=timezone.now)
    champ = models.CharField("changement", max_length=120)
    avant = models.TextField("avant", blank=True)
    apres = models.TextField("après", blank=True)

    objects = TraceQuerySet.as_manager()

    class Meta:
        triggers = [CloisonnementCollectivite()]
        verbose_name = "trace"
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.champ} : {self.avant or '—'} → {self.apres or '—'}"

    @classmethod
    def noter_presences(cls, seance, avant, apres, auteur, noms, deliberation=None):
        """One line per member whose attendance changed; avant, apres: {elu_id: (etat, mandataire_id)};
        noms: {elu_id} -> {elu_id: name} (Elu.objects.noms), asked only for the members the changes cite,
        and only if there are changes (a séance's list saved unchanged costs no query here)."""
        changes = [elu for elu in set(avant) | set(apres) if avant.get(elu) != apres.get(elu)]
        if not changes:
            return
        # The members changed and their proxies, before and after.
        mandataires = {etats[elu][1] for etats in (avant, apres) for elu in changes if elu in etats}
        noms = noms({*changes, *mandataires})
        cls.objects.bulk_create(
            cls(
                seance=seance,
                deliberation=deliberation,
                auteur=auteur,
                champ=f"présence de {noms[elu]}",
                avant=_presence(avant.get(elu), noms),
                apres=_presence(apres.get(elu), noms),
            )
            for elu in sorted(changes, key=lambda e: noms[e])
        )


def _presence(etat, noms):
    if not etat:
        return "absent de la liste"
    etat, mandataire = etat
    if etat == EtatPresence.POUVOIR:
        return f"a donné pouvoir à {noms.get(mandataire, '?')}"
    return EtatPresence(etat).label
