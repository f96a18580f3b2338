"""CI's browser step (.ci/navigateur.py): it fails unless every browser test passed in every report."""

import importlib.util
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[2]


def _module():
    spec = importlib.util.spec_from_file_location("ci_navigateur", RACINE / ".ci" / "navigateur.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def etape(monkeypatch):
    module = _module()
    monkeypatch.setattr(
        module,
        "attendus",
        lambda: {"tests.navigateur.test_a::test_it_a", "tests.navigateur.test_b::test_it_b[x]"},
    )
    return module


def _rapport(dossier, nom, *cas):
    lignes = "".join(
        f'<testcase classname="{classe}" name="{test}" time="1.0">{dedans}</testcase>'
        for classe, test, dedans in cas
    )
    chemin = dossier / nom
    chemin.write_text(
        f'<?xml version="1.0"?><testsuites><testsuite name="pytest">{lignes}</testsuite></testsuites>'
    )
    return str(chemin)


PASSES = (
    ("tests.navigateur.test_a", "test_it_a", ""),
    ("tests.navigateur.test_b", "test_it_b[x]", ""),
    ("tests.projet.test_c", "test_it_c", '<skipped message="PostgreSQL"/>'),
)


def test_it_passes_when_every_browser_test_passed_in_each_report(etape, tmp_path, capsys):
    etape.main([_rapport(tmp_path, "sqlite.xml", *PASSES), _rapport(tmp_path, "postgresql.xml", *PASSES)])
    assert "2 tests navigateur passés dans chacun des 2 rapports" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("cas", "message"),
    [
        (PASSES[:1], "tests.navigateur.test_b::test_it_b[x] absent"),
        (
            (
                PASSES[0],
                ("tests.navigateur.test_b", "test_it_b[x]", '<skipped message="Chromium introuvable"/>'),
            ),
            "tests.navigateur.test_b::test_it_b[x] skipped",
        ),
        ((PASSES[0], ("tests.navigateur.test_b", "test_it_b[x]", "<failure/>")), "test_it_b[x] failure"),
    ],
    ids=["absent", "ignoré", "échoué"],
)
def test_it_fails_when_a_browser_test_is_missing_skipped_or_failed_in_one_report(
    etape, tmp_path, cas, message
):
    bon = _rapport(tmp_path, "sqlite.xml", *PASSES)
    mauvais = _rapport(tmp_path, "postgresql.xml", *cas)
    with pytest.raises(SystemExit) as sortie:
        etape.main([bon, mauvais])
    assert message in str(sortie.value) and "sqlite.xml" not in str(sortie.value)


def test_it_reads_the_browser_tests_ids_as_junit_names_them():
    ids = _module().attendus()
    assert (
        "tests.navigateur.test_axe::test_it_gives_axe_no_wcag_21_aa_violation_to_find_on_any_page[elu]" in ids
    )
    assert all(i.startswith("tests.navigateur.") for i in ids) and len(ids) >= 30


@pytest.mark.parametrize(
    ("ident", "nom"),
    [
        ("tests/navigateur/test_a.py::test_it_a", "tests.navigateur.test_a::test_it_a"),
        ("tests/navigateur/test_a.py::Groupe::test_it_b", "tests.navigateur.test_a.Groupe::test_it_b"),
        ("tests/navigateur/test_a.py::test_it_c[x::y]", "tests.navigateur.test_a::test_it_c[x::y]"),
    ],
)
def test_it_names_a_test_as_junit_does_classes_and_parameters_included(ident, nom):
    assert _module().nom_junit(ident) == nom
