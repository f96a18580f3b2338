"""The application's users, each attached to an authority."""

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.db import models
from django.utils.functional import cached_property

from ..roles import ADMINISTRATEURS
from .collectivites import Collectivite


class UserManager(BaseUserManager):
    def get_queryset(self):
        # Every page names the user's authority: loaded with the user, in the same query.
        return super().get_queryset().select_related("collectivite")


class User(AbstractUser):
    objects = UserManager()

    collectivite = models.ForeignKey(
        Collectivite,
        verbose_name="collectivité",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="utilisateurs",
    )
    # The contract and year last chosen on the programmation ({"contrat": "12", "annee": "2024"}; "" =
    # all): the list opens on them next time. Plain values, checked against the user's authority on use.
    consultation = models.JSONField("dernière consultation", default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = "utilisateur"

    @cached_property
    def administre(self):
        """May use the back-office: a superuser, or a staff member of the authority's administrators."""
        return self.is_active and (
            self.is_superuser or (self.is_staff and self.groups.filter(name=ADMINISTRATEURS).exists())
        )
