"""« Paramètres de la collectivité »: how its acts name it, and the conventions it asks for beyond the law.

Everyone sees their own authority's settings; référents and administrators change them. The page has
no id in its address: a user can only ever reach their own authority.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .enums import NatureCollectivite
from .formats import euros
from .historique import MODIFICATION, historique_de, noter
from .models import Collectivite, User
from .montants import FormulaireMontants
from .roles import PARAMETRER_COLLECTIVITE

CHAMPS = [
    "designation",
    "convention_investissement",
    "convention_organismes_publics",
    "convention_seuil_local",
    "convention_regle_locale",
]


class ParametresForm(FormulaireMontants):
    class Meta:
        model = Collectivite
        fields = CHAMPS


def groupes(form):
    """(legend, introduction, fields) of the form's two fieldsets."""
    return [
        ("Nom dans les actes", "", [form["designation"]]),
        (
            "Conventions demandées par la collectivité, au-delà de la loi",
            "La loi (article 10 de la loi n° 2000-321 et décret n° 2001-495) impose une convention au-delà "
            f"de {euros(Collectivite.SEUIL_LEGAL_CONVENTION)} par an à un organisme de droit privé. "
            "La collectivité peut en demander davantage :",
            [form[champ] for champ in CHAMPS[1:]],
        ),
    ]


def assemblee(collectivite):
    """The deliberative assembly an authority of this nature usually has, for the example sentence."""
    if collectivite.nature == NatureCollectivite.COMMUNE:
        return "Le Conseil municipal"
    if collectivite.nature == NatureCollectivite.DEPARTEMENT:
        return "Le Conseil départemental"
    if "métropole" in collectivite.nom.lower():
        return "Le Conseil métropolitain"
    return "Le Conseil communautaire"


def exemple(collectivite):
    """« Le Conseil municipal de la Ville de Villeneuve, après en avoir délibéré »."""
    return f"{assemblee(collectivite)} {collectivite.de_nom_dans_les_actes}, après en avoir délibéré"


def _valeur(valeur):
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if valeur is None or valeur == "":
        return "(vide)"
    if not isinstance(valeur, str):
        return euros(valeur)
    return f"« {valeur} »"


def changements(form):
    """« Nom dans les actes : (vide) → « la Ville de X » ; … », for the history."""
    lignes = []
    for champ in form.changed_data:
        avant, apres = _valeur(form.initial.get(champ)), _valeur(form.cleaned_data[champ])
        lignes.append(f"{form.fields[champ].label.capitalize()} : {avant} → {apres}")
    return " ; ".join(lignes)


def qui_peut_parametrer(collectivite):
    """The authority's active accounts holding the permission, by a role, on their own, or as superuser."""
    app, codename = PARAMETRER_COLLECTIVITE.split(".")
    par_role = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app)
    en_propre = Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app)
    comptes = User.objects.filter(collectivite=collectivite, is_active=True)
    return (
        comptes.filter(par_role | en_propre | Q(is_superuser=True))
        .distinct()
        .order_by("last_name", "username")
    )


def _collectivite(request):
    return get_object_or_404(Collectivite, pk=request.user.collectivite_id)


def _page(request, collectivite, form, status=200):
    contexte = {
        "collectivite": collectivite,
        "form": form,
        "groupes": groupes(form),
        "exemple": exemple(collectivite),
        "modifiable": request.user.has_perm(PARAMETRER_COLLECTIVITE),
        "responsables": qui_peut_parametrer(collectivite),
        "historique": historique_de(Collectivite, [collectivite.pk])[:20],
    }
    return render(request, "contrat_ville/parametres.html", contexte, status=status)


@login_required
def parametres(request):
    collectivite = _collectivite(request)
    return _page(request, collectivite, ParametresForm(instance=collectivite))


@require_POST
@login_required
@permission_required(PARAMETRER_COLLECTIVITE, raise_exception=True)
def parametres_modifier(request):
    collectivite = _collectivite(request)
    form = ParametresForm(request.POST, instance=collectivite)
    # « Aperçu »: the example sentence with what was typed, nothing saved.
    if not form.is_valid() or "apercu" in request.POST:
        return _page(request, collectivite, form, status=400 if form.errors else 200)
    if form.has_changed():
        with transaction.atomic():
            form.save()
            noter(request.user, collectivite, MODIFICATION, changements(form))
        messages.success(request, "Paramètres de la collectivité enregistrés.")
    return redirect("parametres")
