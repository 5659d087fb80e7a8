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


def sent_domain(name: str) -> Dict[str, Any]:
    """The domain Rasa sends with a call to the action ``name``.

    With ``enable_selective_domain`` (endpoints.yml), Rasa sends it only to the actions
    marked ``send_domain`` in domain.yml and to those named ``validate_…``; the others
    get none, and an action that reads a response from it fails in production only.
    """
    marked = {
        action_name
        for entry in domain()["actions"]
        if isinstance(entry, dict)
        for action_name, settings in entry.items()
        if (settings or {}).get("send_domain")
    }
    return domain() if name in marked or name.startswith("validate_") else {}


def run_action(
    action: Action, tracker: Tracker, on_domain: Optional[Dict[str, Any]] = None
) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """The events ``action`` returns and the messages it sends, rendered; the domain is
    the one Rasa would send that action, unless ``on_domain`` is given."""
    dispatcher = CollectingDispatcher()
    given = sent_domain(action.name()) if on_domain is None else on_domain
    events = asyncio.run(action.run(dispatcher, tracker, given))
    return events, [render(message) for message in dispatcher.messages]
