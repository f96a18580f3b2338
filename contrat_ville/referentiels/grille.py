"""« Enveloppes de l'année »: all the envelopes of a contract, a year and a section typed in one grid,
one row per axe (and « tout le contrat »), one column per financeur (and the authority's own
contribution, an envelope without financeur: see programmation/controles.py, `consommation`).

One POST saves every cell or none: a filled cell creates or updates its envelope, an emptied one
deletes it, an unchanged one writes nothing. Each change goes through the model's full_clean() and
writes its line of history, worded as the single-envelope form words it (views.decrire & co).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect

from .. import historique
from ..enums import Section
from ..models import Contrat, Enveloppe, Financeur
from ..montants import ChampMontant
from .forms import EnveloppeForm
from .views import (
    _avec_filtres,
    _historique,
    _page,
    annee_par_defaut,
    changements,
    contenu,
    decrire,
    permission,
)

CHAMPS_DECRITS = EnveloppeForm._meta.fields
SANS_AXE = "Tout le contrat"
SANS_FINANCEUR = "Contribution de la collectivité"


def cle(axe_id, financeur_id):
    return f"cellule_{axe_id or 0}_{financeur_id or 0}"


class ChoixGrille(forms.Form):
    """Which grid: the year (one of the contract's) and the section (empty: both)."""

    annee = forms.TypedChoiceField(label="Année", coerce=int)
    section = forms.ChoiceField(label="Section", required=False)

    def __init__(self, *args, contrat, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [(a, a) for a in contrat.annees()]
        self.fields["section"].choices = [("", "Les deux sections"), *Section.choices]


class GrilleForm(forms.Form):
    """One amount per (axe, financeur) cell, prefilled with the existing envelopes (or `copie`)."""

    def __init__(
        self,
        *args,
        contrat,
        annee,
        section,
        axes,
        financeurs,
        existantes,
        copie=None,
        peut_supprimer=True,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.peut_supprimer = peut_supprimer
        self.contrat, self.annee, self.section = contrat, annee, section
        self.existantes = existantes
        self.lignes = []
        for axe in [None, *axes]:
            cellules = []
            for financeur in [None, *financeurs]:
                nom = cle(getattr(axe, "pk", None), getattr(financeur, "pk", None))
                actuelle = existantes.get(nom)
                initial = (copie or {}).get(nom, actuelle.montant if actuelle else None)
                self.fields[nom] = ChampMontant(
                    label=f"{axe or SANS_AXE} — {financeur or SANS_FINANCEUR}",
                    min_value=0,
                    required=False,
                    initial=initial,
                )
                self.fields[nom].cellule = (axe, financeur)
                cellules.append(nom)
            self.lignes.append((axe, cellules))

    def cellules(self):
        """[(axe row label, [bound fields])] for the template."""
        return [(axe or SANS_AXE, [self[nom] for nom in noms]) for axe, noms in self.lignes]

    def changements(self):
        """[(nature, envelope, message)] of the cells that changed, each checked by full_clean(); the
        errors are put on their cells."""
        resultat = []
        for nom, champ in self.fields.items():
            montant, actuelle = self.cleaned_data.get(nom), self.existantes.get(nom)
            if nom in self.errors or (montant is None and actuelle is None):
                continue
            if montant is None and not self.peut_supprimer:
                self.add_error(nom, "Vous ne pouvez pas supprimer d'enveloppe : laissez son montant.")
            elif montant is None:
                resultat.append((historique.SUPPRESSION, actuelle, f"Suppression de « {actuelle} »"))
            if montant is None:
                continue
            if actuelle is not None and actuelle.montant == montant:
                continue
            axe, financeur = champ.cellule
            enveloppe = actuelle or Enveloppe(
                contrat=self.contrat, annee=self.annee, section=self.section, axe=axe, financeur=financeur
            )
            avant = decrire(enveloppe, CHAMPS_DECRITS) if actuelle else None
            enveloppe.montant = montant
            try:
                enveloppe.full_clean()
            except ValidationError as erreur:
                self.add_error(nom, erreur.messages)
                continue
            apres = decrire(enveloppe, CHAMPS_DECRITS)
            if actuelle is None:
                resultat.append((historique.AJOUT, enveloppe, contenu(apres)))
            else:
                resultat.append((historique.MODIFICATION, enveloppe, changements(avant, apres)))
        return resultat


def enregistrer(auteur, changes):
    with transaction.atomic():
        for nature, enveloppe, message in changes:
            if nature == historique.SUPPRESSION:
                historique.noter(auteur, enveloppe, nature, message)  # while the row still has its id
                enveloppe.delete()
            else:
                enveloppe.save()
                historique.noter(auteur, enveloppe, nature, message)


def _existantes(contrat, annee, section):
    """{cell: envelope}: one envelope a cell, the model's unique key says so (an empty axe or financeur
    included)."""
    lignes = Enveloppe.objects.filter(contrat=contrat, annee=annee, section=section).select_related(
        "contrat", "axe__contrat", "financeur"
    )
    return {cle(e.axe_id, e.financeur_id): e for e in lignes}


def _copie(contrat, annee, section):
    """Last year's amounts, by cell."""
    return {
        cle(e.axe_id, e.financeur_id): e.montant for e in _existantes(contrat, annee - 1, section).values()
    }


def _choix(request, contrat):
    """The year and section asked for; a GET with none (or a wrong one) gets the list's default year."""
    choix = ChoixGrille(request.POST if request.method == "POST" else request.GET, contrat=contrat)
    if choix.is_valid() or request.method == "POST":
        return choix
    annees = Enveloppe.objects.filter(contrat=contrat).values_list("annee", flat=True).distinct()
    defaut = {"annee": annee_par_defaut(contrat, set(annees).intersection(contrat.annees())), "section": ""}
    return ChoixGrille(defaut, contrat=contrat)


def _grille(request, contrat, annee, section):
    """The grid as posted, or prefilled: with the envelopes, or with last year's amounts when asked."""
    copier = request.method == "POST" and "copier" in request.POST
    copie = _copie(contrat, annee, section) if copier else None
    if copier:
        _annoncer_la_copie(request, copie, annee)
    return GrilleForm(
        request.POST if request.method == "POST" and not copier else None,
        contrat=contrat,
        annee=annee,
        section=section,
        axes=contrat.axes.order_by("ordre", "numero"),
        financeurs=Financeur.objects.filter(collectivite=request.user.collectivite_id).order_by("nom"),
        existantes=_existantes(contrat, annee, section),
        copie=copie,
        peut_supprimer=request.user.has_perm("contrat_ville.delete_enveloppe"),
    )


@login_required
@permission("contrat_ville.add_enveloppe", "contrat_ville.change_enveloppe")
def grille_enveloppes(request, pk):
    contrat = get_object_or_404(Contrat.objects.de(request.user.collectivite_id), pk=pk)
    choix = _choix(request, contrat)
    if not choix.is_valid():
        return _page(request, "grille_enveloppes.html", {"contrat": contrat, "choix": choix}, status=400)
    annee, section = choix.cleaned_data["annee"], choix.cleaned_data["section"]
    grille = _grille(request, contrat, annee, section)
    if grille.is_bound and grille.is_valid():
        reponse = _enregistrer_la_grille(request, grille)
        if reponse is not None:
            return reponse
    contexte = {"contrat": contrat, "choix": choix, "form": grille, "annee": annee, "section": section}
    contexte["retour"] = _avec_filtres("enveloppes", contrat=contrat.pk, annee=annee)
    contexte["historique"] = _historique(request, (Enveloppe, Enveloppe.objects.filter(contrat=contrat)))
    return _page(request, "grille_enveloppes.html", contexte, status=400 if grille.errors else 200)


def _annoncer_la_copie(request, copie, annee):
    if copie:
        messages.info(request, f"Montants de {annee - 1} recopiés : vérifiez-les, puis enregistrez.")
    else:
        messages.info(request, f"Aucune enveloppe en {annee - 1} à recopier.")


def _enregistrer_la_grille(request, grille):
    """Saves the grid and goes back to the list; None when a cell is refused (the form says why)."""
    changes = grille.changements()
    if grille.errors:
        return None
    if not changes:
        messages.info(request, "Aucune modification : rien n'a été enregistré.")
    else:
        try:
            enregistrer(request.user, changes)
        except IntegrityError:
            grille.add_error(
                None, "Une saisie enregistrée entre-temps contredit celle-ci : rechargez la page."
            )
            return None
        messages.success(
            request,
            f"Enveloppes enregistrées : {len(changes)} modification{'s' if len(changes) > 1 else ''}.",
        )
    return redirect(_avec_filtres("enveloppes", contrat=grille.contrat.pk, annee=grille.annee))
