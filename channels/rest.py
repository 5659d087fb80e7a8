"""Rasa's REST channel, with the project's guard and a body it checks first.

Rasa's ``RestInput`` reads ``request.json.get(…)``: a body that is a JSON list,
a string or ``null`` raises ``AttributeError`` and the caller gets a 500, a
``sender`` of any JSON type reaches the tracker store, and the caller picks the
``input_channel`` name stored with the message. Here the body must be a JSON
object of at most ``MAX_BODY_BYTES`` with a string ``sender`` and ``message``
(``UserMessage`` raises on any other text), or the caller gets
a 400 or 413 saying why (Sanic's own errors, in English, for the integrator).
The channel name is always ``rest``. The metadata is bounded and names the
visitor (``channels/visitor.py``); the text is checked by the guard like every
channel's.
"""

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.exceptions import InvalidUsage, PayloadTooLarge
from sanic.request import Request

from channels.bounds import MAX_BODY_BYTES, UNWANTED_CHARACTERS
from channels.guard import guarded
from channels.visitor import request_pseudonym, visitor_metadata

MAX_SENDER_LENGTH = 128


def checked_body(request: Request) -> Dict[Text, Any]:
    """The request's JSON object, or a 400/413 for the caller."""
    if len(request.body or b"") > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The body is larger than {MAX_BODY_BYTES} bytes.")
    body = request.json  # Sanic answers 400 to invalid JSON or UTF-8
    if not isinstance(body, dict):
        raise InvalidUsage('The body must be a JSON object: {"sender": "…", "message": "…"}.')
    sender = body.get("sender")
    if sender is not None and (
        not isinstance(sender, str)
        or len(sender) > MAX_SENDER_LENGTH
        or UNWANTED_CHARACTERS.search(sender)
    ):
        raise InvalidUsage(
            f"'sender' must be a string of at most {MAX_SENDER_LENGTH} printable characters."
        )
    if not isinstance(body.get("message", ""), (str, type(None))):
        raise InvalidUsage("'message' must be a string.")
    return body


class GuardedRestInput(RestInput):
    """``/webhooks/rest/webhook``, as Rasa's, with a checked body and the guard."""

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        return checked_body(req).get("sender")

    def _extract_message(self, req: Request) -> Optional[Text]:
        return checked_body(req).get("message")

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        """The caller's metadata within bounds, and the visitor named by the server."""
        return visitor_metadata(checked_body(request).get("metadata"), request_pseudonym(request))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(guarded(on_new_message))
