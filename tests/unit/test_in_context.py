"""A short question about the topic just answered, told by the words of the answers near it."""

from datetime import date
from typing import Optional

import pytest

from actions.in_context import MINIMUM_SHARE, answer_in_context, near, share_held
from actions.sheet_search import sheet_search
from components.french import stems
from tests.support.actions import sent_domain

TODAY = date(2026, 11, 27)


def in_context(text: str, remembered: Optional[str]) -> Optional[str]:
    return answer_in_context(text, remembered, sent_domain("action_fallback"), TODAY)


@pytest.mark.parametrize(
    "text, remembered, expected",
    [
        # The answer just given holds the detail asked.
        ("Sous l'impulsion de qui ?", "faq/ptce_origine", "faq/ptce_origine"),
        ("quel article déjà ?", "faq/ptce_loi", "faq/ptce_loi"),
        ("Elle était en charge de quoi ?", "faq/rapport_presentation", "faq/rapport_presentation"),
        # An answer offered after it holds it.
        (
            "Les emplois en question sont de quelle nature ?",
            "faq/ptce_definition",
            "faq/ptce_benefices",
        ),
    ],
)
def test_a_short_question_gets_the_answer_near_the_topic_that_holds_its_words(
    text: str, remembered: str, expected: str
) -> None:
    assert in_context(text, remembered) == expected


@pytest.mark.parametrize(
    "text, remembered",
    [
        # Words of no answer, or words that tell no answer from another.
        ("et la météo demain ?", "faq/ptce_definition"),
        ("Il fait quoi d'autre ?", "faq/cabinet_presentation"),
        ("zorglub ?", "faq/ptce_loi"),
        # Nothing answered before, or a topic that is no answer.
        ("Sous l'impulsion de qui ?", None),
        ("Sous l'impulsion de qui ?", "request_contact"),
        # A longer message says what it is about: the sheet search serves it.
        (
            "Sous l'impulsion de qui ce terme est-il apparu dans les années 2000 ?",
            "faq/ptce_origine",
        ),
    ],
)
def test_no_answer_is_taken_without_words_that_point_to_it(
    text: str, remembered: Optional[str]
) -> None:
    assert in_context(text, remembered) is None


def test_the_answers_near_a_topic_start_with_it_and_name_each_once() -> None:
    around = near("faq/rapport_constats")
    assert around[0] == "faq/rapport_constats"
    assert "faq/rapport_apports" in around  # its details
    assert "faq/rapport_presentation" in around  # its subject
    assert len(around) == len(set(around))
    assert "faq/cabinet_vision" not in around


def test_the_share_weighs_the_words_by_their_rarity_in_the_sheet() -> None:
    rare, common = "impuls", "ptce"
    rarity = sheet_search().rarity
    assert rarity[rare] > rarity[common]
    assert share_held([rare, common], [rare]) > MINIMUM_SHARE > share_held([rare, common], [common])
    assert share_held([], stems("Le terme de PTCE")) == 0.0
