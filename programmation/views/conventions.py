"""Conventions to draw up and sign, their PDF, and the payments that follow. POST-only for changes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from contrat_ville.documents import reponse_du_document_conserve, servir_en_cache
from contrat_ville.formats import date_fr

from ..conventions import convention_pdf, nom_fichier, regles_en_vigueur
from ..documents import cle_convention
from ..enums import StatutAction, StatutConvention
from ..forms_conventions import PaiementForm, SignatureForm
from ..models import Action, Convention, Paiement, annoter_versements
from ..obligations import conventions_requises
from ..tables_conventions import ConventionsAEtablirTable, ConventionsASignerTable, ConventionsSigneesTable
from .commun import appliquer, entier_parmi

voir = permission_required("programmation.view_convention", raise_exception=True)


@login_required
@voir
def convention_liste(request):
    actions = Action.objects.visibles_par(request.user).subventions()
    annees = actions.annees()[::-1]
    annee = entier_parmi(request.GET.get("annee"), annees) or (annees or [None])[0]
    candidates = list(
        actions.filter(annee=annee, convention__isnull=True)
        .exclude(statut__in=[StatutAction.REFUSEE, StatutAction.ABANDONNEE])
        .select_related("porteur", "contrat", "tranche")
    )
    # Conventions covering the year, with each action's payments: one query.
    conventionnees = annoter_versements(
        actions.filter(convention__annee_debut__lte=annee or 0)
        .filter(convention__annee_debut__gt=(annee or 0) - F("convention__duree_annees"))
        .select_related("convention", "porteur", "contrat")
        .order_by("porteur__nom", "pk")
    )
    a_etablir = conventions_requises(candidates, request.user.collectivite)
    a_signer = [a for a in conventionnees if a.convention.statut == StatutConvention.A_SIGNER]
    signees = [a for a in conventionnees if a.convention.statut != StatutConvention.A_SIGNER]
    contexte = {
        "annees": annees,
        "annee": annee,
        "regles": regles_en_vigueur(request.user.collectivite),
        "a_etablir": ConventionsAEtablirTable(
            [{"action": action, "raison": raison} for action, raison in a_etablir], user=request.user
        ),
        "a_signer": ConventionsASignerTable(a_signer, user=request.user),
        "signees": ConventionsSigneesTable(signees, user=request.user),
    }
    return render(request, "programmation/conventions/liste.html", contexte)


def _convention(request, pk):
    return get_object_or_404(
        Convention.objects.visibles_par(request.user).select_related("action__porteur", "action__contrat"),
        pk=pk,
    )


@require_POST
@login_required
@permission_required("programmation.add_convention", raise_exception=True)
def convention_creer(request, pk):
    action = get_object_or_404(
        Action.objects.visibles_par(request.user).select_related("contrat", "tranche", "porteur"), pk=pk
    )
    appliquer(
        request,
        lambda: Convention.objects.creer_pour(action),
        lambda c: f"Convention créée pour « {action.intitule} » ({c.duree_annees} an(s)) : à faire signer.",
    )
    if request.POST.get("retour") == "action":
        return redirect("programmation:action", pk=action.pk)
    return redirect(f"{reverse('programmation:conventions')}?annee={action.annee}")


@login_required
@voir
def convention_telecharger(request, pk):
    convention = _convention(request, pk)
    nom = nom_fichier(convention)
    # Approved by a vote: the draft as approved, then its signed copy (kept by the délibérations).
    if (reponse := reponse_du_document_conserve(request, "convention-pdf", convention.pk, nom)) is not None:
        return reponse
    return servir_en_cache(request, cle_convention(convention.pk), nom, lambda _: convention_pdf(convention))


@require_POST
@login_required
@permission_required("programmation.change_convention", raise_exception=True)
def convention_signer(request, pk):
    convention = _convention(request, pk)
    form = SignatureForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Date de signature invalide : saisissez une date (jj/mm/aaaa).")
    else:
        appliquer(
            request,
            lambda: convention.signer(form.cleaned_data["date_signature"], request.user),
            lambda _: f"Convention signée le {date_fr(convention.date_signature)}.",
        )
    return redirect(f"{reverse('programmation:conventions')}?annee={convention.annee_debut}")


@require_POST
@login_required
@permission_required("programmation.add_paiement", raise_exception=True)
def paiement_creer(request, pk):
    action = get_object_or_404(Action.objects.visibles_par(request.user), pk=pk)
    form = PaiementForm(request.POST)
    if not form.is_valid():
        erreurs = "; ".join(f"{form.fields[c].label} : {' '.join(e)}" for c, e in form.errors.items())
        messages.error(request, f"Versement non enregistré. {erreurs}")
    else:
        appliquer(
            request,
            lambda: Paiement.objects.enregistrer(action, auteur=request.user, **form.cleaned_data),
            lambda p: f"Versement enregistré : {p}.",
        )
    return redirect("programmation:action", pk=action.pk)
