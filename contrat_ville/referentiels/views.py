"""The reference data of the user's authority — contracts, financeurs, envelopes, quartiers, axes and
their thèmes — kept in the application's pages by the authority's référents.

Everyone with the « view » permissions reads the lists; the changes need the model's add / change /
delete permission (the « Référents » and « Administrateurs » groups, see contrat_ville/roles.py). Every
row is looked for among the authority's own (another authority's id: 404), every change goes through
the model's full_clean() (see forms.py) and writes one line of history saying what changed
(contrat_ville/historique.py), shown under each page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, Prefetch
from django.db.models.deletion import ProtectedError, RestrictedError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.views.decorators.http import require_POST, require_safe

from .. import historique
from ..enums import NatureContrat
from ..formats import date_fr, euros, taux
from ..models import Axe, Contrat, Enveloppe, Financeur, Quartier, Theme, User
from ..montants import est_montant
from ..roles import REFERENTS
from .forms import AxeForm, ContratForm, EnveloppeForm, FinanceurForm, QuartierForm, ThemeForm

GABARITS = "contrat_ville/referentiels/"
HISTORIQUE_RECENT = 15
# Whoever holds none of these reads the lists and is told who keeps them.
MODIFICATIONS = [
    f"contrat_ville.{action}_{modele}"
    for modele in ("contrat", "financeur", "enveloppe", "quartier", "axe", "theme")
    for action in ("add", "change")
]


def permission(*codes):
    return permission_required(codes, raise_exception=True)


# What changed, as the history says it.


def texte(objet, champ):
    """A field's value as the pages write it: « 490 500 € », « 50 % », « État », « — » when empty."""
    valeur = getattr(objet, champ.attname)
    if valeur is None or valeur == "":
        return "—"
    if champ.choices:
        return str(objet._get_FIELD_display(champ))
    if champ.is_relation:
        return str(getattr(objet, champ.name))
    if est_montant(champ):
        return euros(valeur)
    if isinstance(champ, models.DecimalField):
        return taux(valeur)
    if isinstance(champ, models.BooleanField):
        return "oui" if valeur else "non"
    if isinstance(champ, models.DateField):
        return date_fr(valeur)
    return str(valeur)


def decrire(objet, noms):
    """{label: text} of the named fields of a row."""
    champs = [objet._meta.get_field(nom) for nom in noms]
    return {capfirst(champ.verbose_name): texte(objet, champ) for champ in champs}


def changements(avant, apres):
    """« Montant : 10 000 € → 12 000 € ; Source : — → Délibération 2024.00230 »; empty if nothing changed."""
    return " ; ".join(
        f"{libelle} : {avant[libelle]} → {valeur}"
        for libelle, valeur in apres.items()
        if avant[libelle] != valeur
    )


def contenu(apres):
    """The message of a creation: its filled fields."""
    return "Création — " + " ; ".join(
        f"{libelle} : {valeur}" for libelle, valeur in apres.items() if valeur != "—"
    )


# The pages' common parts.


def _tenus_par(request):
    """None for whoever may change the reference data; otherwise the names of the authority's référents
    (an empty list when none is designated)."""
    if any(request.user.has_perm(code) for code in MODIFICATIONS):
        return None
    referents = User.objects.filter(
        collectivite=request.user.collectivite_id, groups__name=REFERENTS, is_active=True
    ).distinct()
    return sorted((u.get_full_name() or u.username for u in referents), key=str.casefold)


def _lignes_d_historique(requete):
    return [
        {
            "date": ligne.action_time,
            "auteur": ligne.user.get_full_name() or ligne.user.username,
            "nature": historique.NATURES.get(ligne.action_flag, ""),
            "objet": ligne.object_repr,
            "message": ligne.get_change_message(),
        }
        for ligne in requete[:HISTORIQUE_RECENT]
    ]


def _historique(request, *sources):
    """The recent history of the authority's rows of some models (and of the deletions its users made)."""
    collectivite = request.user.collectivite_id
    return _lignes_d_historique(historique.historique_des(list(sources), collectivite=collectivite))


