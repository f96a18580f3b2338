"""The README's two commands are the ones CI and newcomers run."""

import re
from pathlib import Path

RACINE = Path(__file__).resolve().parents[2]


def commandes_du_readme():
    return re.findall(r"```sh\n(.+?)\n```", (RACINE / "README.md").read_text(encoding="utf-8"))


def test_it_runs_the_readme_test_command_in_ci():
    lancer, tester = commandes_du_readme()
    assert "manage.py demo" in lancer
    assert tester.endswith("python -m pytest -n auto")
    assert tester in (RACINE / ".ci" / "run").read_text(encoding="utf-8")
