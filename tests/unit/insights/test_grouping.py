"""Similar phrasings of one question are counted together."""

from collections import Counter

import pytest

from insights import grouping
from insights.grouping import Question, group, normalise


def questions(*asked: tuple) -> dict:
    """Phrasings keyed as the figures key them, from (text, times[, first, last])."""
    found = {}
    for text, times, first, last in (
        item + (1.0, 1.0) if len(item) == 2 else item for item in asked
    ):
        question = Question(text, first)
        for moment in [first] * (times - 1) + [last]:
            question.add(moment, "out_of_scope")
        found[normalise(text)] = question
    return found


def test_normalise_ignores_case_accents_punctuation_and_masked_data() -> None:
    assert normalise("Écrivez-moi à j***@e***.fr, SVP !") == "ecrivez moi a svp"


def test_similar_phrasings_are_one_group_named_by_the_commonest() -> None:
    groups = group(
        questions(
            ("combien coute votre accompagnement ?", 2, 300.0, 400.0),
            ("combien coûte un accompagnement", 5, 100.0, 500.0),
            ("vous recrutez ?", 1, 200.0, 200.0),
            ("est-ce que vous recrutez", 3, 50.0, 900.0),
        )
    )
    assert [(g.example, g.count, g.phrasings, g.first, g.last) for g in groups] == [
        ("combien coûte un accompagnement", 7, 2, 100.0, 500.0),
        ("est-ce que vous recrutez", 4, 2, 50.0, 900.0),
    ]
    assert groups[0].outcomes == Counter(out_of_scope=7)


def test_different_questions_stay_apart() -> None:
    asked = ("quel temps fait-il à Paris", 1), ("le match d'hier", 1), ("des crêpes", 1)
    assert len(group(questions(*asked))) == 3


def test_rare_phrasings_beyond_the_leaders_join_their_nearest_leader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(grouping, "MAX_LEADERS", 2)
    groups = group(
        questions(
            ("quel temps fait-il à Paris", 5),
            ("qui a gagné le match hier", 4),
            ("quel temps fait il a paris demain", 1),
            ("une recette de crêpes", 1),
        )
    )
    assert [(g.example, g.count) for g in groups] == [
        ("quel temps fait-il à Paris", 6),
        ("qui a gagné le match hier", 4),
        ("une recette de crêpes", 1),
    ]


def test_nothing_to_group() -> None:
    assert group({}) == []
