"""Rasa's REST channel, with the project's guard (length bound, rate limit, apology)."""

from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from channels.guard import guarded


class GuardedRestInput(RestInput):
    """``/webhooks/rest/webhook``, as Rasa's, each message passing through ``guarded``."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(guarded(on_new_message))