def _page(request, gabarit, contexte, status=200):
    contexte.setdefault("tenus_par", _tenus_par(request))
    return render(request, GABARITS + gabarit, contexte, status=status)


def _choisi(queryset, valeur):
    return queryset.filter(pk=valeur).first() if str(valeur or "").isdecimal() else None


def contrat_courant(contrats):
    """The contract a page shows first: a contrat de ville in force this year, then any contract in
    force, then the most recent."""
    annee = timezone.localdate().year
    en_vigueur = [c for c in contrats if c.annee_debut <= annee <= c.annee_fin]
    return min(
        en_vigueur or contrats,
        key=lambda c: (c.nature != NatureContrat.CONTRAT_DE_VILLE, -c.annee_debut, c.intitule),
        default=None,
    )


def _contrat_de_la_page(request, contrats):
    demande = request.GET.get("contrat", "")
    return next((c for c in contrats if str(c.pk) == demande), None) or contrat_courant(contrats)


def _avec_filtres(nom, **filtres):
    filtres = {cle: valeur for cle, valeur in filtres.items() if valeur not in (None, "")}
    return reverse(f"referentiels:{nom}") + (f"?{urlencode(filtres)}" if filtres else "")


def _formulaire(request, form_class, objet, *, titre, retour, suppression=None, **contexte):
    """The create / edit page of a row: on a valid POST, the row and its line of history in one
    transaction, then back to the list."""
    nouveau = objet.pk is None
    noms = form_class._meta.fields
    avant = None if nouveau else decrire(objet, noms)
    annuler = retour(objet)  # before the form writes what was typed into the object
    donnees = request.POST if request.method == "POST" else None
    form = form_class(donnees, instance=objet, collectivite=request.user.collectivite_id)
    if donnees is not None and form.is_valid():
        apres = decrire(form.instance, noms)
        message = contenu(apres) if nouveau else changements(avant, apres)
        if not message:
            messages.info(request, "Aucune modification : rien n'a été enregistré.")
            return redirect(retour(form.instance))
        try:
            with transaction.atomic():
                objet = form.save()
                nature = historique.AJOUT if nouveau else historique.MODIFICATION
                historique.noter(request.user, objet, nature, message)
        except IntegrityError:
            # Another person saved the same key in the meantime: the form says so, nothing is written.
            form.add_error(None, "Une saisie enregistrée entre-temps contredit celle-ci : rechargez la page.")
        else:
            quoi = "Ajout enregistré" if nouveau else "Modification enregistrée"
            messages.success(request, f"{quoi} : {objet._meta.verbose_name} « {objet} ».")
            return redirect(retour(objet))
    contexte.update(
        form=form,
        titre=titre,
        objet=objet,
        retour=annuler,
        suppression=suppression,
        historique=[] if nouveau else _lignes_d_historique(historique.historique_de(type(objet), [objet.pk])),
    )
    return _page(request, "formulaire.html", contexte, status=400 if form.errors else 200)


def _suppression(request, modele, pk):
    """The address of the row's « Supprimer » button, or None for whoever may not delete it."""
    if not request.user.has_perm(f"contrat_ville.delete_{modele}"):
        return None
    return reverse(f"referentiels:{modele}_supprimer", args=[pk])


def _supprimer(request, objet, retour, refus):
    """Deletes an unused row with its line of history, then goes to `retour`; a row still in use is
    kept, and its page (`refus`) says what uses it."""
    nom = str(objet)
    try:
        with transaction.atomic():
            historique.noter(request.user, objet, historique.SUPPRESSION, f"Suppression de « {nom} »")
            objet.delete()
    except (ProtectedError, RestrictedError) as erreur:
        lies = getattr(erreur, "protected_objects", None) or getattr(erreur, "restricted_objects", ())
        par_modele = {}
        for lie in lies:
            par_modele[lie._meta] = par_modele.get(lie._meta, 0) + 1
        usages = [
            f"{n} {meta.verbose_name_plural if n > 1 else meta.verbose_name}"
            for meta, n in sorted(par_modele.items(), key=lambda paire: str(paire[0].verbose_name))
        ]
        usages = " et ".join([", ".join(usages[:-1]), usages[-1]] if len(usages) > 1 else usages)
        messages.error(request, f"Suppression impossible : « {nom} » sert encore à {usages}.")
        return redirect(refus)
    messages.success(request, f"Suppression enregistrée : {objet._meta.verbose_name} « {nom} ».")
    return redirect(retour)


