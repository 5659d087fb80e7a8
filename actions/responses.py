"""Reading the bot's responses: from the domain, to compose one message of several,
and from the conversation, to know what the bot said last.

Actions send whole responses by name (``dispatcher.utter_message(response=…)``).
The AMI answers are the exception: each is one message made of the sentences that
fit today's date, and each of those sentences is a response of its own in
``data/responses/ami.yml``. Rasa sends the merged domain, responses included, with
every call to the action server.
"""

from itertools import islice
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction


def response_text(domain: Dict[Text, Any], name: str, **values: Any) -> str:
    """The text of the response ``name`` (its first variation), filled with ``values``."""
    text = domain["responses"][name][0]["text"]
    return text.format(**values) if values else text


def last_bot_message(tracker: Tracker) -> Dict[Text, Any]:
    """The bot's last message before the visitor's latest one (its event), or ``{}``."""
    return next(
        (event for event in reversed(tracker.events or []) if event.get("event") == "bot"), {}
    )


def last_utterance(tracker: Tracker) -> str:
    """The name of the response the bot sent last (``utter_ask_consent``…), or ``""``."""
    return (last_bot_message(tracker).get("metadata") or {}).get("utter_action") or ""


def listed_points(domain: Dict[Text, Any], topic: str) -> List[str]:
    """The points the answer to FAQ topic ``topic`` lists, one per line starting with
    « - », without their closing « ; » or « . »; none for another kind of answer."""
    responses = domain.get("responses") or {}
    if f"utter_{topic}" not in responses:
        return []
    lines = response_text(domain, f"utter_{topic}").splitlines()
    return [line[2:].rstrip(" ;.") for line in lines if line.startswith("- ")]


def recent_utterances(tracker: Tracker, count: int) -> List[str]:
    """The names of the responses of the bot's ``count`` last messages, latest first."""
    names = (
        (event.get("metadata") or {}).get("utter_action") or ""
        for event in reversed(tracker.events or [])
        if event.get("event") == "bot"
    )
    return list(islice(names, count))


def listen_if(handed_over: bool) -> List[Dict[Text, Any]]:
    """What an action that another one handed the turn to (``FollowupAction``) ends
    with: waiting for the visitor. The rules know the action after an intent of its
    own, not after another's (« kan » handed over by the fallback), and without a
    rule Rasa's core fallback answers « Désolé, je n'ai pas compris » and undoes the
    turn."""
    return [FollowupAction("action_listen")] if handed_over else []
