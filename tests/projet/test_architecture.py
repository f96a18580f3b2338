"""Imports go one way: deliberations → programmation → contrat_ville. The contract domain knows nothing
of actions, actions nothing of séances; only the project's urls.py, the entrance, imports every app."""

import ast
from pathlib import Path

RACINE = Path(__file__).resolve().parents[2]
# What each app may not import (its module paths, absolute or relative).
INTERDITS = {"contrat_ville": ("programmation", "deliberations"), "programmation": ("deliberations",)}
ENTREES = {"contrat_ville/urls.py"}


def _importes(chemin):
    """The top-level packages a module imports by name (a relative import stays inside its own app: Python
    refuses one that would climb above it)."""
    for noeud in ast.walk(ast.parse(chemin.read_text())):
        if isinstance(noeud, ast.Import):
            yield from (alias.name.split(".")[0] for alias in noeud.names)
        elif isinstance(noeud, ast.ImportFrom) and not noeud.level and noeud.module:
            yield noeud.module.split(".")[0]


def test_it_finds_no_import_against_the_direction_of_the_apps():
    fautes = []
    for app, interdits in INTERDITS.items():
        for chemin in sorted((RACINE / app).rglob("*.py")):
            relatif = chemin.relative_to(RACINE).as_posix()
            if relatif in ENTREES or "migrations" in chemin.parts:
                continue
            fautes += [f"{relatif} importe {nom}" for nom in set(_importes(chemin)) if nom in interdits]
    assert not fautes, "\n".join(sorted(fautes))


def test_it_would_see_an_import_against_the_direction(tmp_path):
    """The check above reads both forms of import, and inside functions too (a check that cannot fail is
    none)."""
    module = tmp_path / "module.py"
    module.write_text(
        "from programmation.models import Action\n"
        "def f():\n    import deliberations.models\n"
        "from .voisin import x\n"
    )
    assert set(_importes(module)) == {"programmation", "deliberations"}
