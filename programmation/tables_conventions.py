"""The conventions page's three lists, built as the application's other lists (contrat_ville.tables):
actions that need a convention, conventions to sign, signed ones with their payments. Their rows come in
the order the page computes (by porteur), so no column sorts; the columns of forms are the agents'."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from contrat_ville.tables import MONTANT, ColonneMontant, TableListe, jour_fr, lien, pluriel
from contrat_ville.templatetags.formats_fr import euros


class _TableConventions(TableListe):
    legende_cachee = False

    class Meta(TableListe.Meta):
        orderable = False

    def render_document(self, value):
        return lien("programmation:convention_pdf", value, "PDF")


class ConventionsAEtablirTable(_TableConventions):
    """Rows: {"action": …, "raison": …} (obligations.conventions_requises)."""

    porteur = tables.Column("Porteur", accessor="action__porteur__nom")
    intitule = tables.Column("Action", accessor="action__intitule")
    contrat = tables.Column("Contrat", accessor="action__contrat__intitule")
    statut = tables.Column("Statut", accessor="action__get_statut_display")
    contribution = ColonneMontant("Contribution", accessor="action__contribution")
    motif = tables.Column("Motif", accessor="raison__motif")
    regle = tables.Column("Règle appliquée", accessor="raison__regle")
    # A form a row, rendered with the page's context: {% csrf_token %} as in any form of the application.
    creer = tables.TemplateColumn(
        template_name="programmation/conventions/_creer.html",
        verbose_name=mark_safe('<span class="visuellement-cache">Créer</span>'),
    )
    colonnes_reservees = {"creer": "programmation.add_convention"}

    class Meta(_TableConventions.Meta):
        empty_text = "Aucune convention à établir."

    @property
    def legende(self):
        return f"{pluriel(len(self.rows), 'action')} sans convention"

    def render_porteur(self, record, value):
        return lien("programmation:porteur", record["action"].porteur_id, value)

    def render_intitule(self, record, value):
        return lien("programmation:action", record["action"].pk, value)


class _TableConventionsEtablies(_TableConventions):
    """Rows: actions with their convention (select_related)."""

    porteur = tables.Column("Porteur", accessor="porteur__nom")
    objet = tables.Column("Objet", accessor="convention__objet")

    def render_objet(self, record, value):
        return lien("programmation:action", record.pk, value)


class ConventionsASignerTable(_TableConventionsEtablies):
    exercices = tables.Column("Exercices", accessor="convention", empty_values=())
    contribution = ColonneMontant("Montant")
    document = tables.Column("Document", accessor="convention__pk")
    signature = tables.TemplateColumn(
        template_name="programmation/conventions/_signer.html", verbose_name="Signature"
    )
    colonnes_reservees = {"signature": "programmation.change_convention"}

    class Meta(_TableConventions.Meta):
        empty_text = "Aucune convention en attente de signature."

    @property
    def legende(self):
        return f"{pluriel(len(self.rows), 'convention')} à signer"

    def render_exercices(self, value):
        return f"{value.annee_debut}–{value.annee_fin}" if value.duree_annees > 1 else str(value.annee_debut)


class ConventionsSigneesTable(_TableConventionsEtablies):
    signature = tables.Column("Signée le", accessor="convention__date_signature")
    contribution = ColonneMontant("Accordé")
    verse = ColonneMontant("Versé", accessor="montant_verse")
    echu = ColonneMontant("Dû à ce jour", accessor="montant_echu")
    retard = tables.Column("En retard", accessor="montant_en_retard", attrs=MONTANT, empty_values=())
    document = tables.Column("Document", accessor="convention__pk")

    class Meta(_TableConventions.Meta):
        empty_text = "Aucune convention signée."

    @property
    def legende(self):
        return pluriel(len(self.rows), "convention signée", "conventions signées")

    def render_signature(self, value):
        return jour_fr(value)

    def render_retard(self, value):
        if not value:
            return "—"
        return format_html('<span class="etiquette avertissement">{}</span>', euros(value))
