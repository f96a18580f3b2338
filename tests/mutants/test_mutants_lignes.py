"""Rows of an imported file: title and porteur in one cell, errors by column, changes as read
(issue 20: mutants of programmation/importation/lignes.py)."""

from decimal import Decimal

import pytest

from programmation.importation.erreurs import ErreurImport
from programmation.importation.lignes import (
    Ligne,
    _lisible,
    _majuscules,
    _titre_axe,
    _total,
    lire_ligne,
    lire_lignes,
    separer,
)
from programmation.importation.valeurs import Formule


def aucun(texte):
    return ""


# « Intitulé / PORTEUR »: the last slash splits, the porteur's trailing stars go; not a guess.
def test_it_splits_title_and_porteur_at_the_last_slash():
    assert separer("Aide aux devoirs / soir / AGASEF **", aucun) == (
        "Aide aux devoirs / soir",
        "AGASEF",
        False,
    )


# A slash with nothing on one side does not split: the capitals at the end are taken, as a guess.
def test_it_does_not_split_at_a_slash_with_an_empty_side():
    assert separer("Accompagner la parentalité IREPS /", aucun) == (
        "Accompagner la parentalité IREPS /",
        "",
        True,
    )
    assert separer("/ Jardins partagés AGASEF", aucun) == ("/ Jardins partagés", "AGASEF", True)


# A known porteur ending the cell is taken as such, separators before it dropped; not a guess.
def test_it_takes_a_known_porteur_ending_the_cell():
    def connu(texte):
        return "Centre social Sisley*" if texte.endswith("Centre social Sisley*") else ""

    assert separer("Jardins partagés – Centre social Sisley*", connu) == (
        "Jardins partagés",
        "Centre social Sisley",
        False,
    )


# Otherwise the run of capitals at the end is the porteur (a guess); the first word stays the title.
def test_it_guesses_the_run_of_capitals_at_the_end_is_the_porteur():
    assert separer("Accompagner la parentalité IREPS ARS", aucun) == (
        "Accompagner la parentalité",
        "IREPS ARS",
        True,
    )
    assert separer("AGASEF IREPS", aucun) == ("AGASEF", "IREPS", True)
    assert separer("AGASEF", aucun) == ("AGASEF", "", True)
    assert separer("Accompagner  la parentalité", aucun) == ("Accompagner  la parentalité", "", True)


# A word in capitals has two capital letters at least and no small one; digits alone count too.
def test_it_recognises_a_word_in_capitals():
    assert _majuscules("IREPS")
    assert _majuscules("QV")
    assert _majuscules("L'ADMR")
    assert _majuscules("2024")
    assert not _majuscules("A")
    assert not _majuscules("Ireps")
    assert not _majuscules("--")


# A change as read: the new value of a pair, a list joined, an amount in euros.
def test_it_reads_a_change_as_its_new_value():
    # A cofinancement's change is (financeur, new amount, current row): the new amount is shown.
    assert _lisible(("État", Decimal("5000"), None)) == "5\u202f000\u202f€"
    assert _lisible(("État", Decimal("5000"), "Cofinancement actuel de 4 000 €")) == "5\u202f000\u202f€"
    assert _lisible(["QPV Montreynaud", "QPV Tarentaize"]) == "QPV Montreynaud, QPV Tarentaize"
    assert _lisible(Decimal("1200.5")) == "1\u202f200,50\u202f€"
    assert _lisible(3) == "3"
    ligne = Ligne("Annexe", 4, changements=[("coût", Decimal("1200")), ("quartiers", ["A", "B"])])
    assert ligne.changements_lisibles == ["coût : 1\u202f200\u202f€", "quartiers : A, B"]


# An error or a warning names its column when there is one.
def test_it_names_their_column_in_errors_and_warnings():
    ligne = Ligne("Annexe", 4)
    ligne.erreur("colonne B « Coût »", "montant négatif (-1)")
    ligne.erreur("", "intitulé manquant")
    ligne.avertir("colonne C « Porteur »", "séparés par supposition")
    ligne.avertir(None, "à vérifier")
    assert ligne.erreurs == ["colonne B « Coût » : montant négatif (-1)", "intitulé manquant"]
    assert ligne.avertissements == ["colonne C « Porteur » : séparés par supposition", "à vérifier"]


