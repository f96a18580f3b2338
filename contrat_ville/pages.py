"""The pages every visitor may read, logged in or not: accessibility statement and legal notice."""

import functools
from importlib.metadata import PackageNotFoundError, version

from django.conf import settings
from django.shortcuts import render


@functools.cache
def version_application():
    """The installed package's version (pyproject.toml), as the footer and the legal notice show it;
    read once a process (a lookup in the installed packages costs on every page)."""
    try:
        return version("contrat-ville")
    except PackageNotFoundError:
        return "inconnue"


def _contexte():
    return {
        "version": version_application(),
        # An e-mail address given by the deploying authority; empty, the pages send to its administrator.
        "contact": getattr(settings, "CONTACT_ACCESSIBILITE", ""),
    }


def accessibilite(request):
    return render(request, "contrat_ville/accessibilite.html", _contexte())


def mentions_legales(request):
    return render(request, "contrat_ville/mentions_legales.html", _contexte())
