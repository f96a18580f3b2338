import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from contrat_ville.formats import euros


class MontantColumn(tables.Column):
    """Money, right-aligned, in French format; the footer shows the filtered set's total."""

    def __init__(self, *args, total=None, **kwargs):
        attrs = {"th": {"class": "montant"}, "td": {"class": "montant"}, "tf": {"class": "montant"}}
        footer = (lambda table: euros(table.totaux[total])) if total else None
        super().__init__(*args, attrs=attrs, footer=footer, **kwargs)

    def render(self, value):
        return euros(value)


# Columns a tablet can do without: hidden below 60 rem (see app.css), still in the exports.
SECONDAIRE = {"th": {"class": "secondaire"}, "td": {"class": "secondaire"}, "tf": {"class": "secondaire"}}


class ActionTable(tables.Table):
    numero_dauphin = tables.Column("N° Dauphin", attrs=SECONDAIRE)
    intitule = tables.Column("Intitulé", footer=lambda table: f"Total : {table.totaux['nombre']} actions")
    porteur = tables.Column("Porteur", order_by=("porteur__nom",))
    axe = tables.Column("Axe", order_by=("axe__contrat__libelle_niveau", "axe__numero"))
    territoire = tables.Column("Territoire", attrs=SECONDAIRE)
    cout = MontantColumn("Coût", total="cout")
    contribution = MontantColumn("Contribution", total="contribution")
    total_cofinancements = MontantColumn("Cofinancements", total="cofinancements")
    statut = tables.Column("Statut")

    class Meta:
        template_name = "programmation/tableau.html"
        attrs = {"class": "programmation"}
        empty_text = "Aucune action ne correspond à ces critères."

    def __init__(self, *args, totaux=None, **kwargs):
        self.totaux = totaux or {}
        super().__init__(*args, **kwargs)

    def render_intitule(self, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("programmation:action", args=[record.pk]), record.intitule
        )

    def render_porteur(self, record):
        lien = reverse("programmation:porteur", args=[record.porteur_id])
        return format_html('<a href="{}">{}</a>', lien, record.porteur.nom)

    def render_axe(self, record):
        return f"{record.axe.contrat.libelle_niveau} {record.axe.numero}"

    def render_statut(self, record):
        return record.get_statut_display()
