"""The délibérations' lists (séances, délibérations, journal, instances, élus), written by
tableau_liste.html from the columns declared here (see contrat_ville.tables.TableListe)."""

import django_tables2 as tables
from django.template.defaultfilters import date
from django.utils import timezone
from django.utils.safestring import mark_safe
from django_tables2.rows import BoundRows

from contrat_ville.tables import MONTANT, TableListe, jour_fr, lien

from .journal import COLONNES, lisibles


class SeanceTable(TableListe):
    seance = tables.Column("Séance", accessor="date", order_by=("date", "pk"))
    date_convocation = tables.Column("Convoquée le")
    membres_en_exercice = tables.Column("En exercice", attrs=MONTANT)
    nombre_presents = tables.Column("Présents", attrs=MONTANT)
    nombre_pouvoirs = tables.Column("Pouvoirs", attrs=MONTANT)
    nombre_votants = tables.Column("Votants", attrs=MONTANT)
    quorum = tables.Column("Quorum", accessor="quorum_atteint", empty_values=(), order_by=("quorum_atteint",))
    nombre_deliberations = tables.Column("Délibérations", attrs=MONTANT)

    class Meta(TableListe.Meta):
        empty_text = "Aucune séance pour votre collectivité."

    @property
    def legende(self):
        # Said while the rows are in their first order (read from the query when ?sort= names none).
        plus_recente = tuple(map(str, self.order_by)) in ((), ("-seance",))
        return "Séances des instances" + (", de la plus récente à la plus ancienne" if plus_recente else "")

    def render_seance(self, record):
        return lien("deliberations:seance", record.pk, f"{record.instance} du {jour_fr(record.date)}")

    def render_date_convocation(self, value):
        return jour_fr(value)

    def render_quorum(self, record):
        if record.quorum_atteint:
            return mark_safe('<span class="etiquette ok">atteint</span>')
        if record.nombre_presents:
            return mark_safe('<span class="etiquette bloquant">non atteint</span>')
        return mark_safe('<span class="etiquette">à constater</span>')


class DeliberationTable(TableListe):
    numero = tables.Column("Numéro", empty_values=())
    objet = tables.Column("Objet")
    seance = tables.Column(
        "Séance", accessor="seance__date", order_by=("seance__date", "seance__instance__nom")
    )
    vote = tables.Column("Vote", accessor="etat", orderable=False)
    executoire = tables.Column("Exécutoire", accessor="est_executoire", empty_values=(), orderable=False)

    legende = "Délibérations de votre collectivité"

    class Meta(TableListe.Meta):
        empty_text = "Aucune délibération pour votre collectivité."

    def render_numero(self, record, value):
        return lien("deliberations:deliberation", record.pk, value)

    def render_seance(self, record):
        return f"{record.seance.instance}, {jour_fr(record.seance.date)}"

    def render_executoire(self, value):
        return "oui" if value else "non"


class JournalTable(TableListe):
    """The authority's trail (deliberations.journal), newest first: a trail is read in its order, never
    sorted. The rows of the page only are written for a reader (`lisibles`)."""

    date = tables.Column("Date", orderable=False)
    auteur = tables.Column("Par", orderable=False)
    objet = tables.Column("Objet", orderable=False)
    champ = tables.Column("Changement", orderable=False)
    avant = tables.Column("Avant", orderable=False, default="—")
    apres = tables.Column("Après", orderable=False, default="—")

    class Meta(TableListe.Meta):
        empty_text = "Aucune modification enregistrée."

    @property
    def legende(self):
        return f"Journal des modifications, page {self.page.number if self.page else 1}"

    def paginate(self, *args, **kwargs):
        super().paginate(*args, **kwargs)
        lignes = lisibles(self.page.object_list.data)
        self.page.object_list = BoundRows([dict(zip(COLONNES, ligne, strict=True)) for ligne in lignes], self)

    def render_date(self, value):
        return date(timezone.localtime(value), "j F Y à H:i")


class InstanceTable(TableListe):
    nom = tables.Column("Instance")
    nature = tables.Column("Nature")
    nombre_membres = tables.Column("Membres en exercice", attrs=MONTANT)

    legende = "Instances de votre collectivité"

    class Meta(TableListe.Meta):
        empty_text = "Aucune instance pour votre collectivité."

    def render_nom(self, record, value):
        return lien("deliberations:instance", record.pk, value)

    def render_nature(self, record):
        return record.get_nature_display()


class EluTable(TableListe):
    elu = tables.Column("Élu", accessor="nom", order_by=("nom", "prenom"))
    fonction = tables.Column("Fonction")
    mandat = tables.Column(
        "Mandat", accessor="debut_mandat", empty_values=(), order_by=("debut_mandat", "fin_mandat")
    )
    nombre_instances = tables.Column("Instances", attrs=MONTANT)

    @property
    def legende(self):
        par_nom = tuple(map(str, self.order_by)) in ((), ("elu",))
        return "Élus de votre collectivité" + (", par nom" if par_nom else "")

    class Meta(TableListe.Meta):
        empty_text = "Aucun élu pour votre collectivité."

    def __init__(self, *args, peut_modifier=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.peut_modifier = peut_modifier

    def render_elu(self, record):
        return lien("deliberations:elu_modifier", record.pk, record) if self.peut_modifier else str(record)

    def render_mandat(self, record):
        debut = f"depuis le {jour_fr(record.debut_mandat)}" if record.debut_mandat else ""
        fin = f" jusqu'au {jour_fr(record.fin_mandat)}" if record.fin_mandat else ""
        return debut + fin
