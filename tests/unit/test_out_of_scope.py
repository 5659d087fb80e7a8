"""A message the NLU finds out of scope, after an answer or not."""

from typing import Optional

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction

from actions.out_of_scope import ActionAnswerOutOfScope
from actions.topics import TOPIC_SLOT, TOPICS
from tests.support.actions import run_action
from tests.support.content import response_start


def out_of_scope(text: str, topic: Optional[str]) -> Tracker:
    latest = {"intent": {"name": "out_of_scope", "confidence": 0.9}, "text": text}
    return Tracker("t", {TOPIC_SLOT: topic}, latest, [], False, None, {}, "action_listen")


def test_whether_an_answer_still_holds_gets_what_the_sheet_cannot_tell() -> None:
    """« Elle est toujours en poste ? » after the report was declined as out of scope."""
    tracker = out_of_scope("Et il est encore ministre ?", "faq/rapport_presentation")
    events, (message,) = run_action(ActionAnswerOutOfScope(), tracker)
    assert message["response"] == "utter_no_current"
    assert response_start("utter_no_current").startswith("Notre fiche, rédigée en 2021, ne dit pas")
    assert [button["payload"] for button in message["buttons"]] == [
        TOPICS["request_contact"].payload
    ]
    # The rule of the out_of_scope intent ends the turn.
    assert events == []


def test_handed_a_question_of_another_intent_it_ends_the_turn() -> None:
    """The answer of the AMI today hands over « Est-elle encore en fonction ? » (faq)."""
    tracker = out_of_scope("Est-elle encore en fonction ?", "faq/rapport_presentation")
    tracker.latest_message["intent"] = {"name": "faq", "confidence": 0.9}
    events, (message,) = run_action(ActionAnswerOutOfScope(), tracker)
    assert message["response"] == "utter_no_current"
    assert events == [FollowupAction("action_listen")]


def test_other_out_of_scope_messages_are_declined() -> None:
    for text, topic in (
        # The words of today, but no answer before: nothing to still hold.
        ("Il fait beau aujourd'hui ?", None),
        # After an answer, but asking nothing of today.
        ("Et la recette de la pâte à crêpes ?", "faq/ptce_nombre"),
        # « toujours » alone asks nothing of today.
        ("c'est toujours aussi compliqué avec vous", "faq/ptce_nombre"),
        # Too long for a follow-up: a question of its own.
        (
            "Et le prix du gazole à la pompe, il est toujours aussi haut en ce moment ?",
            "faq/charte",
        ),
    ):
        _, (message,) = run_action(ActionAnswerOutOfScope(), out_of_scope(text, topic))
        assert message["response"] == "utter_out_of_scope", text


def test_a_request_to_be_contacted_found_out_of_scope_gets_the_consent_notice() -> None:
    """« … je voudrais qu'on me rappelle » after a greeting was declined as out of scope."""
    tracker = out_of_scope("Re-bonjour, je souhaiterais qu'on me recontacte.", None)
    assert run_action(ActionAnswerOutOfScope(), tracker) == (
        [FollowupAction("action_ask_consent")],
        [],
    )
    # Right after the notice, which hands a long unclear reply here: no notice again.
    tracker.events.append(
        {"event": "bot", "text": "…", "metadata": {"utter_action": "utter_ask_consent"}}
    )
    _, (message,) = run_action(ActionAnswerOutOfScope(), tracker)
    assert message["response"] == "utter_out_of_scope"
