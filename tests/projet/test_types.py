"""Issue 19: the domain modules' type hints are checked by mypy, with pyproject.toml's [tool.mypy]."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[2]


def test_it_type_checks_the_domain_modules(tmp_path):
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy n'est pas installé (groupe dev : pip install -e . --group dev)")
    # A cache of its own, outside the tree: every run checks from scratch, as CI does.
    resultat = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy_cache")],
        cwd=RACINE,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resultat.returncode == 0, resultat.stdout + resultat.stderr
