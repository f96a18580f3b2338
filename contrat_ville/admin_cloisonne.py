"""The back-office's building blocks, partitioned by authority.

A non-superuser administrator sees and writes only their own authority's records: every list, every
drop-down (foreign key, many-to-many, inline, autocomplete, list filter) is limited to it, so that a
posted id of another authority is refused by the form as an invalid choice and nothing is saved.
A ValidationError raised while saving or deleting (the lock of a voted tranche) becomes a message on
the page, and the whole request is rolled back: never a 500, never a half-saved object. Totals rows of
the list pages (AvecTotaux) too. Every app's admin.py builds on these.
"""

from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import router, transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.forms import ModelChoiceField
from django.forms.models import _get_foreign_key
from django.http import HttpResponseRedirect

from .cloisonnement import chemin_vers_la_collectivite
from .formats import euros, nombre
from .models import (
    Collectivite,
    User,
)
from .montants import AdminMontants, somme
from .roles import ADMINISTRATEURS, AGENTS, ELUS
from .templatetags.formats_fr import NON_RENSEIGNE, euros_connus

# The only groups a non-superuser may hand out: the application's roles.
ROLES = [AGENTS, ELUS, ADMINISTRATEURS]


def chemin_vers_collectivite(modele):
    """The lookup from a model to its authority: its admin's own `chemin_collectivite`, else computed."""
    modele = modele._meta.concrete_model
    modele_admin = admin.site._registry.get(modele)
    chemin = getattr(modele_admin, "chemin_collectivite", None)
    return chemin or chemin_vers_la_collectivite(modele)


def limiter(queryset, user, chemin=None):
    """The rows of this queryset that this user may see and point at (everything for a superuser)."""
    if user.is_superuser:
        return queryset
    modele = queryset.model
    if issubclass(modele, Group):
        return queryset.filter(name__in=ROLES)
    chemin = chemin or chemin_vers_collectivite(modele)
    if chemin is None or not user.collectivite_id:
        # Nothing tells which authority these rows belong to: refuse rather than leak.
        return queryset.none()
    queryset = queryset.filter(**{chemin: user.collectivite_id})
    if issubclass(modele, User):
        # A superuser's account is not an authority's business (password, rights).
        queryset = queryset.filter(is_superuser=False)
    return queryset


def en_euros(montant):
    """An amount in a back-office list, as the pages write it (« 19 003 € », unknown « non renseigné »,
    never 0 €). Columns named `…_euros` are right-aligned by static/css/admin.css."""
    return euros_connus(montant)


@dataclass(frozen=True)
class Total:
    """One total of a back-office list (`AvecTotaux.totaux`): the sum of `champ` over the filtered rows.

    `connus` names the known amounts of a column where some are unknown (« coûts connus »): the total
    then says how many it adds up, for a sum of unknowns is not 0 €. A sum of sums (a tranche's actions)
    names in `compte_connus` and `compte` the annotations counting its known and all amounts.
    """

    champ: str
    connus: str = ""
    compte_connus: str = ""
    compte: str = ""


def calculer_totaux(queryset, totaux):
    """The totals of these rows, all of them in one query: [{"libelle", "montant", "connus"}]."""
    totaux = {libelle: t if isinstance(t, Total) else Total(t) for libelle, t in totaux.items()}
    for libelle, total in totaux.items():
        try:
            nullable = queryset.model._meta.get_field(total.champ).null
        except FieldDoesNotExist:  # an annotation
            nullable = False
        if nullable and not total.connus:
            # A column that may hold unknowns always says how many of its amounts are known.
            totaux[libelle] = Total(total.champ, connus="montants connus")
    sommes = {}
    for i, total in enumerate(totaux.values()):
        sommes[f"somme_{i}"] = somme(total.champ)
        if total.connus and total.compte:
            sommes[f"connus_{i}"] = Coalesce(Sum(total.compte_connus), 0)
            sommes[f"sur_{i}"] = Coalesce(Sum(total.compte), 0)
        elif total.connus:
            sommes[f"connus_{i}"] = Count(total.champ)
            sommes[f"sur_{i}"] = Count("pk")
    valeurs = queryset.aggregate(**sommes) if sommes else {}
    lignes = []
    for i, (libelle, total) in enumerate(totaux.items()):
        montant, connus, sur = valeurs[f"somme_{i}"], valeurs.get(f"connus_{i}"), valeurs.get(f"sur_{i}")
        ligne = {"libelle": libelle, "montant": euros(montant), "connus": ""}
        if connus is not None and sur:
            ligne["connus"] = f"{total.connus} : {nombre(connus)} sur {nombre(sur)}"
            if not connus:
                ligne["montant"] = NON_RENSEIGNE
        lignes.append(ligne)
    return lignes


