"""The sheet search: passages cut from the sheet, French stems, the closest passage."""

import math

import pytest

from actions.sheet_search import (
    Passage,
    SheetSearch,
    _clean,
    _is_heading,
    sentences,
    sheet_search,
    split_passages,
)
from components.french import stems
from tests.support.content import sheet


def test_stems_drop_accents_case_elisions_and_common_words() -> None:
    assert stems("Les financements de l'État") == stems("financement etat")
    assert stems("qu'est-ce que c'est ?") == []


def test_every_list_item_keeps_the_line_that_introduces_it() -> None:
    passages = split_passages(sheet())
    forms = [p.text for p in passages if p.text.startswith("Formes :")]
    assert forms == [
        "Formes : nouvelles activités économiques organisées conjointement par les membres "
        "en fonction de leurs apports",
        "Formes : et/ou mutualisation de locaux, de salariés, de compétences",
    ]


def test_passages_carry_their_section_and_plain_text() -> None:
    passages = split_passages(sheet())
    (law,) = [p for p in passages if "article 9" in p.text]
    assert law.section == "Chronologie"
    assert all("**" not in p.text and "<http" not in p.text for p in passages)
    assert all(p.section for p in passages)


@pytest.mark.parametrize(
    "question, expected",
    [
        ("le jumelage des intérêts et le rôle des acteurs", "jumelage des intérêts"),
        ("relocaliser les activités grâce aux ptce", "Relocaliser les activités"),
        ("un webinaire de lancement a eu lieu quand", "30 juin"),
        ("bassin de vie ou departement", "bassin de vie"),
    ],
)
def test_the_closest_passage_is_the_one_that_answers(question: str, expected: str) -> None:
    assert expected in sheet_search().best(question).passage.text


def test_a_message_without_any_word_of_the_sheet_finds_nothing() -> None:
    assert sheet_search().best("recette de la tarte tatin") is None


def test_scores_rank_the_passages() -> None:
    search = SheetSearch([Passage("A", "les oiseaux chantent"), Passage("B", "les loups hurlent")])
    match = search.best("un loup hurle la nuit")
    assert match.passage.section == "B" and 0 < match.score <= 1


@pytest.mark.parametrize(
    "block, heading",
    [
        ("Chronologie", True),  # short, no final punctuation
        ("→ La nouvelle charte.", True),  # an arrow line, whatever its end
        ("II- Le rapport.", True),  # a numbered part, whatever its end
        ("ii- pas une partie.", False),
        ("Une phrase courte.", False),
        ("Formes :", False),
        ("« Une citation »", False),
        ("<https://fr-consultants.com/>", False),
        ("(une parenthèse)", False),
        ("- un élément de liste", False),
        ("Deux lignes\nsans point", False),
        ("x" * 119, True),
        ("x" * 120, False),  # a long line is a paragraph
    ],
)
def test_headings_are_told_from_facts(block: str, heading: bool) -> None:
    assert _is_heading(block) is heading


def test_lines_lose_list_marks_emphasis_and_link_brackets() -> None:
    assert _clean("- o **Relocaliser** les activités <https://exemple.fr/a> ") == (
        "Relocaliser les activités https://exemple.fr/a"
    )


def test_a_small_sheet_is_cut_into_passages_with_their_sections_and_labels() -> None:
    sheet = "\n\n".join(
        [
            "Fiche rédigée en 2021, avant toute partie.",
            "Définition ?",
            "Un PTCE regroupe des acteurs.",
            "Formes :",
            "- activités nouvelles\n- mutualisation",
            "Une phrase après la liste.",
            "→ Nouvelle charte",
            "La charte est\nen ligne.",
            "Deux lignes qui\nfinissent par :",
            "XXIe siècle",
            "Chapitre IX ?",
            "Un fait.",
        ]
    )
    assert split_passages(sheet) == [
        Passage("Définition", "Un PTCE regroupe des acteurs."),
        Passage("Définition", "Formes : activités nouvelles"),
        Passage("Définition", "Formes : mutualisation"),
        Passage("Définition", "Une phrase après la liste."),
        Passage("Nouvelle charte", "La charte est en ligne."),
        Passage("Nouvelle charte", "Deux lignes qui finissent par :"),
        Passage("Chapitre IX", "Un fait."),
    ]
    assert _is_heading("XXIe siècle") and split_passages("XXIe siècle\n\nUn fait.") == [
        Passage("XXIe siècle", "Un fait.")
    ]


def test_a_word_repeated_in_a_passage_counts_less_and_less() -> None:
    """Term frequencies are sublinear (1 + ln tf): a passage cannot win by repeating a word."""
    search = SheetSearch([Passage("", "loup loup loup chat"), Passage("", "chien")])
    weight = 1 + math.log(3)
    assert search.best("loup").score == pytest.approx(weight / math.sqrt(weight**2 + 1))


def test_a_paragraph_is_cut_into_its_sentences_not_at_every_full_stop() -> None:
    paragraph = "Un PTCE regroupe des acteurs. Ils coopèrent, etc. sur un territoire.\nÀ suivre !"
    assert sentences(paragraph) == [
        "Un PTCE regroupe des acteurs.",
        "Ils coopèrent, etc. sur un territoire.",
        "À suivre !",
    ]