# The index.


@require_safe
@login_required
@permission(
    "contrat_ville.view_contrat",
    "contrat_ville.view_financeur",
    "contrat_ville.view_enveloppe",
    "contrat_ville.view_quartier",
    "contrat_ville.view_axe",
)
def index(request):
    collectivite = request.user.collectivite_id
    du_contrat = {"contrat__collectivite": collectivite}
    comptes = {
        "contrats": Contrat.objects.filter(collectivite=collectivite).count(),
        "financeurs": Financeur.objects.filter(collectivite=collectivite).count(),
        "enveloppes": Enveloppe.objects.filter(**du_contrat).count(),
        "quartiers": Quartier.objects.filter(collectivite=collectivite).count(),
        "axes": Axe.objects.filter(**du_contrat).count(),
        "themes": Theme.objects.filter(axe__contrat__collectivite=collectivite).count(),
    }
    return _page(request, "index.html", {"comptes": comptes})


# Contracts.


@require_safe
@login_required
@permission("contrat_ville.view_contrat")
def contrats(request):
    liste = Contrat.objects.de(request.user.collectivite_id).annotate(
        nombre_axes=Count("axes", distinct=True), nombre_enveloppes=Count("enveloppes", distinct=True)
    )
    contexte = {
        "contrats": liste.order_by("-annee_debut", "intitule"),
        "historique": _historique(request, (Contrat, Contrat.objects.de(request.user.collectivite_id))),
    }
    return _page(request, "contrats.html", contexte)


def _contrat(request, pk):
    return get_object_or_404(Contrat.objects.de(request.user.collectivite_id), pk=pk)


def _vers_les_contrats(_objet):
    return reverse("referentiels:contrats")


@login_required
@permission("contrat_ville.add_contrat")
def contrat_creer(request):
    annee = timezone.localdate().year
    contrat = Contrat(
        collectivite=request.user.collectivite,
        nature=NatureContrat.CONTRAT_DE_VILLE,
        annee_debut=annee,
        annee_fin=annee,
    )
    return _formulaire(request, ContratForm, contrat, titre="Nouveau contrat", retour=_vers_les_contrats)


@login_required
@permission("contrat_ville.change_contrat")
def contrat_modifier(request, pk):
    return _formulaire(
        request, ContratForm, _contrat(request, pk), titre="Modifier le contrat", retour=_vers_les_contrats
    )


# Financeurs.


@require_safe
@login_required
@permission("contrat_ville.view_financeur")
def financeurs(request):
    collectivite = request.user.collectivite_id
    liste = Financeur.objects.filter(collectivite=collectivite).order_by("nom")
    contexte = {"financeurs": liste, "historique": _historique(request, (Financeur, liste))}
    return _page(request, "financeurs.html", contexte)


def _financeur(request, pk):
    return get_object_or_404(Financeur.objects.filter(collectivite=request.user.collectivite_id), pk=pk)


def _vers_les_financeurs(_objet):
    return reverse("referentiels:financeurs")


@login_required
@permission("contrat_ville.add_financeur")
def financeur_creer(request):
    financeur = Financeur(collectivite=request.user.collectivite)
    return _formulaire(
        request, FinanceurForm, financeur, titre="Nouveau financeur", retour=_vers_les_financeurs
    )


@login_required
@permission("contrat_ville.change_financeur")
def financeur_modifier(request, pk):
    return _formulaire(
        request,
        FinanceurForm,
        _financeur(request, pk),
        titre="Modifier le financeur",
        retour=_vers_les_financeurs,
        suppression=_suppression(request, "financeur", pk),
    )


