"""Roles are groups with permissions; `synchroniser_roles` (re)creates them."""

from django.contrib.auth.models import Group, Permission

AGENTS = "Agents"
ELUS = "Élus"
# The authority's administrators: the agents' rights, and the back-office (reference data, corrections).
ADMINISTRATEURS = "Administrateurs"
APPLICATIONS_METIER = ["contrat_ville", "programmation", "deliberations"]
# Accounts and authorities are the admins' business.
MODELES_RESERVES_AUX_ADMINS = ["user", "collectivite"]


def _permissions_metier():
    return Permission.objects.filter(content_type__app_label__in=APPLICATIONS_METIER).exclude(
        content_type__model__in=MODELES_RESERVES_AUX_ADMINS
    )


def synchroniser_roles():
    agents, _ = Group.objects.get_or_create(name=AGENTS)
    agents.permissions.set(_permissions_metier())
    elus, _ = Group.objects.get_or_create(name=ELUS)
    elus.permissions.set(_permissions_metier().filter(codename__startswith="view_"))
    administrateurs, _ = Group.objects.get_or_create(name=ADMINISTRATEURS)
    administrateurs.permissions.set(_permissions_metier())
    return agents, elus
