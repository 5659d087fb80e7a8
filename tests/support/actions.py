"""Running an action on a tracker and a dispatcher, and reading what it sent.

Actions send responses by name; ``render`` fills them in the way Rasa's
``TemplatedNaturalLanguageGenerator`` does, so the tests check the French the
visitor reads.
"""

import asyncio
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from tests.support.content import domain, responses

# The keys CollectingDispatcher.utter_message always writes; any other key is a value.
MESSAGE_KEYS = {
    "text",
    "buttons",
    "elements",
    "custom",
    "template",
    "response",
    "image",
    "attachment",
}


def render(message: Dict[str, Any]) -> Dict[str, Any]:
    """``message`` as the visitor receives it: its response's text and buttons, filled in."""
    name = message.get("response")
    if not name:
        return message
    variation = responses()[name][0]
    values = {key: value for key, value in message.items() if key not in MESSAGE_KEYS}
    return {
        "text": variation["text"].format(**values),
        "buttons": list(variation.get("buttons", [])) + list(message.get("buttons") or []),
        "response": name,
    }


def run_action(
    action: Action, tracker: Tracker, on_domain: Optional[Dict[str, Any]] = None
) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """The events ``action`` returns and the messages it sends, rendered."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, on_domain or domain()))
    return events, [render(message) for message in dispatcher.messages]
