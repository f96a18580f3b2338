"""Which rule makes a convention compulsory: the law (private bodies above 23 000 € a year) or the
authority's own policy (investment subsidies, public bodies, a lower threshold). Texts typed by hand."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from programmation.controles import controler_tranche
from programmation.conventions import convention_html, regles_citees, regles_en_vigueur
from programmation.models import Action, Convention, Tranche
from programmation.obligations import conventions_requises

from ..factories import ActionFactory, CollectiviteFactory
from ..factories import compte as _compte

pytestmark = pytest.mark.django_db

D = Decimal
LOI = (
    "loi n° 2000-321 du 12 avril 2000, art. 10 et décret n° 2001-495 du 6 juin 2001 "
    "(plus de 23\u202f000\u202f€ par an à un organisme de droit privé)"
)
DELIBERATION = "délibération n°2021.00123 du 12 avril 2021"


@pytest.fixture
def ville():
    """An authority with no policy of its own: only the law applies."""
    return CollectiviteFactory(nom="Ville de Villeneuve", nature="commune")


def action_de(collectivite, contribution, nature="association", **champs):
    return ActionFactory(
        tranche__contrat__collectivite=collectivite,
        porteur__nature=nature,
        cout=D("900000"),
        contribution=D(contribution),
        **champs,
    )


def regle(action):
    """The rule cited for the action, or None when it needs no convention."""
    collectivite = action.contrat.collectivite
    collectivite.refresh_from_db()
    requises = dict(conventions_requises([action], collectivite))
    return requises[action].regle if action in requises else None


def politique(collectivite, **champs):
    for champ, valeur in {"convention_regle_locale": DELIBERATION, **champs}.items():
        setattr(collectivite, champ, valeur)
    collectivite.full_clean()
    collectivite.save()


# The law: private bodies only, strictly above 23 000 € a year.
def test_it_needs_no_convention_for_an_association_at_23000_euros(ville):
    assert regle(action_de(ville, "23000")) is None


def test_it_cites_the_law_for_an_association_at_23000_euros_and_one_cent(ville):
    assert regle(action_de(ville, "23000.01")) == LOI


def test_it_cites_the_law_for_a_company_and_an_other_body(ville):
    assert regle(action_de(ville, "30000", nature="entreprise")) == LOI
    assert regle(action_de(ville, "30000", nature="autre")) == LOI


@pytest.mark.parametrize("nature", ["bailleur", "etablissement_public", "collectivite"])
def test_it_needs_no_convention_for_a_public_body_without_a_local_policy(ville, nature):
    assert regle(action_de(ville, "50000", nature=nature)) is None


# The authority's own rules.
def test_it_cites_the_local_rule_for_a_bailleur_at_50000_euros_when_public_bodies_sign_too(ville):
    politique(ville, convention_organismes_publics=True)
    assert regle(action_de(ville, "50000", nature="bailleur")) == (
        "règle de la collectivité : délibération n°2021.00123 du 12 avril 2021 (organisme public)"
    )
    assert regle(action_de(ville, "23000", nature="etablissement_public")) is None


def test_it_asks_for_an_investment_subsidy_of_1000_euros_only_when_the_authority_does(ville):
    action = action_de(ville, "1000", section="investissement")
    assert regle(action) is None
    politique(ville, convention_investissement=True, convention_regle_locale="")
    assert regle(action) == (
        "règle de la collectivité : politique de conventionnement de la collectivité "
        "(subvention d'investissement)"
    )


def test_it_applies_a_local_threshold_of_10000_euros(ville):
    politique(ville, convention_seuil_local=D("10000"))
    assert regle(action_de(ville, "10000")) is None
    assert regle(action_de(ville, "10000.01")) == (
        "règle de la collectivité : délibération n°2021.00123 du 12 avril 2021 "
        "(seuil local de 10\u202f000\u202f€)"
    )
    # A public body stays outside the local threshold unless public bodies sign too.
    assert regle(action_de(ville, "12000", nature="bailleur")) is None


def test_it_still_cites_the_law_above_23000_euros_whatever_the_local_policy(ville):
    politique(ville, convention_investissement=True, convention_seuil_local=D("10000"))
    assert regle(action_de(ville, "40000", section="investissement")) == LOI


def test_it_adds_the_porteur_s_other_subsidies_of_the_year(ville):
    premiere = action_de(ville, "15000")
    seconde = action_de(ville, "8000.01", porteur=premiere.porteur, tranche=premiere.tranche)
    requises = dict(conventions_requises([premiere, seconde], ville))
    assert requises[seconde].motif == (
        f"23\u202f000,01\u202f€ accordés en 2025 à « {premiere.porteur} », au-delà de 23\u202f000\u202f€"
    )


def test_it_refuses_a_local_threshold_at_or_above_the_legal_one(ville):
    ville.convention_seuil_local = D("23000")
    with pytest.raises(ValidationError) as erreur:
        ville.full_clean()
    assert erreur.value.message_dict["convention_seuil_local"] == [
        "Le seuil local doit être positif et inférieur au seuil légal de 23 000 € (au-delà, la loi impose "
        "déjà la convention)."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        ville.save()


# Where the rule is cited: the check, the conventions page, the délibération text, the document.
def test_it_cites_the_rule_that_applies_in_the_check(ville):
    politique(ville, convention_organismes_publics=True)
    bailleur = action_de(ville, "50000", nature="bailleur")
    association = action_de(ville, "24000", tranche=bailleur.tranche)
    messages = {
        c.objets[0]: c.message for c in controler_tranche(bailleur.tranche) if c.code == "convention_requise"
    }
    assert messages[bailleur] == (
        f"« {bailleur} » : convention obligatoire (50\u202f000\u202f€ accordés en 2025 à "
        f"« {bailleur.porteur} », au-delà de 23\u202f000\u202f€ ; règle de la collectivité : "
        "délibération n°2021.00123 du 12 avril 2021 (organisme public)), aucune convention enregistrée."
    )
    assert messages[association] == (
        f"« {association} » : convention obligatoire (24\u202f000\u202f€ accordés en 2025 à "
        f"« {association.porteur} », au-delà de 23\u202f000\u202f€ ; {LOI}), aucune convention enregistrée."
    )


def test_it_shows_each_action_s_rule_and_the_authority_s_rules_on_the_conventions_page(client, ville):
    from contrat_ville.roles import AGENTS

    politique(ville, convention_investissement=True)
    investissement = action_de(ville, "1000", section="investissement")
    association = action_de(ville, "24000", tranche=investissement.tranche)
    client.force_login(_compte("agent-ville", ville, AGENTS))
    reponse = client.get(reverse("programmation:conventions"), {"annee": 2025})
    regles = {ligne["action"]: ligne["raison"].regle for ligne in reponse.context["a_etablir"].data}
    assert regles == {
        investissement: "règle de la collectivité : délibération n°2021.00123 du 12 avril 2021 "
        "(subvention d'investissement)",
        association: LOI,
    }
    page = reponse.content.decode()
    assert (
        '<td data-label="Règle appliquée">règle de la collectivité : délibération n°2021.00123 du 12 avril '
        "2021 (subvention d&#x27;investissement)</td>" in page
    )
    assert (
        "Conformément à la délibération n°2021.00123 du 12 avril 2021, toute subvention "
        "d&#x27;investissement fait l&#x27;objet d&#x27;une convention." in page
    )


def test_it_lists_the_rules_in_force_law_first(ville):
    assert regles_en_vigueur(ville) == [
        "Conformément à l'article 10 de la loi n° 2000-321 du 12 avril 2000 et au décret n° 2001-495 du "
        "6 juin 2001, une subvention de plus de 23\u202f000\u202f€ par an à un organisme de droit privé fait "
        "l'objet d'une convention.",
        "Une action retenue sur plusieurs années fait l'objet d'une convention pluriannuelle d'objectifs.",
    ]
    politique(ville, convention_organismes_publics=True, convention_seuil_local=D("10000"))
    assert regles_en_vigueur(ville)[1:3] == [
        "Conformément à la délibération n°2021.00123 du 12 avril 2021, une subvention de plus de "
        "23\u202f000\u202f€ par an à un organisme public fait l'objet d'une convention.",
        "Conformément à la délibération n°2021.00123 du 12 avril 2021, une subvention de plus de "
        "10\u202f000\u202f€ par an à un même porteur fait l'objet d'une convention.",
    ]


def test_it_gives_the_deliberation_the_sentences_of_the_rules_its_actions_need(ville):
    politique(ville, convention_investissement=True)
    investissement = action_de(ville, "1000", section="investissement")
    sans_convention = action_de(ville, "5000", tranche=investissement.tranche)
    assert regles_citees(ville, [investissement, sans_convention]) == [
        "Conformément à la délibération n°2021.00123 du 12 avril 2021, toute subvention d'investissement "
        "fait l'objet d'une convention."
    ]
    association = action_de(ville, "30000", tranche=investissement.tranche)
    assert len(regles_citees(ville, [association, investissement])) == 2
    assert regles_citees(ville, [sans_convention]) == []


def test_it_cites_the_metropole_s_2019_deliberation_for_its_investment_subsidies(sem):
    # Seed 001: « toutes les subventions en investissement donneront lieu à des conventions ».
    actions = list(Tranche.objects.get(annee=2019, numero=1).actions.select_related("porteur"))
    assert (
        "Conformément à la délibération n°2019.00081 du Bureau métropolitain du 7 mars 2019, toute "
        "subvention d'investissement fait l'objet d'une convention."
    ) in regles_citees(sem, actions)


def test_it_cites_the_rule_that_applies_in_the_convention_document(ville):
    politique(ville, convention_investissement=True)
    investissement = action_de(ville, "1000", section="investissement", statut="votee")
    association = action_de(ville, "24000", tranche=investissement.tranche, statut="votee")
    texte_local = convention_html(Convention.objects.creer_pour(investissement))
    texte_legal = convention_html(Convention.objects.creer_pour(association))
    assert (
        "conformément à la délibération n°2021.00123 du 12 avril 2021 (toute subvention "
        "d&#x27;investissement fait l&#x27;objet d&#x27;une convention)."
    ) in texte_local
    assert "loi n° 2000-321" not in texte_local
    assert (
        "conformément à l&#x27;article 10 de la loi n° 2000-321 du 12 avril 2000 et au décret n° 2001-495 du "
        "6 juin 2001 (une subvention de plus de 23\u202f000\u202f€ par an à un organisme de droit privé fait "
        "l&#x27;objet d&#x27;une convention)."
    ) in texte_legal


def test_it_cites_the_deliberation_of_a_convention_nothing_imposes(ville):
    action = action_de(ville, "5000", statut="votee")
    Action.objects.filter(pk=action.pk).update(convention_pluriannuelle=False)
    texte = convention_html(Convention.objects.creer_pour(action))
    assert "conformément à la délibération d&#x27;attribution." in texte
