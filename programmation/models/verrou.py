"""The vote's lock held by PostgreSQL itself: whatever writes (raw SQL, a script, a bug), a voted
tranche's content does not change, except through a modificative (`actions.hors_verrou()`, which
asks pgtrigger to ignore these triggers for its own transaction).

The model layer holds the same rules for SQLite and gives the messages (see actions.py); these
triggers are the last line, with the same words.
"""

from __future__ import annotations

import pgtrigger

from ..enums import AVANT_LE_VOTE

VOTEE = "'votee'"
MESSAGE = "La tranche % est votée : son contenu est verrouillé (une correction passe par une modificative)."


def _refuser(tranche: str) -> str:
    return f"RAISE EXCEPTION '{MESSAGE}', {tranche} USING ERRCODE = 'check_violation';"


def _votee(tranche_id: str) -> str:
    return f"EXISTS (SELECT 1 FROM programmation_tranche WHERE id = {tranche_id} AND statut = {VOTEE})"


def _differents(*colonnes: str) -> str:
    return " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in colonnes)


class _Verrou(pgtrigger.Trigger):
    name = "verrou_du_vote"
    when = pgtrigger.Before
    # The model's name, set by each trigger below.
    modele: str

    @classmethod
    def uris(cls) -> list[str]:
        return [f"programmation.{cls.modele}:{cls.name}"]


class VerrouTranche(_Verrou):
    modele = "Tranche"
    operation = pgtrigger.Update | pgtrigger.Delete
    func = f"""
        IF OLD.statut = {VOTEE}
            AND (TG_OP = 'DELETE' OR {_differents("statut", "contrat_id", "annee", "numero")})
        THEN {_refuser("OLD.id")}
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    """


_STATUTS_AVANT = ", ".join(f"'{s}'" for s in AVANT_LE_VOTE)


class VerrouAction(_Verrou):
    modele = "Action"
    operation = pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete
    func = f"""
        IF TG_OP = 'DELETE' THEN
            IF {_votee("OLD.tranche_id")} THEN {_refuser("OLD.tranche_id")} END IF;
            RETURN OLD;
        END IF;
        IF TG_OP = 'INSERT' THEN
            IF {_votee("NEW.tranche_id")} THEN {_refuser("NEW.tranche_id")} END IF;
            RETURN NEW;
        END IF;
        IF {_votee("OLD.tranche_id")} AND (
            {_differents("contrat_id", "annee", "tranche_id", "axe_id", "cout", "contribution", "section")}
            OR {_differents("maitrise_ouvrage_collectivite")}
            OR (NEW.statut <> OLD.statut AND NEW.statut IN ({_STATUTS_AVANT}))
        ) THEN {_refuser("OLD.tranche_id")}
        END IF;
        IF NEW.tranche_id IS DISTINCT FROM OLD.tranche_id AND {_votee("NEW.tranche_id")} THEN
            {_refuser("NEW.tranche_id")}
        END IF;
        RETURN NEW;
    """


def _action_votee(action_id: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM programmation_action a JOIN programmation_tranche t ON t.id = a.tranche_id "
        f"WHERE a.id = {action_id} AND t.statut = {VOTEE})"
    )


class VerrouCofinancement(_Verrou):
    modele = "Cofinancement"
    operation = pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete
    func = f"""
        IF TG_OP <> 'INSERT' AND {_action_votee("OLD.action_id")} AND (
            TG_OP = 'DELETE'
            OR {_differents("action_id", "financeur_id", "montant_sollicite", "montant_accorde")}
        ) THEN {_refuser("(SELECT tranche_id FROM programmation_action WHERE id = OLD.action_id)")}
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        IF (TG_OP = 'INSERT' OR NEW.action_id IS DISTINCT FROM OLD.action_id)
            AND {_action_votee("NEW.action_id")}
        THEN {_refuser("(SELECT tranche_id FROM programmation_action WHERE id = NEW.action_id)")}
        END IF;
        RETURN NEW;
    """
