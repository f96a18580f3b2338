"""The extract of the register ("extrait du registre des délibérations"), with its annexes."""

from contrat_ville.documents import en_arriere_plan
from contrat_ville.models import Collectivite, Contrat
from contrat_ville.pdf import cle_document, colonnes, html_vers_pdf, rendre_html
from programmation import documents as documents_tranche
from programmation.annexe import construire_annexe
from programmation.conventions import convention_html
from programmation.conventions import nom_fichier as nom_convention
from programmation.models import Action, Convention, Porteur, Tranche
from programmation.tableur import annexe_xlsx

from .enums import EtatPresence
from .models import (
    ActeFige,
    Deliberation,
    Elu,
    Instance,
    LigneModificative,
    NatureActeFige,
    Presence,
    PresenceDeliberation,
    Seance,
)
from .models.figes import empreinte

# Where the préfecture's stamp goes: the voted extract is kept with it, the stamp is put in per version.
PLACE_DU_TAMPON = "<!-- tampon de la préfecture -->"


def nom_fichier(deliberation):
    return f"{deliberation.numero}-extrait.pdf"


def _paragraphes(texte):
    return [p.strip() for p in texte.split("\n\n") if p.strip()]


def _presences(deliberation):
    """The attendance of this délibération (the séance's, with its overrides), in the séance's order."""
    etats = deliberation.etats()
    ordre = {p.elu_id: i for i, p in enumerate(deliberation.seance.presences.order_by("ordre", "pk"))}
    elus = Elu.objects.in_bulk(set(etats) | {m for _, m in etats.values() if m})
    presences = [
        Presence(elu=elus[elu], etat=etat, mandataire=elus.get(mandataire))
        for elu, (etat, mandataire) in sorted(
            etats.items(), key=lambda e: (ordre.get(e[0], len(ordre)), e[0])
        )
    ]
    return presences


def extrait_html(deliberation):
    return avec_tampon(source_extrait(deliberation), deliberation)


def avec_tampon(source, deliberation):
    tampon = rendre_html("deliberations/documents/_tampon.html", {"deliberation": deliberation})
    return source.replace(PLACE_DU_TAMPON, tampon, 1)


def source_extrait(deliberation):
    """The extract's HTML without the préfecture's stamp (see PLACE_DU_TAMPON)."""
    seance = deliberation.seance
    presences = _presences(deliberation)
    tranche = deliberation.tranche
    annexe = construire_annexe(tranche) if tranche else None
    return rendre_html(
        "deliberations/documents/extrait.html",
        {
            "deliberation": deliberation,
            "seance": seance,
            "collectivite": seance.instance.collectivite,
            "decompte": deliberation.decompte(),
            "lignes": deliberation.lignes.select_related("action__porteur") if deliberation.pk else [],
            "totaux_modificative": deliberation.totaux_modificative()
            if deliberation.est_modificative
            else None,
            "presents": [p.elu for p in presences if p.etat == EtatPresence.PRESENT],
            "pouvoirs": [p for p in presences if p.etat == EtatPresence.POUVOIR],
            "excuses": [p.elu for p in presences if p.etat == EtatPresence.EXCUSE],
            "expose": _paragraphes(deliberation.expose),
            "expose_suite": _paragraphes(deliberation.expose_suite),
            "decisions": [d for d in deliberation.decisions.splitlines() if d.strip()],
            "vote": deliberation.texte_du_vote,
            "annexe": annexe,
            "plusieurs_sections": annexe is not None and len(annexe.sections) > 1,
            "projet": not deliberation.est_votee,
            "place_du_tampon": PLACE_DU_TAMPON,
        },
    )


def extrait_pdf(deliberation, avancer=None):
    return html_vers_pdf(extrait_html(deliberation), avancer)