# Only the stars and spaces ending a porteur go, whatever its last letter; a title keeps its first one.
def test_it_removes_only_the_trailing_stars_of_a_porteur():
    def connu(texte):
        return "Centre AFEX*" if texte.endswith("Centre AFEX*") else ""

    assert separer("Jardins / ADEX*", aucun) == ("Jardins", "ADEX", False)
    assert separer("Xylophones – Centre AFEX*", connu) == ("Xylophones", "Centre AFEX", False)
    assert separer("Accompagner la parentalité FOX", aucun) == ("Accompagner la parentalité", "FOX", True)
    assert separer("Accompagner la parentalité IREPS**", aucun) == (
        "Accompagner la parentalité",
        "IREPS",
        True,
    )


COLONNES = {"intitule": 0, "cout": 2, "contribution": 3}


def _chiffres(total):
    return total.cout, total.contribution


# A total row gives its figures in the cost and contribution columns, and the rows above it.
def test_it_reads_a_total_s_figures_in_their_columns():
    bloc = [Ligne("Annexe", 4), Ligne("Annexe", 5)]
    total = _total("Annexe", 6, "TOTAL défi 1", ["TOTAL défi 1", 7, 12000, 3000.5], COLONNES, bloc)
    assert (total.feuille, total.numero, total.libelle) == ("Annexe", 6, "TOTAL défi 1")
    assert _chiffres(total) == (Decimal("12000"), Decimal("3000.50"))
    assert total.lignes == bloc and total.note == ""


# One figure in its column is enough: the other stays unknown, whatever else the row holds.
def test_it_leaves_the_other_figure_unknown_for_a_total_with_one_figure_in_its_column():
    assert _chiffres(_total("A", 6, "TOTAL", ["TOTAL", 7, 12000, None], COLONNES, [])) == (
        Decimal("12000"),
        None,
    )
    assert _chiffres(_total("A", 6, "TOTAL", ["TOTAL", 7, None, 3000], COLONNES, [])) == (
        None,
        Decimal("3000"),
    )
    # A short row: the contribution column is beyond its end.
    assert _chiffres(_total("A", 6, "TOTAL", ["TOTAL", 7, 12000], COLONNES, [])) == (Decimal("12000"), None)


# Shifted or merged cells: the last two figures of the row are the cost and the contribution,
# a single one the contribution; the label's cell never counts.
def test_it_takes_the_last_figures_of_the_row_for_a_total_out_of_its_columns():
    assert _chiffres(_total("A", 6, "2024", [2024, 15000, 4000], {}, [])) == (
        Decimal("15000"),
        Decimal("4000"),
    )
    assert _chiffres(
        _total("A", 6, "TOTAL", ["TOTAL", 9, "n.c.", None, None, 15000, 4000], COLONNES, [])
    ) == (
        Decimal("15000"),
        Decimal("4000"),
    )
    assert _chiffres(_total("A", 6, "TOTAL", ["TOTAL", None, None, None, 4000], COLONNES, [])) == (
        None,
        Decimal("4000"),
    )
    assert _chiffres(_total("A", 6, "TOTAL", ["TOTAL", 500], {}, [])) == (None, Decimal("500"))
    assert _chiffres(_total("A", 6, "TOTAL", ["TOTAL", "voir annexe"], COLONNES, [])) == (None, None)


# A formula in the row is noted: its figure is not in the file, only what is written is compared.
def test_it_says_so_of_a_total_computed_by_a_formula():
    total = _total("A", 6, "TOTAL", ["TOTAL", None, Formule("=SUM(C2:C5)"), 3000], COLONNES, [])
    assert _chiffres(total) == (None, Decimal("3000"))
    assert total.note == "calculé par une formule dans le fichier : comparé seulement sur ses valeurs écrites"


class Feuille:
    def __init__(self, nom, lignes):
        self.nom, self.lignes = nom, lignes


ENTETE = ("Intitulé", "Porteur", "Coût", "Contribution")
AXES = {"DÉFI 1 : EMPLOI": "axe emploi", "DÉFI 2 : SANTÉ": "axe santé"}


