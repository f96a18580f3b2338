"""The délibérations' queryset: who sees which, adopted ones, and inscription on a séance's agenda."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q

from contrat_ville.cloisonnement import CloisonneQuerySet

from .seances import Seance
from .texte import CHAMPS_REDIGES, MESSAGE_TEXTE_FIGE
from .vote import ADOPTEE


class DeliberationQuerySet(CloisonneQuerySet):
    def visibles_par(self, user):
        return self.filter(collectivite=user.collectivite_id)

    def update(self, **valeurs):
        # The register keeps a voted or withdrawn text as adopted, through querysets too (bulk_update
        # goes through here); PostgreSQL holds the same rule (TexteFige).
        texte = {c for champ in CHAMPS_REDIGES for c in (champ, f"{champ}_id")}
        if texte & set(valeurs) and self.filter(Q(retiree=True) | ~Q(resultat_vote="")).exists():
            raise ValidationError(MESSAGE_TEXTE_FIGE)
        return super().update(**valeurs)

    def adoptees(self):
        return self.filter(resultat_vote__in=ADOPTEE)

    def sans_documents_votes(self):
        """Adopted outside the app (historic acts loaded from their documents): nothing kept yet."""
        return self.adoptees().filter(actes_figes__isnull=True)

    @transaction.atomic
    def inscrire(self, seance, objet, **champs):
        """A draft délibération at the end of the séance's agenda, with the register's next number.

        The séance's row stays locked until the transaction ends: two concurrent inscriptions read the
        last rank one after the other, never the same one."""
        Seance.objects.select_for_update().only("pk").get(pk=seance.pk)
        dernier = seance.deliberations.aggregate(n=Max("ordre_du_jour"))["n"] or 0
        deliberation = self.model(
            seance=seance,
            collectivite_id=seance.instance.collectivite_id,
            objet=objet,
            ordre_du_jour=dernier + 1,
            **champs,
        )
        deliberation.full_clean(exclude=["numero"])
        deliberation.numeroter()
        deliberation.save()
        return deliberation