def cle_extrait(deliberation_id):
    """The key the extract is cached under: every row it prints, read without rendering (the act with
    its séance, instance and authority; the authority's members; attendance; lines; the annex's rows)."""
    acte = Deliberation.objects.filter(pk=deliberation_id).values_list(
        *colonnes(Deliberation),
        *colonnes(Seance, "seance__"),
        *colonnes(Instance, "seance__instance__"),
        *colonnes(Collectivite, "collectivite__"),
        *colonnes(Tranche, "tranche_corrigee__"),
        *colonnes(Contrat, "tranche_corrigee__contrat__"),
    )
    acte = list(acte)
    if not acte:
        return cle_document("extrait-pdf")
    numeros = {nom: i for i, nom in enumerate(colonnes(Deliberation))}
    collectivite, seance, tranche = (
        acte[0][numeros[c]] for c in ("collectivite_id", "seance_id", "tranche_id")
    )
    lignes = [
        *acte,
        Elu.objects.filter(collectivite_id=collectivite).order_by("pk").values_list(*colonnes(Elu)),
        Presence.objects.filter(seance_id=seance).order_by("pk").values_list(*colonnes(Presence)),
        PresenceDeliberation.objects.filter(deliberation_id=deliberation_id)
        .order_by("pk")
        .values_list(*colonnes(PresenceDeliberation)),
        "ne prenant pas part",
        Deliberation.ne_prenant_pas_part.through.objects.filter(deliberation_id=deliberation_id)
        .order_by("pk")
        .values_list("elu_id"),
        "membres",
        Instance.membres.through.objects.filter(instance__seances=seance)
        .order_by("pk")
        .values_list("elu_id"),
        LigneModificative.objects.filter(deliberation_id=deliberation_id)
        .order_by("pk")
        .values_list(
            *colonnes(LigneModificative),
            *colonnes(Action, "action__"),
            *colonnes(Porteur, "action__porteur__"),
        ),
    ]
    if tranche is not None:
        lignes += ["annexe", *documents_tranche.lignes_annexe(tranche)]
    return cle_document("extrait-pdf", *lignes)


def figer(deliberation):
    """At the vote: the extract, the tranche's annex (PDF, spreadsheet) and the conventions to sign of
    its actions (the drafts the act approves), rendered once and kept.

    A large act (one the worker lays out) keeps its HTML: laying it out here would hold the vote's
    request for long; the first layout after the vote is kept (SourceFigee) and is the act's PDF."""
    tranche = Tranche.objects.get(pk=deliberation.tranche_id) if deliberation.tranche_id else None
    grand = en_arriere_plan(tranche.actions.count() if tranche else 0)
    source = source_extrait(deliberation)
    nature = NatureActeFige.EXTRAIT_HTML if grand else NatureActeFige.EXTRAIT_PDF
    _garder(deliberation, nature, nom_fichier(deliberation), avec_tampon(source, deliberation), source)
    if tranche is None:
        return
    # The tranche as just locked by the vote.
    nature = NatureActeFige.ANNEXE_HTML if grand else NatureActeFige.ANNEXE_PDF
    html = documents_tranche.annexe_html(tranche)
    _garder(deliberation, nature, documents_tranche.nom_fichier(tranche, "annexe.pdf"), html)
    nom = documents_tranche.nom_fichier(tranche, "annexe.xlsx")
    ActeFige.objects.ajouter(
        deliberation, NatureActeFige.ANNEXE_XLSX, nom, annexe_xlsx(tranche), empreinte(html)
    )
    for convention in Convention.objects.approuvees_par(tranche):
        html = convention_html(convention)
        ActeFige.objects.ajouter(
            deliberation,
            NatureActeFige.CONVENTION_PDF,
            nom_convention(convention),
            html_vers_pdf(html),
            empreinte(html),
            convention=convention,
        )


def _garder(deliberation, nature, nom_pdf, html, source=""):
    """The PDF laid out now, or (a *-html nature) the HTML it is to be laid out from."""
    if nature.endswith("-html"):
        nom, contenu = nom_pdf.removesuffix(".pdf") + ".html", html
    else:
        nom, contenu = nom_pdf, html_vers_pdf(html)
    return ActeFige.objects.ajouter(deliberation, nature, nom, contenu, empreinte(html), source=source)


def tamponner(deliberation):
    """The préfecture's stamp or publication added after the vote: a new version of the kept extract,
    the same voted text with the stamp put in; the earlier versions stay."""
    extraits = deliberation.actes_figes.filter(
        nature__in=[NatureActeFige.EXTRAIT_PDF, NatureActeFige.EXTRAIT_HTML]
    )
    # A large act's kept HTML before the PDF laid out from it (same version): the HTML is what is stamped.
    premier = extraits.order_by("version", "nature").first()
    if premier is None:
        return None
    html = avec_tampon(premier.source, deliberation)
    if empreinte(html) == extraits.dernier(premier.nature).version_donnees:
        return None
    nom_pdf = premier.nom_fichier.removesuffix(".html").removesuffix(".pdf") + ".pdf"
    return _garder(deliberation, premier.nature, nom_pdf, html, premier.source)