def _lire(*lignes, entete=ENTETE):
    feuille = Feuille("Annexe", [(1, entete), *[(i, ligne) for i, ligne in enumerate(lignes, start=2)]])
    return lire_lignes([feuille], None, AXES.get, lambda texte: "")


# Empty rows are passed over, and the rows after them still read; headings are counted as ignored.
def test_it_passes_over_empty_rows_and_counts_headings():
    lecture = _lire(
        ("DÉFI 1 : EMPLOI", None, None, None),
        ("Chantier d'insertion", "AGASEF", 20000, 5000),
        (None, None, None, None),
        ("DÉFI 2 : SANTÉ", None, None, None),
        (None, None, None, None),
        ("Accompagner la parentalité", "IREPS", 8000, 2000),
    )
    assert [(ligne.numero, ligne.intitule, ligne.axe_contexte) for ligne in lecture.lignes] == [
        (3, "Chantier d'insertion", "axe emploi"),
        (7, "Accompagner la parentalité", "axe santé"),
    ]
    assert lecture.ignorees == 2


# A row holding only a formula is not empty: it is read, and counted as ignored when it names nothing.
def test_it_counts_a_row_of_formulas_only_as_ignored():
    lecture = _lire(
        ("Chantier d'insertion", "AGASEF", 20000, 5000), (None, None, None, None, Formule("=C2*2"))
    )
    assert [ligne.intitule for ligne in lecture.lignes] == ["Chantier d'insertion"]
    assert lecture.ignorees == 1


# The header repeated on a printed page is skipped when half its cells at least are header texts.
def test_it_reads_a_row_half_made_of_header_texts_as_the_header_repeated():
    lecture = _lire(
        ("Chantier d'insertion", "AGASEF", 20000, 5000),
        ("Intitulé", "Porteur", "Coût total", "Subvention"),
        ("Intitulé", None, None, None),
        ("Accompagner la parentalité", "IREPS", 8000, 2000),
    )
    assert [ligne.intitule for ligne in lecture.lignes] == [
        "Chantier d'insertion",
        "Accompagner la parentalité",
    ]
    assert lecture.ignorees == 0


# « Half at least »: one header text among three is an action's row (here a title that happens to be a
# header's word), not the header repeated (bench/mutation.py: lignes' _lire_feuille__mutmut_35).
def test_it_reads_a_row_one_third_of_whose_texts_is_a_header_text_as_an_action():
    lecture = _lire(("Contribution", "AGASEF", 8000, None))
    assert [(ligne.intitule, ligne.porteur_nom) for ligne in lecture.lignes] == [("Contribution", "AGASEF")]


# An error names its column by its letter and the first 40 characters of its header.
def test_it_names_the_column_of_an_error_by_its_letter_and_header_cut_at_40_characters():
    entete = ("Intitulé", "Porteur", "Coût total de l'action en euros toutes taxes comprises", "Contribution")
    lecture = _lire(("Chantier d'insertion", "AGASEF", "beaucoup", 5000), entete=entete)
    (ligne,) = lecture.lignes
    assert ligne.erreurs == [
        "colonne C « Coût total de l'action en euros toutes t » : « beaucoup » n'est pas un montant"
    ]


# A heading names an axe when it is the row's only text.
def test_it_reads_a_heading_as_the_row_s_only_text():
    assert _titre_axe(("DÉFI 2 : SANTÉ", None, ""), AXES.get) == "axe santé"
    assert _titre_axe((None, "DÉFI 2 : SANTÉ"), AXES.get) == "axe santé"
    assert _titre_axe(("DÉFI 2 : SANTÉ", "DÉFI 1 : EMPLOI"), AXES.get) is None
    assert _titre_axe((2024, "DÉFI 2 : SANTÉ"), AXES.get) == "axe santé"
    assert _titre_axe((None, None), {"": "rien"}.get) is None


