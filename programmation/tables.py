import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from contrat_ville.tables import MONTANT, SECONDAIRE, ColonneMontant, TableListe, jour_fr, lien, pluriel
from contrat_ville.templatetags.formats_fr import cout_total, nombre


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


# --- the other lists, written by one template (tableau_liste.html) from their declared columns --------


class TrancheTable(TableListe):
    tranche = tables.Column("Tranche", accessor="numero", order_by=("annee", "numero"))
    contrat = tables.Column("Contrat", accessor="contrat__intitule")
    statut = tables.Column("Statut", empty_values=())
    nombre_actions = tables.Column("Actions", attrs=MONTANT)
    cout = tables.Column("Coût", accessor="total_cout", empty_values=(), attrs=MONTANT)
    contribution = ColonneMontant("Contribution", accessor="total_contribution", empty_values=())

    class Meta(TableListe.Meta):
        empty_text = "Aucune tranche pour votre collectivité."

    legende_cachee = False

    @property
    def legende(self):
        # Read by the template once sorted: the length of the rows read, no COUNT of its own.
        return pluriel(len(self.rows), "tranche")

    def render_tranche(self, record):
        return lien("programmation:tranche", record.pk, f"{record.annee} T{record.numero}")

    def render_statut(self, record):
        quand = f" le {jour_fr(record.votee_le)}" if record.votee_le else ""
        return f"{record.get_statut_display()}{quand}"

    def render_cout(self, record):
        return cout_total(record)


class BilanTable(TableListe):
    """A year's actions and their bilans: rendered, late, or to render by the due date (`echeance`)."""

    axe = tables.Column(
        "Axe / thème",
        accessor="axe__intitule",
        empty_values=(),
        order_by=("axe__ordre", "axe__numero", "theme__ordre", "ordre", "pk"),
    )
    action = tables.Column("Action", accessor="intitule")
    operateur = tables.Column("Opérateur", accessor="porteur__nom")
    public = tables.Column(
        "Personnes touchées", accessor="bilan__public_total", empty_values=(), attrs=MONTANT
    )
    etat = tables.Column("Bilan", empty_values=(), orderable=False)
    saisie = tables.Column(
        mark_safe('<span class="visuellement-cache">Saisie</span>'), empty_values=(), orderable=False
    )

    legende_cachee = False
    colonnes_reservees = {"saisie": "programmation.change_bilan"}

    class Meta(TableListe.Meta):
        pass

    def __init__(self, *args, annee, echeance, aujourdhui, **kwargs):
        kwargs.setdefault("empty_text", f"Aucune action en {annee} pour votre collectivité.")
        super().__init__(*args, **kwargs)
        self.echeance, self.aujourdhui = echeance, aujourdhui

    @property
    def legende(self):
        return pluriel(len(self.rows), "action")

    @staticmethod
    def _bilan(action):
        return getattr(action, "bilan", None)  # read with the action (select_related): no query

    def render_axe(self, record):
        axe = record.axe.intitule if record.axe else ""
        return f"{axe} — {record.theme}" if record.theme else axe

    def render_action(self, record, value):
        return lien("programmation:bilan", record.pk, value)

    def render_public(self, record):
        bilan = self._bilan(record)
        return nombre(bilan.public_total) if bilan else ""

    def render_etat(self, record):
        bilan = self._bilan(record)
        if bilan:
            if bilan.en_retard:
                return mark_safe('<span class="statut anomalie">Rendu en retard</span>')
            return "Rendu"
        if self.aujourdhui > self.echeance:
            return mark_safe('<strong class="erreurs">En retard</strong>')
        return "À rendre"

    def render_saisie(self, record):
        return format_html(
            '<a class="bouton secondaire" href="{}">Saisir'
            '<span class="visuellement-cache"> le bilan de {}</span></a>',
            reverse("programmation:bilan_saisir", args=[record.pk]),
            record.intitule,
        )
