"""English, or a request for another language, is told by its words (components/other_language)."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.other_language import OtherLanguageClassifier, in_another_language


@pytest.mark.parametrize(
    "text, other",
    [
        ("What's the deadline for the PTCE call in 2026?", True),
        ("Hello, can you explain what a PTCE is?", True),
        ("Hi, do you speak English?", True),
        ("Réponds en anglais stp", True),
        ("vous parlez anglais ?", True),
        ("¿Hablas español?", True),
        ("Sprechen Sie Deutsch?", True),
        ("c quoi le business model d'un PTCE ?", False),
        ("on peut faire un call avec un consultant ?", False),
        ("erreur javascript undefined is not a function", False),
        ("traduis bonjour en espagnol", False),
        ("Le rapport « Relancer les PTCE » date de quand ?", False),
    ],
)
def test_english_or_a_request_for_another_language_is_told_by_its_words(
    text: str, other: bool
) -> None:
    assert in_another_language(text) is other


def test_the_classifier_overrides_the_intent_and_keeps_the_rest_of_the_ranking() -> None:
    english = Message(
        data={
            "text": "What's the deadline for the PTCE call in 2026?",
            "intent": {"name": "faq", "confidence": 0.98},
            "intent_ranking": [
                {"name": "faq", "confidence": 0.98},
                {"name": "other_language", "confidence": 0.01},
            ],
        }
    )
    french = Message(
        data={"text": "C'est quoi un PTCE ?", "intent": {"name": "faq", "confidence": 0.98}}
    )
    OtherLanguageClassifier().process([english, french])
    assert english.get("intent") == {"name": "other_language", "confidence": 1.0}
    assert [ranked["name"] for ranked in english.get("intent_ranking")] == [
        "other_language",
        "faq",
    ]
    assert french.get("intent") == {"name": "faq", "confidence": 0.98}
