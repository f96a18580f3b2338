"""Roles are groups with permissions; `synchroniser_roles` (re)creates them."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

AGENTS = "Agents"
ELUS = "Élus"
# The authority's own set-up (financeurs, envelopes, quartiers, axes, instances and their members, the
# registry, how acts name the authority): kept by its référents, in the application's pages.
REFERENTS = "Référents"
# The authority's administrators: the référents' rights, and the back-office (accounts, corrections).
ADMINISTRATEURS = "Administrateurs"
APPLICATIONS_METIER = ["contrat_ville", "programmation", "deliberations"]
# Accounts and authorities are the admins' business.
MODELES_RESERVES_AUX_ADMINS = ["user", "collectivite"]
# Reference data: agents read it, référents (and administrators) change it. The contract itself is one:
# its period and the name of its first level frame the axes and envelopes.
REFERENTIELS = {
    "contrat_ville": ["contrat", "financeur", "enveloppe", "quartier", "axe", "theme"],
    "deliberations": ["instance", "elu", "registre", "modeledeliberation"],
}
# A référent sets up their own authority (its name in acts, its convention policy), nothing else of it.
PARAMETRER_COLLECTIVITE = "contrat_ville.parametrer_collectivite"


def _permissions_metier():
    return Permission.objects.filter(content_type__app_label__in=APPLICATIONS_METIER).exclude(
        content_type__model__in=MODELES_RESERVES_AUX_ADMINS
    )


def _modifications_des_referentiels():
    modeles = Q()
    for app, noms in REFERENTIELS.items():
        modeles |= Q(content_type__app_label=app, content_type__model__in=noms)
    return Permission.objects.filter(modeles).exclude(codename__startswith="view_")


def _parametrage():
    app, codename = PARAMETRER_COLLECTIVITE.split(".")
    return Permission.objects.filter(content_type__app_label=app, codename=codename)


def synchroniser_roles():
    metier = _permissions_metier()
    referentiels = _modifications_des_referentiels()
    agents, _ = Group.objects.get_or_create(name=AGENTS)
    agents.permissions.set(metier.exclude(pk__in=referentiels))
    elus, _ = Group.objects.get_or_create(name=ELUS)
    elus.permissions.set(metier.filter(codename__startswith="view_"))
    referents, _ = Group.objects.get_or_create(name=REFERENTS)
    referents.permissions.set(metier | _parametrage())
    administrateurs, _ = Group.objects.get_or_create(name=ADMINISTRATEURS)
    administrateurs.permissions.set(metier | _parametrage())
    return agents, elus