class AvecTotaux:
    """A list page with the totals of its amounts, under its search and filters, across all its pages.

    `totaux = {"libellé": "champ" or Total(...)}`. Placed before `ParCollectivite` in the bases. The sums
    are made by the database on the changelist's filtered queryset: one query, however many rows.
    """

    totaux = {}
    change_list_template = "admin/change_list_totaux.html"

    def changelist_view(self, request, extra_context=None):
        reponse = super().changelist_view(request, extra_context)
        # The filtered queryset exists once the changelist is built: its response is not rendered yet.
        contexte = getattr(reponse, "context_data", None)
        cl = contexte.get("cl") if contexte else None
        # Nothing kept by the search and filters: nothing to add up (not « 0 € »).
        if cl is not None and self.totaux and cl.result_count:
            n = cl.result_count
            nom = cl.opts.verbose_name if n == 1 else cl.opts.verbose_name_plural
            contexte["totaux"] = calculer_totaux(cl.queryset, self.totaux)
            contexte["totaux_de"] = f"{nombre(n)} {nom}"
        return reponse


def message_d_erreur(erreur):
    return " ".join(erreur.messages) or "Cette modification est refusée."


class FiltreCloisonne(admin.RelatedFieldListFilter):
    """A list filter on a relation that offers only the user's authority's objects."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        autorises = limiter(field.related_model._default_manager.all(), request.user)
        return field.get_choices(
            include_blank=False, ordering=ordering, limit_choices_to={"pk__in": autorises.values("pk")}
        )


class AdminCloisonne(AdminMontants):
    """For ModelAdmins and inlines alike: every drop-down limited to the user's authority."""

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        if request.user.is_superuser:
            return queryset
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(db).all()
        return limiter(queryset, request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and not request.user.is_superuser and db_field.related_model is Collectivite:
            # Their own authority, and only it: chosen already.
            formfield.empty_label = None
            formfield.initial = request.user.collectivite_id
        return formfield

    def get_queryset(self, request):
        return limiter(super().get_queryset(request), request.user)


class ParCollectivite(AdminCloisonne, admin.ModelAdmin):
    """Staff who are not superusers see and write only their own authority's records.

    `chemin_collectivite` is the lookup to the authority; left empty, it is found by following the
    foreign keys. Inlines must be `InlineCloisonne`s (tests/securite/test_attaques_admin.py checks it).
    """

    chemin_collectivite = None

    def get_queryset(self, request):
        queryset = super(AdminCloisonne, self).get_queryset(request)
        chemin = self.chemin_collectivite or chemin_vers_la_collectivite(self.model)
        return limiter(queryset, request.user, chemin)

    def get_list_filter(self, request):
        filtres = super().get_list_filter(request)
        if request.user.is_superuser:
            return filtres
        return [self._filtre_cloisonne(f) for f in filtres]

    def _filtre_cloisonne(self, filtre):
        if not isinstance(filtre, str):
            return filtre
        try:
            champ = get_fields_from_path(self.model, filtre)[-1]
        except FieldDoesNotExist:
            return filtre
        if champ.is_relation:
            return (filtre, FiltreCloisonne)
        return filtre

    # A refused save or delete: a message, and the whole request rolled back.

    def _refus(self, request, erreur, adresse):
        self.message_user(request, message_d_erreur(erreur), messages.ERROR)
        return HttpResponseRedirect(adresse)

    def _atomique(self):
        return transaction.atomic(using=router.db_for_write(self.model))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            with self._atomique():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as erreur:
            return self._refus(request, erreur, request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            with self._atomique():
                return super().delete_view(request, object_id, extra_context)
        except ValidationError as erreur:
            return self._refus(request, erreur, request.get_full_path())

    def changelist_view(self, request, extra_context=None):
        # Bulk actions ("delete selected" and the custom ones) and list_editable saves.
        try:
            with self._atomique():
                return super().changelist_view(request, extra_context)
        except ValidationError as erreur:
            return self._refus(request, erreur, request.get_full_path())

    def delete_queryset(self, request, queryset):
        # One by one, so that each model's delete() applies its own rules (a queryset's delete skips them).
        for objet in queryset:
            self.delete_model(request, objet)


class InlineCloisonne(AdminCloisonne):
    """Mixed into every inline: its rows and its own drop-downs limited to the authority."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if request.user.is_superuser:
            return formset

        class FormSetCloisonne(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                # Django offers every row of the table in each row's hidden id: only this parent's rows.
                champ = form.fields.get(self._pk_field.name)
                if isinstance(champ, ModelChoiceField):
                    champ.queryset = self.get_queryset()

        return FormSetCloisonne

    def get_queryset(self, request):
        # The rows belong where their parent belongs.
        queryset = super(AdminCloisonne, self).get_queryset(request)
        parent = _get_foreign_key(self.parent_model, self.model, fk_name=self.fk_name)
        chemin = chemin_vers_collectivite(self.parent_model)
        return limiter(queryset, request.user, chemin and f"{parent.name}__{chemin}")


class TabularInline(InlineCloisonne, admin.TabularInline):
    pass


class StackedInline(InlineCloisonne, admin.StackedInline):
    pass
