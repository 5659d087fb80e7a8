"""Reading the bot's responses: from the domain, to compose one message of several,
and from the conversation, to know what the bot said last.

Actions send whole responses by name (``dispatcher.utter_message(response=…)``).
The AMI answers are the exception: each is one message made of the sentences that
fit today's date, and each of those sentences is a response of its own in
``data/responses/ami.yml``. Rasa sends the merged domain, responses included, with
every call to the action server.
"""

from typing import Any, Dict, Text

from rasa_sdk import Tracker


def response_text(domain: Dict[Text, Any], name: str, **values: Any) -> str:
    """The text of the response ``name`` (its first variation), filled with ``values``."""
    text = domain["responses"][name][0]["text"]
    return text.format(**values) if values else text


def last_bot_message(tracker: Tracker) -> Dict[Text, Any]:
    """The bot's last message before the visitor's latest one (its event), or ``{}``."""
    return next(
        (event for event in reversed(tracker.events or []) if event.get("event") == "bot"), {}
    )