# A total row closes the block of actions above it (a heading starts a new one), with its own place.
def test_it_keeps_each_total_s_place_label_figures_and_block():
    lecture = _lire(
        ("Chantier d'insertion", "AGASEF", 20000, 5000),
        ("Permis solidaire", "ADIE", 10000, 2500),
        ("TOTAL DÉFI 1", None, 30000, 7500),
        ("DÉFI 2 : SANTÉ", None, None, None),
        ("Accompagner la parentalité", "IREPS", 8000, 2000),
        ("Total défi 2", None, None, 2000),
        ("Fête de quartier", "AGASEF", 3000, 1000),
        ("TOTAL GÉNÉRAL", None, 41000, 10500),
    )
    assert [
        (t.feuille, t.numero, t.libelle, t.cout, t.contribution, [ligne.intitule for ligne in t.lignes])
        for t in lecture.totaux
    ] == [
        (
            "Annexe",
            4,
            "TOTAL DÉFI 1",
            Decimal("30000"),
            Decimal("7500"),
            ["Chantier d'insertion", "Permis solidaire"],
        ),
        ("Annexe", 7, "Total défi 2", None, Decimal("2000"), ["Accompagner la parentalité"]),
        ("Annexe", 9, "TOTAL GÉNÉRAL", Decimal("41000"), Decimal("10500"), ["Fête de quartier"]),
    ]


# A row naming an action but neither its porteur nor its amounts is still read, to say what it lacks.
def test_it_reads_a_row_with_a_title_and_no_porteur_with_its_error():
    lecture = _lire(
        ("Fête de quartier", None, None, None, "Montreynaud"),
        entete=(*ENTETE, "Quartiers"),
    )
    assert [(ligne.intitule, ligne.quartiers, ligne.erreurs) for ligne in lecture.lignes] == [
        ("Fête de quartier", "Montreynaud", ["colonne B « Porteur » : porteur manquant"])
    ]
    assert lecture.ignorees == 0


# A heading carrying its subtotal as a formula stays a heading: a formula is no text of the row.
def test_it_still_reads_a_heading_with_a_formula_subtotal_as_a_heading():
    lecture = _lire(
        ("DÉFI 2 : SANTÉ", None, Formule("=SUM(C3:C4)"), None),
        ("Accompagner la parentalité", "IREPS", 8000, 2000),
    )
    assert [(ligne.intitule, ligne.axe_contexte) for ligne in lecture.lignes] == [
        ("Accompagner la parentalité", "axe santé")
    ]
    assert lecture.ignorees == 1


# A row is an action as soon as one of its title, porteur or amounts is written, whatever else it holds;
# blank cells count as empty; each row read keeps its sheet.
def test_it_reads_a_row_as_soon_as_it_names_a_title_a_porteur_or_an_amount():
    lecture = _lire(
        (None, "AGASEF", None, None, "Montreynaud"),
        (None, "", "  ", None, "Tarentaize"),
        entete=(*ENTETE, "Quartiers"),
    )
    assert [(ligne.feuille, ligne.porteur_nom, ligne.quartiers) for ligne in lecture.lignes] == [
        ("Annexe", "AGASEF", "Montreynaud")
    ]
    assert lecture.ignorees == 1


def test_it_reads_a_combined_cell_alone_as_an_action_not_a_heading():
    entete = ("Intitulé de l'action et porteur", "Quartiers", "Coût", "Contribution")
    lecture = _lire(
        ("Jardins partagés / AGASEF", None, None, None),
        ("Aide aux devoirs / ACARS", "Montreynaud"),
        entete=entete,
    )
    assert [(ligne.intitule, ligne.porteur_nom, ligne.quartiers) for ligne in lecture.lignes] == [
        ("Jardins partagés", "AGASEF", ""),
        ("Aide aux devoirs", "ACARS", "Montreynaud"),
    ]
    assert lecture.ignorees == 0


def _ligne(**cellules):
    colonnes = {champ: f"colonne {lettre}" for champ, lettre in zip(cellules, "ABCDEFGH", strict=False)}
    return lire_ligne("Annexe", 4, cellules.get, colonnes, lambda texte: "")


# A Dauphin file number: letters, digits, - _ / up to 20, written in 30 characters at most.
def test_it_checks_a_file_number_on_its_characters_and_its_written_length():
    base = {"intitule": "Jardins", "porteur": "AGASEF"}
    assert _ligne(numero_dauphin="2024-0012345", **base).erreurs == []
    assert (
        _ligne(numero_dauphin="12 3 4 5 6 7 8 9 0 1 2 3 4 5 6", **base).numero_dauphin == "1234567890123456"
    )
    assert _ligne(numero_dauphin="12 3 4 5 6 7 8 9 0 1 2 3 4 5 6", **base).erreurs == []
    assert _ligne(numero_dauphin="1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6", **base).erreurs == [
        "colonne A : numéro de dossier illisible « 1234567890123456 »"
    ]
    assert _ligne(numero_dauphin="dossier n°12", **base).erreurs == [
        "colonne A : numéro de dossier illisible « dossiern°12 »"
    ]


