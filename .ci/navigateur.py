"""CI's browser step: every browser test ran and passed in each run of the README's command.

The README's command runs the whole suite, browser tests included, on SQLite and then on PostgreSQL; with
CI=true a browser test fails rather than skip when Chromium is missing. Running them a third time cost
four of CI's minutes (issue 20); this step reads the two runs' JUnit reports instead and fails if a browser
test is missing from one, or was skipped, failed or errored there.

Usage: python .ci/navigateur.py RAPPORT.xml [RAPPORT.xml …]
"""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

DOSSIER = "tests.navigateur."
RACINE = Path(__file__).resolve().parent.parent


def attendus():
    """The browser tests' ids as JUnit names them (module path dotted, then the test's name)."""
    # Without the runs' own options (a JUnit report of the collection would replace theirs).
    environnement = {cle: valeur for cle, valeur in os.environ.items() if cle != "PYTEST_ADDOPTS"}
    sortie = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/navigateur", "-m", "navigateur", "--collect-only", "-q"],
        check=True,
        capture_output=True,
        text=True,
        cwd=RACINE,
        env=environnement,
    ).stdout
    return {nom_junit(ligne) for ligne in sortie.splitlines() if "::" in ligne}


def nom_junit(ident):
    """A test's id as JUnit names it: tests/navigateur/test_x.py::Classe::test_y[p] is
    tests.navigateur.test_x.Classe::test_y[p] (a parameter may hold "::" itself)."""
    chemin, crochet, parametres = ident.partition("[")
    fichier, *classes, nom = chemin.split("::")
    return (
        ".".join([fichier.removesuffix(".py").replace("/", "."), *classes]) + f"::{nom}{crochet}{parametres}"
    )


def resultats(rapport):
    """{id: outcome} of the browser tests in one JUnit report."""
    issues = {}
    for cas in ET.parse(rapport).getroot().iter("testcase"):
        if not cas.get("classname", "").startswith(DOSSIER):
            continue
        issue = next((e.tag for e in cas if e.tag in ("skipped", "failure", "error")), "passed")
        issues[f"{cas.get('classname')}::{cas.get('name')}"] = issue
    return issues


def main(rapports):
    ids = attendus()
    if not ids:
        sys.exit("Aucun test navigateur collecté.")
    fautes = []
    for rapport in rapports:
        issues = resultats(rapport)
        fautes += [f"{rapport} : {i} absent" for i in sorted(ids - issues.keys())]
        fautes += [f"{rapport} : {i} {issue}" for i, issue in sorted(issues.items()) if issue != "passed"]
    if fautes:
        sys.exit("Tests navigateur non passés :\n" + "\n".join(fautes))
    print(f"{len(ids)} tests navigateur passés dans chacun des {len(rapports)} rapports, aucun ignoré.")


if __name__ == "__main__":
    main(sys.argv[1:])