@require_POST
@login_required
@permission("contrat_ville.delete_financeur")
def financeur_supprimer(request, pk):
    return _supprimer(
        request,
        _financeur(request, pk),
        reverse("referentiels:financeurs"),
        reverse("referentiels:financeur_modifier", args=[pk]),
    )


# Envelopes.


def annee_par_defaut(contrat, annees_avec_enveloppes):
    """The latest year with envelopes; otherwise this year if the contract covers it, else its first."""
    if annees_avec_enveloppes:
        return max(annees_avec_enveloppes)
    annee = timezone.localdate().year
    return annee if annee in contrat.annees() else contrat.annee_debut


@require_safe
@login_required
@permission("contrat_ville.view_enveloppe")
def enveloppes(request):
    collectivite = request.user.collectivite_id
    contrats = list(Contrat.objects.de(collectivite).order_by("-annee_debut", "intitule"))
    contrat = _contrat_de_la_page(request, contrats)
    annees, annee, lignes = [], None, []
    if contrat is not None:
        avec_enveloppes = set(
            Enveloppe.objects.filter(contrat=contrat).order_by().values_list("annee", flat=True).distinct()
        )
        annees = sorted(set(contrat.annees()) | avec_enveloppes)
        demandee = request.GET.get("annee", "")
        annee = int(demandee) if demandee.isdecimal() and int(demandee) in annees else None
        if annee is None:
            annee = annee_par_defaut(contrat, avec_enveloppes)
        lignes = (
            Enveloppe.objects.filter(contrat=contrat, annee=annee)
            .select_related("axe__contrat", "financeur", "contrat")
            .order_by(
                F("axe__ordre").asc(nulls_first=True),
                F("axe__numero").asc(nulls_first=True),
                F("financeur__nom").asc(nulls_first=True),
                "section",
            )
        )
    contexte = {
        "contrats": contrats,
        "contrat": contrat,
        "annees": annees,
        "annee": annee,
        "enveloppes": lignes,
        "nouvelle": _avec_filtres("enveloppe_creer", contrat=getattr(contrat, "pk", None), annee=annee),
        "historique": _historique(
            request, (Enveloppe, Enveloppe.objects.filter(contrat__collectivite=collectivite))
        ),
    }
    return _page(request, "enveloppes.html", contexte)


def _enveloppe(request, pk):
    return get_object_or_404(
        Enveloppe.objects.filter(contrat__collectivite=request.user.collectivite_id).select_related(
            "contrat", "axe", "financeur"
        ),
        pk=pk,
    )


def _vers_les_enveloppes(enveloppe):
    return _avec_filtres("enveloppes", contrat=enveloppe.contrat_id, annee=enveloppe.annee)


@login_required
@permission("contrat_ville.add_enveloppe")
def enveloppe_creer(request):
    contrats = list(Contrat.objects.de(request.user.collectivite_id))
    contrat = _contrat_de_la_page(request, contrats)
    annee = request.GET.get("annee", "")
    enveloppe = Enveloppe(
        contrat=contrat,
        annee=int(annee) if annee.isdecimal() and contrat and int(annee) in contrat.annees() else None,
    )
    return _formulaire(
        request, EnveloppeForm, enveloppe, titre="Nouvelle enveloppe", retour=_vers_les_enveloppes
    )


@login_required
@permission("contrat_ville.change_enveloppe")
def enveloppe_modifier(request, pk):
    return _formulaire(
        request,
        EnveloppeForm,
        _enveloppe(request, pk),
        titre="Modifier l'enveloppe",
        retour=_vers_les_enveloppes,
        suppression=_suppression(request, "enveloppe", pk),
    )


@require_POST
@login_required
@permission("contrat_ville.delete_enveloppe")
def enveloppe_supprimer(request, pk):
    enveloppe = _enveloppe(request, pk)
    return _supprimer(
        request,
        enveloppe,
        _vers_les_enveloppes(enveloppe),
        reverse("referentiels:enveloppe_modifier", args=[pk]),
    )


# Quartiers.


