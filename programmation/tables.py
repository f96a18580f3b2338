import django_tables2 as tables


def pluriel(nombre, singulier, pluriel_=None):
    """« 0 action », « 1 action », « 2 actions »: French puts 0 and 1 in the singular."""
    forme = singulier if abs(nombre) < 2 else (pluriel_ or f"{singulier}s")
    return f"{nombre} {forme}"


def lignes_de_totaux(totaux):
    """The totals rows of the list and of its exports, each saying what it counts.

    The programmation's subsidies apart from the actions the authority carries itself (maître
    d'ouvrage, « hors programmation » as in the annex 2 of a tranche); one pair of rows per year when
    the list holds several years, then the pair for all of them. Rows: {annee, libelle, nombre,
    couts_connus, cout, contribution, cofinancements}."""
    par_annee = totaux.get("par_annee", [])
    plusieurs = len(par_annee) > 1

    def paire(groupe, annee):
        subventions, ouvrage = groupe["subventions"], groupe["maitrise_ouvrage"]
        lignes = [
            {
                "annee": annee,
                "libelle": pluriel(subventions["nombre"], "action subventionnée", "actions subventionnées"),
                **subventions,
            }
        ]
        if ouvrage["nombre"]:
            lignes.append(
                {
                    "annee": annee,
                    "libelle": "Hors programmation : "
                    f"{pluriel(ouvrage['nombre'], 'action')} en maîtrise d'ouvrage",
                    **ouvrage,
                }
            )
        return lignes

    lignes = []
    if plusieurs:
        for groupe in par_annee:
            lignes += paire(groupe, str(groupe["annee"]))
    annee = "Toutes années" if plusieurs else (str(par_annee[0]["annee"]) if par_annee else "")
    if totaux:
        lignes += paire(totaux, annee)
    return lignes


# Columns a tablet can do without: hidden below 60 rem (see app.css), still in the exports.
SECONDAIRE = {"th": {"class": "secondaire"}, "td": {"class": "secondaire"}, "tf": {"class": "secondaire"}}
MONTANT = {"th": {"class": "montant"}, "td": {"class": "montant"}, "tf": {"class": "montant"}}


class ActionTable(tables.Table):
    numero_dauphin = tables.Column("N° Dauphin", attrs=SECONDAIRE)
    annee = tables.Column("Année")
    intitule = tables.Column("Intitulé")
    porteur = tables.Column("Porteur", order_by=("porteur__nom",))
    axe = tables.Column("Axe", order_by=("axe__contrat__libelle_niveau", "axe__numero"))
    territoire = tables.Column("Territoire", attrs=SECONDAIRE)
    cout = tables.Column("Coût", attrs=MONTANT)
    contribution = tables.Column("Contribution", attrs=MONTANT)
    total_cofinancements = tables.Column("Cofinancements", attrs=MONTANT)
    statut = tables.Column("Statut")

    class Meta:
        template_name = "programmation/tableau.html"
        attrs = {"class": "programmation cartes"}
        empty_text = "Aucune action ne correspond à ces critères."

    def __init__(self, *args, totaux=None, **kwargs):
        self.totaux = totaux or {}
        self.lignes_de_totaux = lignes_de_totaux(self.totaux)
        super().__init__(*args, **kwargs)

    # Cells and totals rows are written by programmation/tableau.html itself (see there why).
