"""The first stage of the two-stage fallback offers the likeliest topics."""

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionDefaultAskAffirmation, likeliest_topics
from actions.topics import TOPICS

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


def run_action(latest_message: dict) -> list:
    dispatcher = CollectingDispatcher()
    tracker = Tracker("t", {}, latest_message, [], False, None, {}, "action_listen")
    assert asyncio.run(ActionDefaultAskAffirmation().run(dispatcher, tracker, {})) == []
    return dispatcher.messages


def test_faq_sub_intents_are_weighted_by_the_faq_confidence() -> None:
    # faq/charte 0.35, ami_calendrier 0.3, faq/charte_webinaire 0.1; greet is no topic.
    assert likeliest_topics(PARSE) == ["faq/charte", "ami_calendrier", "faq/charte_webinaire"]


def test_buttons_carry_french_titles_and_an_other_choice() -> None:
    (message,) = run_action(PARSE)
    titles = [button["title"] for button in message["buttons"]]
    assert titles == [
        TOPICS["faq/charte"].title,
        TOPICS["ami_calendrier"].title,
        TOPICS["faq/charte_webinaire"].title,
        "Autre chose",
    ]
    assert message["buttons"][-1]["payload"] == "/out_of_scope"


def test_without_any_topic_the_main_topics_are_offered() -> None:
    (message,) = run_action(
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