@require_safe
@login_required
@permission("contrat_ville.view_quartier")
def quartiers(request):
    liste = Quartier.objects.filter(collectivite=request.user.collectivite_id).order_by("commune", "nom")
    contexte = {"quartiers": liste, "historique": _historique(request, (Quartier, liste))}
    return _page(request, "quartiers.html", contexte)


def _vers_les_quartiers(_objet):
    return reverse("referentiels:quartiers")


@login_required
@permission("contrat_ville.add_quartier")
def quartier_creer(request):
    quartier = Quartier(collectivite=request.user.collectivite)
    return _formulaire(request, QuartierForm, quartier, titre="Nouveau quartier", retour=_vers_les_quartiers)


@login_required
@permission("contrat_ville.change_quartier")
def quartier_modifier(request, pk):
    quartier = get_object_or_404(Quartier.objects.filter(collectivite=request.user.collectivite_id), pk=pk)
    return _formulaire(
        request, QuartierForm, quartier, titre="Modifier le quartier", retour=_vers_les_quartiers
    )


# Axes and their thèmes.


@require_safe
@login_required
@permission("contrat_ville.view_axe", "contrat_ville.view_theme")
def axes(request):
    collectivite = request.user.collectivite_id
    contrats = list(Contrat.objects.de(collectivite).order_by("-annee_debut", "intitule"))
    contrat = _contrat_de_la_page(request, contrats)
    liste = []
    if contrat is not None:
        themes = Theme.objects.order_by("ordre", "pk")
        liste = (
            Axe.objects.filter(contrat=contrat)
            .order_by("ordre", "numero")
            .prefetch_related(Prefetch("themes", queryset=themes))
        )
    contexte = {
        "contrats": contrats,
        "contrat": contrat,
        "axes": liste,
        "historique": _historique(
            request,
            (Axe, Axe.objects.filter(contrat__collectivite=collectivite)),
            (Theme, Theme.objects.filter(axe__contrat__collectivite=collectivite)),
        ),
    }
    return _page(request, "axes.html", contexte)


def _vers_les_axes(axe):
    return _avec_filtres("axes", contrat=axe.contrat_id)


@login_required
@permission("contrat_ville.add_axe")
def axe_creer(request):
    contrats = list(Contrat.objects.de(request.user.collectivite_id))
    contrat = _contrat_de_la_page(request, contrats)
    numero = None
    if contrat is not None:
        dernier = Axe.objects.filter(contrat=contrat).aggregate(n=models.Max("numero"))["n"]
        numero = (dernier or 0) + 1
    axe = Axe(contrat=contrat, numero=numero)
    return _formulaire(
        request,
        AxeForm,
        axe,
        titre=f"Nouvel axe{f' — {contrat.intitule}' if contrat else ''}",
        retour=_vers_les_axes,
    )


@login_required
@permission("contrat_ville.change_axe")
def axe_modifier(request, pk):
    axe = get_object_or_404(Axe.objects.filter(contrat__collectivite=request.user.collectivite_id), pk=pk)
    return _formulaire(request, AxeForm, axe, titre=f"Modifier : {axe}", retour=_vers_les_axes)


def _vers_les_axes_du_theme(theme):
    return _avec_filtres("axes", contrat=theme.axe.contrat_id if theme.axe_id else None)


@login_required
@permission("contrat_ville.add_theme")
def theme_creer(request):
    axes_de_la_collectivite = Axe.objects.filter(contrat__collectivite=request.user.collectivite_id)
    axe = _choisi(axes_de_la_collectivite, request.GET.get("axe"))
    return _formulaire(
        request,
        ThemeForm,
        Theme(axe=axe),
        titre=f"Nouveau thème{f' — {axe}' if axe else ''}",
        retour=_vers_les_axes_du_theme,
    )


@login_required
@permission("contrat_ville.change_theme")
def theme_modifier(request, pk):
    theme = get_object_or_404(
        Theme.objects.filter(axe__contrat__collectivite=request.user.collectivite_id).select_related(
            "axe__contrat"
        ),
        pk=pk,
    )
    return _formulaire(request, ThemeForm, theme, titre="Modifier le thème", retour=_vers_les_axes_du_theme)
