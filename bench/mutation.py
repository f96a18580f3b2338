"""Mutation check of the modules that hold the rules (issue 20), on demand.

    .venv/bin/python bench/mutation.py [--modules verrou garde registre …] [--processus 2] [--sans-lancer]

mutmut (3.x) changes one thing at a time in these modules (an operator, a comparison, a constant, a
call's argument…), then runs the tests that call the mutated function: a mutant that no test notices
"survives", and points at a rule the suite does not hold. The configuration is `[tool.mutmut]` in
pyproject.toml: the modules (`only_mutate`) and the test files that exercise them
(`pytest_add_cli_args_test_selection`). mutmut first runs those files once to learn which test calls
which function, then runs each mutant, in a process forked from that first run, against only its
tests. The test database is SQLite in memory, kept with pytest-django's --reuse-db: forked with the
process, it is neither migrated nor reloaded per mutant (about 0.7 s of fixed cost per mutant instead
of 5 s).

Prints, per module: mutants, killed, survived, timeouts, no test, kill rate (killed / mutants run), then
the surviving mutants (module, line, diff). Survivors that cannot change any behaviour are listed,
with their reason, in bench/mutants_equivalents.md; the others call for a test
(tests/mutants/test_mutants_<module>.py).

The mutated copy of the project and the results live in mutants/ (ignored by git); --sans-lancer
reads the last results again without running anything.
"""

import argparse
import ast
import json
import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent

# Short name (the file's stem) -> module file, read from [tool.mutmut] only_mutate: one list to keep.
with open(RACINE / "pyproject.toml", "rb") as fichier:
    MODULES = {Path(m).stem: m for m in tomllib.load(fichier)["tool"]["mutmut"]["only_mutate"]}

# mutmut's exit codes, grouped as the report counts them.
TUES = {1, 3, 37}  # a test failed (3: pytest's internal error, a kill too); 37: the type checker refused it
SURVIVANTS = {0}
DELAIS = {36, -24, 24, 152, 255}  # SIGXCPU or wall-clock limit
SANS_TEST = {5, 33}  # no selected test calls the function


def module_python(chemin):
    return chemin.removesuffix(".py").replace("/", ".")


def lancer(noms, processus, mutants=None):
    """mutmut run on the chosen modules' mutants (all of them rerun), or on the given mutants only;
    returns the wall-clock duration."""
    motifs = mutants or [f"{module_python(MODULES[nom])}.*" for nom in noms]
    commande = [sys.executable, "-m", "mutmut", "run", "--max-children", str(processus), *motifs]
    montre = commande[1:] if not mutants else [*commande[1:6], f"<{len(mutants)} mutants>"]
    print("$", " ".join(montre), flush=True)
    debut = time.monotonic()
    # mutmut redraws a spinner on the terminal: only its last lines are kept.
    fini = subprocess.run(commande, cwd=RACINE, capture_output=True, text=True)
    duree = time.monotonic() - debut
    if fini.returncode != 0:
        sortie = (fini.stdout + fini.stderr).replace("\r", "\n")
        print("\n".join(sortie.splitlines()[-40:]), file=sys.stderr)
        sys.exit(f"mutmut s'est arrêté (code {fini.returncode})")
    return duree


def resultats(chemin):
    """{mutant: exit code} and {mutant: duration in s} from mutmut's metadata for one module."""
    meta = RACINE / "mutants" / f"{chemin}.meta"
    if not meta.exists():
        return None, {}
    donnees = json.loads(meta.read_text())
    return donnees["exit_code_by_key"], donnees.get("durations_by_key", {})


def diff(nom, chemin):
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    return get_diff_for_mutant(nom, path=chemin)


def ligne(nom, chemin, texte_diff):
    """The line of the module that the mutant changes: its diff's first removed line, counted from the
    start of its function (the diff holds the function alone), checked against the file."""
    from mutmut.utils.format_utils import orig_function_and_class_names_from_key

    fonction, classe = orig_function_and_class_names_from_key(nom)
    source = (RACINE / chemin).read_text()
    lignes = source.splitlines()
    debut = 1
    for noeud in ast.walk(ast.parse(source)):
        dans_la_classe = isinstance(noeud, ast.ClassDef) and noeud.name == classe
        candidats = noeud.body if dans_la_classe else [noeud] if not classe else []
        for f in candidats:
            if isinstance(f, ast.FunctionDef) and f.name == fonction:
                debut = min([f.lineno] + [d.lineno for d in f.decorator_list])
    # The diff's line numbers count from the function's first line (decorators and comments above it).
    texte = next((t for t in texte_diff.splitlines() if t.startswith("-") and not t.startswith("---")), None)
    if texte is None:
        return debut
    position = 0
    for t in texte_diff.splitlines()[2:]:
        if t.startswith("@@"):
            position = int(t.split()[1].split(",")[0][1:])
            continue
        if t.startswith("-"):
            break
        if not t.startswith("+"):
            position += 1
    while debut > 1 and lignes[debut - 2].strip().startswith("#"):
        debut -= 1
    estimee = debut + position - 1
    if 0 < estimee <= len(lignes) and lignes[estimee - 1].strip() == texte[1:].strip():
        return estimee
    for numero in range(debut - 1, len(lignes)):
        if lignes[numero].strip() == texte[1:].strip():
            return numero + 1
    return debut


def garder_les_verdicts(anciens):
    """The kept verdicts {module: {mutant: code}} written back, so that mutmut and --sans-lancer see them."""
    for nom, codes in anciens.items():
        meta = RACINE / "mutants" / f"{MODULES[nom]}.meta"
        if codes and meta.exists():
            donnees = json.loads(meta.read_text())
            for m, code in donnees["exit_code_by_key"].items():
                if code is None and codes.get(m) is not None:
                    donnees["exit_code_by_key"][m] = codes[m]
            meta.write_text(json.dumps(donnees, indent=4))


