"""The pages' common parts: permissions, the history's wording, the list, form and deletion pages."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db import IntegrityError, models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import capfirst

from ... import historique
from ...enums import NatureContrat
from ...formats import date_fr, euros, taux
from ...models import User
from ...montants import est_montant
from ...roles import REFERENTS

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
