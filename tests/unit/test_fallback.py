"""The first stage of the two-stage fallback offers the likeliest topics."""

from rasa_sdk import Tracker

from actions.fallback import ActionDefaultAskAffirmation, likeliest_topics
from actions.topics import TOPICS
from tests.support.actions import run_action

PARSE = {
    "intent": {"name": "nlu_fallback", "confidence": 0.55},
    "intent_ranking": [
        {"name": "nlu_fallback", "confidence": 0.55},
        {"name": "faq", "confidence": 0.5},
        {"name": "ami_calendrier", "confidence": 0.3},
        {"name": "greet", "confidence": 0.1},
    ],
    "response_selector": {
        "faq": {
            "ranking": [
                {"intent_response_key": "faq/charte", "confidence": 0.7},
                {"intent_response_key": "faq/charte_webinaire", "confidence": 0.2},
                {"intent_response_key": "faq/ptce_video", "confidence": 0.1},
            ]
        }
    },
}


def ask(latest_message: dict) -> list:
    tracker = Tracker("t", {}, latest_message, [], False, None, {}, "action_listen")
    events, messages = run_action(ActionDefaultAskAffirmation(), tracker)
    assert events == []
    return messages


def test_faq_sub_intents_are_weighted_by_the_faq_confidence() -> None:
    # faq/charte 0.35, ami_calendrier 0.3, faq/charte_webinaire 0.1; greet is no topic.
    assert likeliest_topics(PARSE) == ["faq/charte", "ami_calendrier", "faq/charte_webinaire"]


def test_buttons_carry_french_titles_and_an_other_choice() -> None:
    (message,) = ask(PARSE)
    titles = [button["title"] for button in message["buttons"]]
    assert titles == [
        TOPICS["faq/charte"].title,
        TOPICS["ami_calendrier"].title,
        TOPICS["faq/charte_webinaire"].title,
        "Autre chose",
    ]
    assert message["buttons"][-1]["payload"] == "/out_of_scope"


def test_without_any_topic_the_main_topics_are_offered() -> None:
    (message,) = ask(
        {
            "intent": {"name": "nlu_fallback"},
            "intent_ranking": [{"name": "greet", "confidence": 0.4}],
        }
    )
    assert len(message["buttons"]) == 4
    assert "Voici les sujets" in message["text"]


def test_a_malformed_parse_does_not_crash() -> None:
    assert likeliest_topics({}) == []
    assert likeliest_topics({"intent_ranking": [{"name": "faq", "confidence": 0.9}]}) == []