def main():
    arguments = argparse.ArgumentParser(
        description="Test de mutation des modules qui portent les règles (mutmut) : "
        "mutants tués, survivants, et leurs différences."
    )
    arguments.add_argument(
        "--modules",
        nargs="+",
        choices=list(MODULES),
        default=list(MODULES),
        metavar="MODULE",
        help=f"modules à muter, par leur nom court (tous par défaut) : {', '.join(MODULES)}",
    )
    arguments.add_argument(
        "--processus",
        type=int,
        default=os.cpu_count() or 2,
        help="mutants testés en même temps (un par cœur)",
    )
    arguments.add_argument(
        "--sans-lancer",
        action="store_true",
        help="relire les résultats de mutants/ sans rien lancer",
    )
    arguments.add_argument(
        "--survivants",
        action="store_true",
        help="ne relancer que les survivants de la dernière passe (après l'ajout de tests) ; "
        "les autres gardent leur verdict",
    )
    arguments.add_argument(
        "--sans-diff", action="store_true", help="lister les survivants sans leur différence"
    )
    options = arguments.parse_args()
    os.chdir(RACINE)
    sys.path.insert(0, str(RACINE))

    duree, anciens = None, {}
    if options.survivants:
        # Adding test files to the selection makes mutmut forget every verdict: those of the mutants
        # not rerun are kept here (a test added never lets a killed mutant live).
        anciens = {nom: resultats(MODULES[nom])[0] or {} for nom in options.modules}
        a_relancer = [
            m for codes in anciens.values() for m, code in codes.items() if code in SURVIVANTS | SANS_TEST
        ]
        if not a_relancer:
            sys.exit("aucun survivant à relancer")
        print(f"{len(a_relancer)} survivants relancés")
    durees_avant = {nom: resultats(MODULES[nom])[1] for nom in options.modules}
    if not options.sans_lancer:
        duree = lancer(options.modules, options.processus, a_relancer if options.survivants else None)
    garder_les_verdicts(anciens)

    print(
        f"\n{'module':<42}{'mutants':>8}{'tués':>7}{'survivants':>11}{'délais':>8}{'sans test':>10}"
        f"{'taux':>8}{'s/mutant':>10}"
    )
    totaux = [0, 0, 0, 0, 0, 0]
    temps_total, mesures = 0.0, 0
    survivants, absents = [], []
    for nom in options.modules:
        chemin = MODULES[nom]
        codes, durees = resultats(chemin)
        if codes is not None and anciens.get(nom):
            codes = {m: code if code is not None else anciens[nom].get(m) for m, code in codes.items()}
        if codes is None:
            absents.append(chemin)
            continue
        tues = sum(code in TUES for code in codes.values())
        survecus = [m for m, code in codes.items() if code in SURVIVANTS]
        delais = sum(code in DELAIS for code in codes.values())
        sans_test = [m for m, code in codes.items() if code in SANS_TEST]
        non_lances = sum(code is None for code in codes.values())
        nombre = len(codes)
        temps = [durees[m] for m in codes if m in durees and codes[m] is not None]
        temps_total += sum(temps)
        mesures += len(temps)
        par_mutant = f"{sum(temps) / len(temps):.2f}" if temps else "-"
        lances = nombre - non_lances
        taux = f"{100 * tues / lances:.1f} %" if lances else "-"
        print(
            f"{chemin:<42}{nombre:>8}{tues:>7}{len(survecus):>11}{delais:>8}{len(sans_test):>10}{taux:>8}"
            f"{par_mutant:>10}" + (f"   ({non_lances} pas encore lancés)" if non_lances else "")
        )
        for i, valeur in enumerate((nombre, tues, len(survecus), delais, len(sans_test), lances)):
            totaux[i] += valeur
        survivants += [(chemin, m, "survivant") for m in survecus]
        survivants += [(chemin, m, "sans test") for m in sans_test]
    if totaux[0]:
        print(
            f"{'total':<42}{totaux[0]:>8}{totaux[1]:>7}{totaux[2]:>11}{totaux[3]:>8}{totaux[4]:>10}"
            f"{100 * totaux[1] / max(totaux[5], 1):>6.1f} %"
            + (f"{temps_total / mesures:>10.2f}" if mesures else "")
        )
    for chemin in absents:
        print(f"{chemin:<42}  pas de résultat (lancer sans --sans-lancer)")
    if duree is not None:
        # The mutants tested by this pass: those whose duration is new (a mutant that no test calls
        # takes no time and is not counted).
        testes = sum(
            durees_avant[nom].get(m) != d
            for nom in options.modules
            for m, d in resultats(MODULES[nom])[1].items()
        )
        print(
            f"\ndurée de la passe : {duree:.0f} s pour {testes} mutants testés"
            f" ({duree / max(testes, 1):.2f} s par mutant, {options.processus} processus,"
            " passes de référence des tests comprises)"
        )

    if not survivants:
        print("\naucun survivant")
        return
    print(f"\nsurvivants ({len(survivants)}) :")
    for chemin, mutant, etat in survivants:
        texte = diff(mutant, chemin)
        print(
            f"\n{chemin}:{ligne(mutant, chemin, texte)}  {mutant}"
            + ("  [aucun test ne l'appelle]" if etat == "sans test" else "")
        )
        if not options.sans_diff:
            print("\n".join(t for t in texte.splitlines()[2:] if not t.startswith("@@")))


if __name__ == "__main__":
    main()
