import django_tables2 as tables

from contrat_ville.formats import euros


class MontantColumn(tables.Column):
    """Money, right-aligned; the footer shows the filtered set's total in French format."""

    def __init__(self, *args, total=None, **kwargs):
        attrs = {"th": {"class": "montant"}, "td": {"class": "montant"}, "tf": {"class": "montant"}}
        footer = (lambda table: euros(table.totaux[total])) if total else None
        super().__init__(*args, attrs=attrs, footer=footer, **kwargs)


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

    # Cells are written by programmation/tableau.html itself (see there why).
