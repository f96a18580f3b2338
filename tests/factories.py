import datetime
from decimal import Decimal

import factory
from stdnum import luhn

from contrat_ville.models import Axe, Collectivite, Contrat, Financeur
from deliberations.models import Elu, Instance, Presence, Seance
from programmation.models import Action, Cofinancement, Porteur, Tranche
from programmation.models.garde import hors_verrou


def siren_valide(n):
    """n on 8 digits plus its key, computed by python-stdnum rather than by the app's validator."""
    base = f"{n:08d}"
    return base + luhn.calc_check_digit(base)


class CollectiviteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collectivite

    nom = factory.Sequence(lambda n: f"Communauté d'agglomération n°{n}")
    nature = "epci"
    siren = factory.Sequence(lambda n: siren_valide(20000000 + n))
    code_departement = "076"


class ContratFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contrat

    collectivite = factory.SubFactory(CollectiviteFactory)
    nature = "contrat_de_ville"
    intitule = "Contrat de ville"
    annee_debut = 2024
    annee_fin = 2030
    libelle_niveau = "Défi"


class AxeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Axe

    contrat = factory.SubFactory(ContratFactory)
    numero = factory.Sequence(lambda n: n + 1)
    intitule = factory.Sequence(lambda n: f"Axe n°{n}")


class FinanceurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Financeur

    collectivite = factory.SubFactory(CollectiviteFactory)
    nom = factory.Sequence(lambda n: f"Financeur {n}")
    nature = "autre"


class PorteurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Porteur

    collectivite = factory.SubFactory(CollectiviteFactory)
    nom = factory.Sequence(lambda n: f"Association n°{n}")
    nature = "association"


class TrancheFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tranche

    contrat = factory.SubFactory(ContratFactory)
    annee = 2025
    numero = factory.Sequence(lambda n: n + 1)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # An action of a tranche voted before the test: recorded as it was voted (the lock's own
        # tests build theirs by composing and voting, see test_attaques_verrou).
        tranche = kwargs.get("tranche")
        if tranche is not None and tranche.est_verrouillee:
            with hors_verrou():
                return super()._create(model_class, *args, **kwargs)
        return super()._create(model_class, *args, **kwargs)

    tranche = factory.SubFactory(TrancheFactory)
    contrat = factory.SelfAttribute("tranche.contrat")
    annee = factory.SelfAttribute("tranche.annee")
    porteur = factory.SubFactory(PorteurFactory, collectivite=factory.SelfAttribute("..contrat.collectivite"))
    axe = factory.SubFactory(AxeFactory, contrat=factory.SelfAttribute("..contrat"))
    intitule = factory.Sequence(lambda n: f"Action n°{n}")
    cout = Decimal("10000")
    contribution = Decimal("2500")


class EluFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Elu

    collectivite = factory.SubFactory(CollectiviteFactory)
    civilite = "Mme"
    prenom = "Camille"
    nom = factory.Sequence(lambda n: f"ELUE{n}")


class SeanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seance

    instance = factory.SubFactory("tests.factories.InstanceFactory")
    date = datetime.date(2025, 3, 20)
    date_convocation = factory.LazyAttribute(lambda s: s.date)
    membres_en_exercice = 10


class InstanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instance

    collectivite = factory.SubFactory(CollectiviteFactory)
    nom = factory.Sequence(lambda n: f"Bureau {n}")
    nature = "bureau"


class PresenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Presence

    seance = factory.SubFactory(SeanceFactory)
    elu = factory.SubFactory(EluFactory, collectivite=factory.SelfAttribute("..seance.instance.collectivite"))
    etat = "present"


class DeliberationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "deliberations.Deliberation"

    seance = factory.SubFactory(SeanceFactory)
    numero = factory.Sequence(lambda n: f"2025.{n:05d}")
    objet = factory.Sequence(lambda n: f"Délibération n°{n}")


def seance_avec_membres(membres=10, presents=6, **champs):
    """A séance of an instance of `membres` élus: the first `presents` present, the others excused."""
    seance = SeanceFactory(membres_en_exercice=membres, **champs)
    elus = [EluFactory(collectivite=seance.instance.collectivite) for _ in range(membres)]
    seance.instance.membres.set(elus)
    for i, elu in enumerate(elus):
        PresenceFactory(seance=seance, elu=elu, etat="present" if i < presents else "excuse", ordre=i)
    return seance, elus


def tranche_votee_avec_cofinancement(montant_sollicite):
    """A 2024 tranche of the Métropole's contrat de ville composed, then adopted the way agents do it:
    its one action got an État cofinancement before the vote. Returns the (locked) tranche."""
    votee = Tranche.objects.get(contrat__nature="contrat_de_ville", annee=2024, numero=1)
    tranche = Tranche.objects.creer_suivante(votee.contrat, 2024)
    action = ActionFactory(
        tranche=None, contrat=votee.contrat, annee=2024, axe=votee.actions.first().axe, statut="proposee"
    )
    Cofinancement.objects.create(
        action=action,
        financeur=Financeur.objects.get(collectivite=votee.contrat.collectivite, nom="État"),
        montant_sollicite=montant_sollicite,
    )
    tranche.ajouter(action)
    tranche.verrouiller("Délibération de test")
    return tranche


def compte(nom, collectivite, role, **champs):
    """A user of the authority in one of the roles' groups (created by synchroniser_roles)."""
    from django.contrib.auth.models import Group

    from contrat_ville.models import User
    from contrat_ville.roles import ADMINISTRATEURS, synchroniser_roles

    synchroniser_roles()
    # Staff status opens the back-office to administrators only (see contrat_ville/urls.py).
    user = User.objects.create_user(
        nom, password="x", collectivite=collectivite, is_staff=role == ADMINISTRATEURS, **champs
    )
    user.groups.add(Group.objects.get(name=role))
    return user
