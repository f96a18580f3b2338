"""The référent's page of the registry: how délibérations are numbered, and their ACTES number."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils import timezone

from contrat_ville import historique

from ..forms_instances import RegistreForm
from ..models import Registre


def jamais_regle(registre):
    """The defaults were never chosen by the authority: one métropole's pattern, to be checked."""
    defauts = {champ: Registre._meta.get_field(champ).default for champ in ("format_numero", "format_actes")}
    if any(getattr(registre, champ) != defaut for champ, defaut in defauts.items()):
        return False
    return registre.pk is None or not historique.historique_de(Registre, [registre.pk]).exists()


@login_required
@permission_required("deliberations.change_registre", raise_exception=True)
def registre_modifier(request):
    collectivite = request.user.collectivite_id
    registre = Registre.objects.filter(collectivite=collectivite).first() or Registre(
        collectivite_id=collectivite
    )
    annee = timezone.localdate().year
    a_verifier = jamais_regle(registre)
    envoye = request.method == "POST"
    form = RegistreForm(request.POST if envoye else None, instance=registre, annee=annee)
    valide = envoye and form.is_valid()
    if valide and "apercu" not in request.POST:
        nature = historique.MODIFICATION if registre.pk else historique.AJOUT
        registre = form.save()
        historique.noter(
            request.user, registre, nature, f"Formats : {registre.format_numero} ; {registre.format_actes}."
        )
        messages.success(request, "Formats du registre enregistrés.")
        return redirect("deliberations:registre")
    rang = registre.prochain_rang(annee)
    contexte = {"form": form, "annee": annee, "rang": rang, "a_verifier": a_verifier}
    if not form.errors:
        contexte["exemple_numero"] = _exemple(form.instance.numero, annee, rang)
        contexte["exemple_actes"] = _exemple(form.instance.numero_actes, annee, rang)
    return render(
        request, "deliberations/instances/registre.html", contexte, status=400 if form.errors else 200
    )


def _exemple(numeroter, annee, rang):
    # A format stored before the page checked them (the back-office) may not format at all.
    try:
        return numeroter(annee, rang)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None
