"""The channel guard: long messages, floods and silent failures get a French answer."""

import asyncio
from typing import List

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels.guard import MAX_MESSAGE_LENGTH, RateLimiter, guarded
from channels.texts import channel_text

APOLOGY = channel_text("utter_technical_problem")
TOO_FAST = channel_text("utter_too_many_messages")


def handle(text: str, rasa_turn, limiter: RateLimiter = None, sender: str = "v1") -> List[str]:
    """Run one message through the guard; return the texts the visitor receives."""
    output = CollectingOutputChannel()
    asyncio.run(guarded(rasa_turn, limiter)(UserMessage(text, output, sender)))
    return [message["text"] for message in output.messages]


async def answering(message: UserMessage) -> None:
    await message.output_channel.send_response(
        message.sender_id, {"text": f"réponse à {message.text}"}
    )


async def silent(message: UserMessage) -> None:
    """A turn whose custom action failed: Rasa sends nothing."""


async def crashing(message: UserMessage) -> None:
    raise RuntimeError("action server unreachable")


def test_a_normal_message_reaches_rasa_and_its_answer_the_visitor() -> None:
    assert handle("bonjour", answering) == ["réponse à bonjour"]


def test_a_too_long_message_is_not_processed_and_gets_a_french_reason() -> None:
    (reply,) = handle("x" * (MAX_MESSAGE_LENGTH + 1), answering)
    assert "trop long" in reply and str(MAX_MESSAGE_LENGTH) in reply


def test_a_message_at_the_bound_is_processed() -> None:
    assert handle("x" * MAX_MESSAGE_LENGTH, answering) == ["réponse à " + "x" * MAX_MESSAGE_LENGTH]


def test_silence_becomes_an_apology() -> None:
    assert handle("/ami_calendrier", silent) == [APOLOGY]


def test_a_crash_becomes_an_apology() -> None:
    assert handle("bonjour", crashing) == [APOLOGY]


def test_a_flood_is_slowed_down_per_conversation() -> None:
    now = [0.0]
    limiter = RateLimiter(limit=3, window=60, clock=lambda: now[0])
    replies = [handle(f"m{i}", answering, limiter) for i in range(4)]
    assert replies[-1] == [TOO_FAST]
    assert handle("autre visiteur", answering, limiter, sender="v2") == ["réponse à autre visiteur"]
    now[0] = 61.0
    assert handle("plus tard", answering, limiter) == ["réponse à plus tard"]


def test_silent_conversations_are_forgotten() -> None:
    now = [0.0]
    limiter = RateLimiter(limit=3, window=60, clock=lambda: now[0])
    limiter.allow("visiteur-parti")
    now[0] = 120.0
    for index in range(RateLimiter.SWEEP_EVERY):
        limiter.allow(f"v{index % 5}")
    assert "visiteur-parti" not in limiter.recent
