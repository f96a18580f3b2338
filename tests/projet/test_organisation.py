"""The tests' own layout (issue 19): each test file in the folder of the feature it tests, never loose
in tests/, and every test named test_it_…, a sentence about the application."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
FONCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _mal_nommes(chemin):
    """What pytest would collect as a test (a function or a callable named test…, at module level or in a
    Test… class) whose name does not start with test_it_, with its line."""
    arbre = ast.parse(chemin.read_text(encoding="utf-8"))
    noeuds = list(arbre.body)
    for classe in arbre.body:
        if isinstance(classe, ast.ClassDef) and classe.name.startswith("Test"):
            noeuds += classe.body
    noms = []
    for noeud in noeuds:
        if isinstance(noeud, FONCTIONS):
            noms.append((noeud.name, noeud.lineno))
        elif isinstance(noeud, ast.Assign):
            noms += [(cible.id, noeud.lineno) for cible in noeud.targets if isinstance(cible, ast.Name)]
    return [
        f"{nom} (ligne {ligne})"
        for nom, ligne in noms
        if nom.startswith("test") and not nom.startswith("test_it_")
    ]


def test_it_keeps_no_test_file_loose_in_the_tests_folder():
    assert sorted(p.name for p in TESTS.glob("test_*.py")) == []


def test_it_names_every_test_test_it():
    fautes = {
        chemin.relative_to(TESTS.parent).as_posix(): noms
        for chemin in sorted(TESTS.rglob("test_*.py"))
        if (noms := _mal_nommes(chemin))
    }
    assert not fautes, fautes


def test_it_would_see_a_test_not_named_test_it(tmp_path):
    """The check above reads functions, async ones, methods of a Test class and assigned callables (a check
    that cannot fail is none)."""
    module = tmp_path / "test_module.py"
    module.write_text(
        "def test_it_holds(): pass\n"
        "def test_holds(): pass\n"
        "async def test_waits(): pass\n"
        "def aide(): pass\n"
        "test_alias = aide\n"
        "class TestGroupe:\n"
        "    def test_it_groups(self): pass\n"
        "    def test_groups(self): pass\n"
        "class Aide:\n"
        "    def test_not_collected(self): pass\n"
    )
    assert _mal_nommes(module) == [
        "test_holds (ligne 2)",
        "test_waits (ligne 3)",
        "test_alias (ligne 5)",
        "test_groups (ligne 8)",
    ]
