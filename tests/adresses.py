"""The application's URLs, classified for the permission matrix and the form fuzzing: which are public,
which only read, which change the reference data (référents), which name an object (and of which
model), and a world of two authorities with every role and one object of each model for each authority."""

from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from contrat_ville.models import User
from contrat_ville.roles import ADMINISTRATEURS, REFERENTS, synchroniser_roles

PUBLIQUES = {
    "accueil",
    "sante",
    "accessibilite",
    "mentions_legales",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
# Pages an elected official may read (GET). Every other page changes something: 403 for officials.
LECTURE = {
    "document",
    "document_telecharger",
    "programmation:programmation",
    "programmation:tableau_de_bord",
    "programmation:action",
    "programmation:porteur",
    "programmation:dispositif",
    "programmation:conventions",
    "programmation:convention_pdf",
    "programmation:tranches",
    "programmation:tranche",
    "programmation:tranche_annexe_pdf",
    "programmation:tranche_annexe_xlsx",
    "programmation:bilans",
    "programmation:bilan",
    "programmation:rapports",
    "programmation:rapport_pdf",
    "programmation:rapport_xlsx",
    "programmation:indicateurs",
    "deliberations:liste",
    "deliberations:deliberation",
    "deliberations:extrait_pdf",
    "deliberations:acte_fige",
    "deliberations:seances",
    "deliberations:seance",
    "deliberations:donnees_ouvertes",
    "deliberations:journal",
    "referentiels:index",
    "referentiels:contrats",
    "referentiels:financeurs",
    "referentiels:enveloppes",
    "referentiels:quartiers",
    "referentiels:axes",
    "deliberations:instances",
    "deliberations:instance",
    "deliberations:elus",
    "parametres",
}
# Pages that change the authority's reference data: its référents' (and administrators'), 403 for agents.
# Every page of the « referentiels » namespace that is not a read page is one (test_it_classifies_…).
REFERENTIELS = {
    "referentiels:contrat_creer",
    "referentiels:contrat_modifier",
    "referentiels:financeur_creer",
    "referentiels:financeur_modifier",
    "referentiels:financeur_supprimer",
    "referentiels:enveloppe_creer",
    "referentiels:enveloppe_modifier",
    "referentiels:enveloppe_supprimer",
    "referentiels:enveloppes_grille",
    "referentiels:quartier_creer",
    "referentiels:quartier_modifier",
    "referentiels:axe_creer",
    "referentiels:axe_modifier",
    "referentiels:theme_creer",
    "referentiels:theme_modifier",
    "deliberations:instance_creer",
    "deliberations:instance_modifier",
    "deliberations:instance_membres",
    "deliberations:instance_importer",
    "deliberations:instance_importer_confirmer",
    "deliberations:elu_creer",
    "deliberations:elu_modifier",
    "deliberations:registre",
    "deliberations:modeles",
    "deliberations:modele",
    "parametres_modifier",
}
# Pages that change the authority itself (its SIRET): superusers only, 403 for everyone else.
ADMINISTRATION = {"deliberations:donnees_ouvertes_siret"}
# The model each <pk> names, to fetch one object of each authority.
OBJETS = {
    "document": "contrat_ville.DocumentGenere",
    "document_telecharger": "contrat_ville.DocumentGenere",
    "programmation:action": "programmation.Action",
    "programmation:action_modifier": "programmation.Action",
    "programmation:action_statut": "programmation.Action",
    "programmation:action_reconduire": "programmation.Action",
    "programmation:porteur": "programmation.Porteur",
    "programmation:dispositif": "contrat_ville.Dispositif",
    "programmation:convention_creer": "programmation.Action",
    "programmation:convention_pdf": "programmation.Convention",
    "programmation:convention_signer": "programmation.Convention",
    "programmation:paiement_creer": "programmation.Action",
    "programmation:importation": "programmation.Importation",
    "programmation:importation_colonnes": "programmation.Importation",
    "programmation:importation_charger": "programmation.Importation",
    "programmation:tranche": "programmation.Tranche",
    "programmation:tranche_composer": "programmation.Tranche",
    "programmation:tranche_ajouter": "programmation.Tranche",
    "programmation:tranche_retirer": "programmation.Tranche",
    "programmation:tranche_soumettre": "programmation.Tranche",
    "programmation:tranche_annexe_pdf": "programmation.Tranche",
    "programmation:tranche_annexe_xlsx": "programmation.Tranche",
    "programmation:bilan": "programmation.Action",
    "programmation:bilan_saisir": "programmation.Action",
    "programmation:rapport_pdf": "programmation.RapportAnnuel",
    "programmation:rapport_xlsx": "programmation.RapportAnnuel",
    "deliberations:deliberation": "deliberations.Deliberation",
    "deliberations:extrait_pdf": "deliberations.Deliberation",
    "deliberations:deplacer": "deliberations.Deliberation",
    "deliberations:retirer": "deliberations.Deliberation",
    "deliberations:voter": "deliberations.Deliberation",
    "deliberations:presence": "deliberations.Deliberation",
    "deliberations:prefecture": "deliberations.Deliberation",
    "deliberations:ligne": "deliberations.Deliberation",
    "deliberations:seance": "deliberations.Seance",
    "deliberations:seance_modifier": "deliberations.Seance",
    "deliberations:seance_presences": "deliberations.Seance",
    "deliberations:seance_tous_presents": "deliberations.Seance",
    "deliberations:seance_reprendre_presences": "deliberations.Seance",
    "deliberations:seance_inscrire": "deliberations.Seance",
    "referentiels:contrat_modifier": "contrat_ville.Contrat",
    "referentiels:financeur_modifier": "contrat_ville.Financeur",
    "referentiels:financeur_supprimer": "contrat_ville.Financeur",
    "referentiels:enveloppe_modifier": "contrat_ville.Enveloppe",
    "referentiels:enveloppe_supprimer": "contrat_ville.Enveloppe",
    "referentiels:enveloppes_grille": "contrat_ville.Contrat",
    "referentiels:quartier_modifier": "contrat_ville.Quartier",
    "referentiels:axe_modifier": "contrat_ville.Axe",
    "referentiels:theme_modifier": "contrat_ville.Theme",
    "deliberations:instance": "deliberations.Instance",
    "deliberations:instance_modifier": "deliberations.Instance",
    "deliberations:instance_membres": "deliberations.Instance",
    "deliberations:instance_importer": "deliberations.Instance",
    "deliberations:instance_importer_confirmer": "deliberations.Instance",
    "deliberations:elu_modifier": "deliberations.Elu",
    "deliberations:modele": "contrat_ville.Contrat",
    "deliberations:rediger": "deliberations.Deliberation",
    "programmation:action_supprimer": "programmation.Action",
    "deliberations:acte_fige": "deliberations.ActeFige",
}


def _adresses(patterns=None, prefixe="", espace=None):
    for motif in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(motif, URLResolver):
            if motif.namespace != "admin":
                yield from _adresses(
                    motif.url_patterns, prefixe + str(motif.pattern), motif.namespace or espace
                )
        elif isinstance(motif, URLPattern):
            nom = f"{espace}:{motif.name}" if espace else motif.name
            yield nom, sorted(motif.pattern.converters)


ADRESSES = sorted(dict(_adresses()).items())


def une_de(modele, collectivite):
    from contrat_ville.cloisonnement import chemin_vers_la_collectivite

    chemin = chemin_vers_la_collectivite(modele)
    return modele._default_manager.filter(**{chemin: collectivite}).order_by("pk").first()


def creer(label, collectivite):
    """An object of `label` for the authority, when the demo data has none."""
    import datetime
    from decimal import Decimal

    from django.core.files.base import ContentFile

    from contrat_ville.models import Axe, Contrat, Dispositif, DocumentGenere, Enveloppe, Theme
    from deliberations.models import ActeFige, Elu, Instance, ModeleDeliberation, Registre
    from programmation.models import (
        Action,
        Bilan,
        Convention,
        Importation,
        ModeleConvention,
        Paiement,
        RapportAnnuel,
    )

    from .factories import DeliberationFactory, SeanceFactory, TrancheFactory

    action = Action.objects.filter(contrat__collectivite=collectivite).order_by("pk").first()
    contrat = Contrat.objects.filter(collectivite=collectivite).first()
    fabriques = {
        "contrat_ville.DocumentGenere": lambda: DocumentGenere.objects.create(
            collectivite=collectivite, nature="annexe-pdf", objet_id=1, nom_fichier="annexe.pdf"
        ),
        "contrat_ville.Dispositif": lambda: Dispositif.objects.create(
            collectivite=collectivite, intitule="Dispositif"
        ),
        "contrat_ville.Enveloppe": lambda: Enveloppe.objects.create(
            contrat=contrat, annee=contrat.annee_debut, montant=1000
        ),
        "contrat_ville.Theme": lambda: Theme.objects.create(
            axe=Axe.objects.filter(contrat__collectivite=collectivite).order_by("pk").first(),
            intitule="Thème",
        ),
        "programmation.Convention": lambda: Convention.objects.create(
            action=action, objet=action.intitule, annee_debut=action.annee
        ),
        "programmation.Importation": lambda: Importation.objects.create(
            collectivite=collectivite,
            contrat=contrat,
            annee=2024,
            nom_fichier="demandes.csv",
            fichier=ContentFile("Intitulé;Porteur\n", name="demandes.csv"),
            empreinte="0",
        ),
        "programmation.RapportAnnuel": lambda: RapportAnnuel.objects.create(
            collectivite=collectivite, contrat=contrat, annee=2020, intitule="Rapport"
        ),
        "programmation.Bilan": lambda: Bilan.objects.create(action=action),
        "programmation.ModeleConvention": lambda: ModeleConvention.objects.create(contrat=contrat),
        "programmation.Paiement": lambda: Paiement.objects.create(
            action=action, nature="avance", date=datetime.date(2024, 6, 1), montant=Decimal("100.00")
        ),
        "programmation.Tranche": lambda: TrancheFactory(contrat=contrat),
        "deliberations.Seance": lambda: SeanceFactory(instance__collectivite=collectivite),
        "deliberations.Deliberation": lambda: DeliberationFactory(
            seance__instance__collectivite=collectivite
        ),
        "deliberations.Elu": lambda: Elu.objects.create(
            collectivite=collectivite, civilite="Mme", prenom="Alice", nom="Matrice"
        ),
        "deliberations.ModeleDeliberation": lambda: ModeleDeliberation.objects.create(contrat=contrat),
        "deliberations.Registre": lambda: Registre.objects.create(collectivite=collectivite),
        "deliberations.Instance": lambda: Instance.objects.create(
            collectivite=collectivite, nom="Conseil de la matrice", nature="conseil_municipal"
        ),
        "deliberations.ActeFige": lambda: ActeFige.objects.ajouter(
            DeliberationFactory(seance__instance__collectivite=collectivite),
            "extrait-pdf",
            "extrait.pdf",
            b"%PDF-1.4 matrice",
            "0",
        ),
    }
    return fabriques[label]()


def monde(sem, sedr):
    from django.apps import apps

    agents, elus = synchroniser_roles()
    referents = Group.objects.get(name=REFERENTS)
    comptes = {}
    for nom, collectivite in (("a", sem), ("b", sedr)):
        for role, groupe in (("elu", elus), ("agent", agents), ("referent", referents)):
            user = User.objects.create_user(f"{role}-{nom}", password="x", collectivite=collectivite)
            user.groups.add(groupe)
            comptes[f"{role}-{nom}"] = user
    comptes["admin-a"] = User.objects.create_superuser("admin-a", "a@exemple.fr", "x", collectivite=sem)
    comptes["administrateur-a"] = User.objects.create_user(
        "administrateur-a", password="x", collectivite=sem, is_staff=True
    )
    comptes["administrateur-a"].groups.add(Group.objects.get(name=ADMINISTRATEURS))
    objets = {}
    for label in sorted(set(OBJETS.values())):
        modele = apps.get_model(label)
        for nom, collectivite in (("a", sem), ("b", sedr)):
            objets[label, nom] = (une_de(modele, collectivite) or creer(label, collectivite)).pk
    return comptes, objets


def url_de(nom, objets, de):
    return reverse(nom, kwargs={"pk": objets[OBJETS[nom], de]}) if nom in OBJETS else reverse(nom)


def demander(client, methode, url):
    return client.get(url) if methode == "GET" else client.post(url, {})


NON_PUBLIQUES = [nom for nom, _ in ADRESSES if nom not in PUBLIQUES]
