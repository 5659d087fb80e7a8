"""Every response reads as the firm wants: French typography, short, faithful to 2021.

The checks walk every response of ``data/responses/`` (and the topic titles of
``actions/topics.py``); ``scripts/typeset_french.py`` fixes the typography.
"""

import re
from typing import Dict, Iterator, List, Tuple

import pytest

from actions.topics import TOPICS
from tests.support.content import ROOT, responses

URL = re.compile(r"https?://\S+")
NARROW, NO_BREAK = "\u202f", "\u00a0"
# Answers longer than a short first bubble, and why they must be.
LONG_ANSWERS = {
    "utter_ask_consent": "the RGPD notice says what, why, who, how long and how to erase",
    "utter_ask_consent_without_policy": "the RGPD notice, as above",
    "utter_faq/offre_transition_details": "the details behind « En savoir plus », as worded",
}
MAX_WORDS = 60
# Statements the sheet does not support today (it reports 2021, or announces
# what was to come): none of these may reach a visitor.
UNFAITHFUL = [
    "ont été sélectionnés",
    "les meilleurs ont gagné",
    "vous propose quatre accompagnements",
    "peut vous accompagner dans la consolidation",
    "effacer à tout moment",
    "aucune information n'a été enregistrée",
    "est le ministère de l'économie",
    "on dénombre 56",
]


def texts() -> Iterator[Tuple[str, str]]:
    """(response name, text) for every text and button title of every response."""
    for name, variants in responses().items():
        for variant in variants:
            yield name, variant["text"]
            for button in variant.get("buttons", []):
                yield f"{name} (button)", button["title"]
    for key, topic in TOPICS.items():
        yield f"topic {key}", topic.title


def prose(text: str) -> str:
    """``text`` without its URLs, which keep their own punctuation."""
    return URL.sub("URL", text)


@pytest.mark.parametrize("name, text", list(texts()))
def test_french_spacing(name: str, text: str) -> None:
    text = prose(text)
    assert not re.search(rf"[^{NARROW}]([?!;])", text.replace("\n", " ")), name
    assert not re.search(rf"[^{NO_BREAK}]:(\s|$)", text), name
    assert not re.search(rf"«[^{NARROW}]|[^{NARROW}]»", text), name


def first_bubble_words(text: str) -> int:
    return len(prose(text).split())


def test_first_bubbles_are_short() -> None:
    long = {
        name: first_bubble_words(variants[0]["text"])
        for name, variants in responses().items()
        if name not in LONG_ANSWERS and first_bubble_words(variants[0]["text"]) > MAX_WORDS
    }
    assert long == {}


def test_paragraphs_and_lists_are_separated_by_blank_lines() -> None:
    """The widget's Markdown joins lines that a single line break separates."""
    joined: Dict[str, List[str]] = {}
    for name, variants in responses().items():
        lines = variants[0]["text"].split("\n")
        for before, after in zip(lines, lines[1:], strict=False):
            if before and after and not (before.startswith("- ") and after.startswith("- ")):
                joined.setdefault(name, []).append(after)
    assert joined == {}


def test_buttons_ask_a_question_rather_than_c_est_quoi() -> None:
    titles = [text for name, text in texts() if "button" in name or name.startswith("topic")]
    assert [title for title in titles if title.lower().startswith("c'est quoi")] == []


@pytest.mark.parametrize("phrase", UNFAITHFUL)
def test_no_response_nor_action_states_what_the_sheet_does_not(phrase: str) -> None:
    sources = [text for _, text in texts()]
    sources += [path.read_text(encoding="utf-8") for path in (ROOT / "actions").rglob("*.py")]
    assert [text[:80] for text in sources if phrase.lower() in text.lower()] == []
