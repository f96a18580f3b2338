"""The référentiels' lists (contracts, financeurs, quartiers), as the application's other lists: a table
per list (contrat_ville.tables.TableListe), each with a « Modifier » button a row for whom may change it."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..tables import MONTANT, TableListe, jour_fr, pluriel


class TableReferentiel(TableListe):
    """A visible caption counting the rows; the button column is left out for whom may not change
    (`colonnes_reservees`: each list names its model's change permission)."""

    legende_cachee = False
    objet = ""  # the row's noun, for the caption
    modification = ""  # the URL name of a row's change page
    # The header read aloud, not shown: the buttons say what they do.
    modifier = tables.Column(
        mark_safe('<span class="visuellement-cache">Modifier</span>'), accessor="pk", orderable=False
    )

    @property
    def legende(self):
        return pluriel(len(self.rows), self.objet)

    def render_modifier(self, record):
        return format_html(
            '<a class="bouton secondaire" href="{}">Modifier<span class="visuellement-cache"> {}</span></a>',
            reverse(self.modification, args=[record.pk]),
            self.nom_de(record),
        )

    def nom_de(self, record):
        return str(record)


class FinanceurTable(TableReferentiel):
    objet, modification = "financeur", "referentiels:financeur_modifier"
    colonnes_reservees = {"modifier": "contrat_ville.change_financeur"}
    nom = tables.Column("Nom")
    nature = tables.Column("Nature")
    precision = tables.Column("Précision")

    class Meta(TableListe.Meta):
        empty_text = "Aucun financeur pour votre collectivité."
        sequence = ("nom", "nature", "precision", "modifier")

    def nom_de(self, record):
        return record.nom


class QuartierTable(TableReferentiel):
    objet, modification = "quartier", "referentiels:quartier_modifier"
    colonnes_reservees = {"modifier": "contrat_ville.change_quartier"}
    commune = tables.Column("Commune")
    nom = tables.Column("Nom")
    code = tables.Column("Code", default="non renseigné")
    nature = tables.Column("Nature")

    class Meta(TableListe.Meta):
        empty_text = "Aucun quartier pour votre collectivité."
        sequence = ("commune", "nom", "code", "nature", "modifier")


class ContratTable(TableReferentiel):
    objet, modification = "contrat", "referentiels:contrat_modifier"
    colonnes_reservees = {"modifier": "contrat_ville.change_contrat"}
    intitule = tables.Column("Intitulé")
    nature = tables.Column("Nature")
    periode = tables.Column("Période", accessor="annee_debut", order_by=("annee_debut", "annee_fin"))
    libelle_niveau = tables.Column("Premier niveau")
    adoption = tables.Column("Adoption", accessor="date_adoption", empty_values=())
    nombre_axes = tables.Column("Axes", attrs=MONTANT)
    nombre_enveloppes = tables.Column("Enveloppes", attrs=MONTANT)

    class Meta(TableListe.Meta):
        empty_text = "Aucun contrat pour votre collectivité."
        sequence = (
            "intitule",
            "nature",
            "periode",
            "libelle_niveau",
            "adoption",
            "nombre_axes",
            "nombre_enveloppes",
            "modifier",
        )

    def nom_de(self, record):
        return record.intitule

    def render_periode(self, record):
        return record.periode

    def render_adoption(self, record):
        date = jour_fr(record.date_adoption) if record.date_adoption else ""
        instance = f" ({record.instance_adoption})" if record.instance_adoption else ""
        return date + instance

    def render_nombre_axes(self, record, value):
        lien = reverse("referentiels:axes") + f"?contrat={record.pk}"
        return format_html('<a href="{}">{}</a>', lien, value)

    def render_nombre_enveloppes(self, record, value):
        lien = reverse("referentiels:enveloppes") + f"?contrat={record.pk}"
        return format_html('<a href="{}">{}</a>', lien, value)
