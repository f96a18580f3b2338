from django import template

from contrat_ville.pages import version_application as lire_version

register = template.Library()


@register.simple_tag
def version_application():
    """« 0.1.0 »: the version of the installed application, for the footer of every page."""
    return lire_version()