# The stars marking a porteur in the annexes go, and only them: its last letter stays.
def test_it_removes_only_the_trailing_stars_of_the_porteur_column():
    assert _ligne(intitule="Jardins", porteur="ADEX **").porteur_nom == "ADEX"
    assert _ligne(intitule="Jardins", porteur="*Centre AFEX*").porteur_nom == "*Centre AFEX"


def _etat(ligne):
    return ligne.intitule, ligne.porteur_nom, ligne.separation_supposee, ligne.erreurs, ligne.avertissements


# A combined cell split by guess is flagged on its column, unless a porteur column names the porteur.
def test_it_warns_of_a_guessed_split_unless_the_porteur_column_is_written():
    assert _etat(_ligne(intitule_porteur="Accompagner la parentalité IREPS")) == (
        "Accompagner la parentalité",
        "IREPS",
        True,
        [],
        [
            "colonne A : intitulé « Accompagner la parentalité » et porteur « IREPS » "
            "séparés par supposition (pas de « / ») : vérifiez"
        ],
    )
    assert _etat(_ligne(intitule_porteur="Accompagner la parentalité IREPS", porteur="IREPS Loire")) == (
        "Accompagner la parentalité",
        "IREPS Loire",
        False,
        [],
        [],
    )
    assert _ligne(intitule_porteur="Aide aux devoirs / AGASEF", porteur="").libelle_source == (
        "Aide aux devoirs / AGASEF"
    )


# A missing title or porteur is said on the column where it was expected.
def test_it_says_a_missing_title_or_porteur_on_its_column():
    assert _ligne(intitule_porteur="Accompagner la parentalité").erreurs == [
        "colonne A : porteur introuvable dans la cellule : écrivez « intitulé / porteur »"
    ]
    assert _ligne(intitule_porteur="Accompagner la parentalité", porteur="").erreurs == [
        "colonne B : porteur introuvable dans la cellule : écrivez « intitulé / porteur »"
    ]
    assert _ligne(intitule="Jardins", porteur="").erreurs == ["colonne B : porteur manquant"]
    assert _ligne(intitule="", porteur="AGASEF").erreurs == ["colonne A : intitulé manquant"]
    assert _ligne(intitule_porteur="", porteur="AGASEF").erreurs == ["colonne A : intitulé manquant"]
    assert _ligne(porteur="AGASEF").erreurs == ["intitulé manquant"]


# A text longer than its field is an error on its own column, or on the combined cell it came from.
def test_it_says_a_text_too_long_on_its_column():
    assert _ligne(intitule="Jardins", porteur="AGASEF", territoire="x" * 301).erreurs == [
        "colonne C : texte trop long (301 caractères, 300 au plus)"
    ]
    assert _ligne(intitule_porteur="a" * 301 + " / AGASEF").erreurs == [
        "colonne A : texte trop long (301 caractères, 300 au plus)"
    ]
    assert _ligne(intitule="Jardins", porteur="P" * 201).erreurs == [
        "colonne B : texte trop long (201 caractères, 200 au plus)"
    ]


# SIRET and RNA are read as written, spaces and dots removed; a wrong one is an error on its column.
def test_it_reads_checks_and_keeps_siret_and_rna():
    ligne = _ligne(intitule="Jardins", porteur="AGASEF", siret="356 000 000 49837", rna="w423000123")
    assert (ligne.siret, ligne.rna, ligne.erreurs) == ("35600000049837", "W423000123", [])
    ligne = _ligne(intitule="Jardins", porteur="AGASEF", siret="  ", rna="W423000123")
    assert (ligne.siret, ligne.rna, ligne.erreurs) == ("", "W423000123", [])
    ligne = _ligne(intitule="Jardins", porteur="AGASEF", siret="12345678901234", rna="W12")
    assert (ligne.siret, ligne.rna) == ("", "")
    assert ligne.erreurs == [
        "colonne C : Le SIRET « 12345678901234 » n'est pas valide (clé de contrôle incorrecte).",
        "colonne D : Le numéro RNA doit être un W suivi de 9 chiffres (reçu : « W12 »).",
    ]


