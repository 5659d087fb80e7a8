"""What every channel does before and after Rasa handles a visitor's message.

- The text loses its control characters (``channels.bounds``). The metadata was
  bounded by the channel, which also named the visitor in it
  (``channels.visitor.visitor_metadata``). A text that is not a string never gets
  here: ``UserMessage`` itself would raise, so each channel refuses it.
- A message longer than ``MAX_MESSAGE_LENGTH`` is not processed: the visitor is
  asked, in French, to shorten it.
- A conversation sending more than ``RATE_LIMIT`` messages in ``RATE_WINDOW``
  seconds is asked to slow down (per server process: each replica counts its own).
- A visitor (a client address, ``channels.visitor``) sending more than
  ``RATE_LIMIT_PER_VISITOR`` messages in ``RATE_WINDOW`` seconds, over any number
  of conversations and replicas, is asked to slow down too (counted in Redis when
  ``LOCK_STORE_URL`` names one, ``stores/counters.py``). If Redis fails, the
  message goes through: the per-conversation limit still holds.
- A turn that ends without any bot message (the action server is down, an
  action failed) gets a short apology instead of silence. Rasa 3.6 only logs
  such failures ("Bot will continue, but the actions events are lost").

Each project channel wraps Rasa's ``on_new_message`` callback with ``guarded``.
"""

import asyncio
import logging
import os
import time
from collections import defaultdict, deque
from typing import Any, Awaitable, Callable, Deque, Dict, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage

from channels.bounds import clean_text
from channels.texts import channel_text
from stores.counters import VISITOR_METADATA_KEY, Counters, counters_from_env

logger = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = int(os.environ.get("MAX_MESSAGE_LENGTH", "1000"))
RATE_LIMIT = int(os.environ.get("RATE_LIMIT_MESSAGES", "30"))
RATE_LIMIT_PER_VISITOR = int(os.environ.get("RATE_LIMIT_MESSAGES_PER_ADDRESS", "60"))
RATE_WINDOW = 60.0


OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class CountingOutput(OutputChannel):
    """Delegates to the channel's output and counts what the bot sent.

    Rasa's processor sends every bot message through ``send_response``.
    """

    def __init__(self, output: OutputChannel) -> None:
        self.output = output
        self.sent = 0

    @classmethod
    def name(cls) -> Text:
        return "counting"

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self.sent += 1
        await self.output.send_response(recipient_id, message)


class RateLimiter:
    """At most ``limit`` messages per conversation in any ``window`` seconds.

    Conversations silent for a whole window are forgotten every ``SWEEP_EVERY``
    messages, so a long-running server does not keep every visitor it has seen.
    """

    SWEEP_EVERY = 1000

    def __init__(
        self,
        limit: int = RATE_LIMIT,
        window: float = RATE_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self.recent: Dict[str, Deque[float]] = defaultdict(deque)
        self.calls = 0

    def allow(self, sender_id: str) -> bool:
        now = self.clock()
        self.calls += 1
        if self.calls % self.SWEEP_EVERY == 0:
            self.recent = defaultdict(
                deque,
                {
                    sender: times
                    for sender, times in self.recent.items()
                    if times and now - times[-1] <= self.window
                },
            )
        times = self.recent[sender_id]
        while times and now - times[0] > self.window:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(now)
        return True


class VisitorLimiter:
    """At most ``limit`` messages per visitor in any ``window`` seconds, on shared counters."""

    def __init__(
        self, counters: Counters, limit: int = RATE_LIMIT_PER_VISITOR, window: float = RATE_WINDOW
    ) -> None:
        self.counters, self.limit, self.window = counters, limit, window

    async def allow(self, visitor: Optional[str]) -> bool:
        if not visitor:
            return True
        limits = [(f"messages:{visitor}", self.limit)]
        try:
            return await asyncio.to_thread(self.counters.allow, limits, self.window) is None
        except Exception:  # noqa: BLE001 - Redis down: the per-conversation limit still holds.
            logger.exception("The per-visitor message counter failed; message let through")
            return True


def guarded(
    on_new_message: OnNewMessage,
    limiter: Optional[RateLimiter] = None,
    visitors: Optional[VisitorLimiter] = None,
) -> OnNewMessage:
    """``on_new_message`` with the length bound, the rate limits and the apology."""
    limiter = limiter or RateLimiter()
    visitors = visitors or VisitorLimiter(counters_from_env())

    async def handle(message: UserMessage) -> None:
        output = message.output_channel
        sender = message.sender_id or "default"
        message.text = clean_text(message.text) if message.text else message.text
        text = message.text or ""
        if len(text) > MAX_MESSAGE_LENGTH:
            await output.send_text_message(
                sender,
                channel_text("utter_message_too_long", length=len(text), limit=MAX_MESSAGE_LENGTH),
            )
            return
        visitor = (message.metadata or {}).get(VISITOR_METADATA_KEY)
        if not limiter.allow(sender) or not await visitors.allow(visitor):
            await output.send_text_message(sender, channel_text("utter_too_many_messages"))
            return
        counting = CountingOutput(output)
        message.output_channel = counting
        try:
            await on_new_message(message)
        except Exception:  # noqa: BLE001 - the visitor gets an answer whatever failed.
            logger.exception("Message handling failed")
        if counting.sent == 0:
            await output.send_text_message(sender, channel_text("utter_technical_problem"))

    return handle
