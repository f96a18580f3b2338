"""The application's URLs, classified for the permission matrix and the form fuzzing: which are public,
which only read, which name an object (and of which model), and a world of two authorities with
every role and one object of each model for each authority."""

from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from contrat_ville.models import User
from contrat_ville.roles import ADMINISTRATEURS, synchroniser_roles

PUBLIQUES = {
    "accueil",
    "sante",
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
    "deliberations:seances",
    "deliberations:seance",
    "deliberations:donnees_ouvertes",
    "deliberations:journal",
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
    "programmation:bilan": "programmation.Bilan",
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
    "deliberations:seance_inscrire": "deliberations.Seance",
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

    from django.core.files.base import ContentFile

    from contrat_ville.models import Contrat, Dispositif, DocumentGenere
    from programmation.models import Action, Bilan, Convention, Importation, RapportAnnuel

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
        "programmation.Tranche": lambda: TrancheFactory(contrat=contrat),
        "deliberations.Seance": lambda: SeanceFactory(instance__collectivite=collectivite),
        "deliberations.Deliberation": lambda: DeliberationFactory(
            seance__instance__collectivite=collectivite
        ),
    }
    return fabriques[label]()


def monde(sem, sedr):
    from django.apps import apps

    agents, elus = synchroniser_roles()
    comptes = {}
    for nom, collectivite in (("a", sem), ("b", sedr)):
        for role, groupe in (("elu", elus), ("agent", agents)):
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