# A request file gives the amount asked, taken as the contribution; it may equal the cost, not exceed it.
def test_it_takes_the_amount_asked_for_the_contribution_up_to_the_cost():
    ligne = _ligne(intitule="Jardins", porteur="AGASEF", cout=2000, montant_sollicite=2000)
    assert (ligne.cout, ligne.contribution, ligne.erreurs) == (Decimal("2000"), Decimal("2000"), [])
    ligne = _ligne(intitule="Jardins", porteur="AGASEF", cout=1000, montant_sollicite=2000)
    assert ligne.erreurs == [
        "colonne D : la contribution (2\u202f000\u202f€) dépasse le coût de l'action (1\u202f000\u202f€)"
    ]


# The columns chosen for the first header hold for every sheet with the same header; a sheet without
# any header is named in the notes; a function may choose the columns from the header it is given.
def test_it_keeps_the_chosen_columns_for_each_sheet_with_the_same_header():
    def feuille(nom, *lignes):
        return Feuille(nom, [(i, ligne) for i, ligne in enumerate(lignes, start=1)])

    feuilles = [
        feuille("Défi 1", ENTETE, ("DÉFI 1 : EMPLOI", None, None, None), ("Jardins", "AGASEF", 1000, 4000)),
        feuille("Notes", ("Relu par le service",), ("le 3 mars",)),
        feuille("Vide"),
        feuille("Défi 2", ENTETE, ("Aide aux devoirs", "ACARS", 500, 2500)),
        # Another header: its own columns, as recognised.
        feuille("Défi 3", ("Porteur", "Intitulé", "Contribution"), ("IREPS", "Parentalité", 700)),
    ]
    # The file's cost and contribution columns are swapped: the agent says so.
    inversees = ["intitule", "porteur", "contribution", "cout"]
    for correspondance in (inversees, lambda entete: inversees):
        lecture = lire_lignes(feuilles, correspondance, AXES.get, lambda texte: "")
        assert [(ligne.feuille, ligne.cout, ligne.contribution) for ligne in lecture.lignes] == [
            ("Défi 1", Decimal("4000"), Decimal("1000")),
            ("Défi 2", Decimal("2500"), Decimal("500")),
            ("Défi 3", None, Decimal("700")),
        ]
        assert lecture.correspondance == inversees
        assert lecture.notes == ["Feuille « Notes » : aucune ligne d'en-têtes reconnue, ignorée."]
        assert lecture.ignorees == 1


# A file without a header, or columns chosen without the title's, is refused with the whole reason.
def test_it_refuses_a_file_without_header_or_title_column_saying_why():
    with pytest.raises(ErreurImport) as refus:
        lire_lignes([Feuille("Notes", [(1, ("Relu", "le 3 mars"))])], None, AXES.get, lambda texte: "")
    assert str(refus.value) == (
        "Aucune ligne d'en-têtes reconnue : le fichier doit avoir une ligne d'en-têtes nommant au "
        "moins l'intitulé de l'action (« Intitulé », ou « Intitulé de l'action et porteur »). "
        "Téléchargez le modèle pour voir les colonnes attendues."
    )
    feuille = Feuille("Annexe", [(1, ENTETE), (2, ("Jardins", "AGASEF", 1000, 400))])
    with pytest.raises(ErreurImport) as refus:
        lire_lignes([feuille], ["", "porteur", "cout", "contribution"], AXES.get, lambda texte: "")
    assert str(refus.value) == "La correspondance des colonnes doit désigner la colonne de l'intitulé."
    combinee = ["intitule_porteur", "", "cout", "contribution"]
    assert lire_lignes([feuille], combinee, AXES.get, lambda texte: "").correspondance == combinee


def test_it_accepts_a_text_of_its_field_s_exact_length():
    assert _ligne(intitule="a" * 300, porteur="P" * 200, territoire="t" * 300).erreurs == []
