"""The channel guard: long messages, floods and silent failures get a French answer."""

import asyncio
import uuid
from typing import List

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels.guard import MAX_MESSAGE_LENGTH, RateLimiter, VisitorLimiter, guarded
from channels.texts import channel_text
from stores.counters import VISITOR_METADATA_KEY, MemoryCounters, counters_from_url
from tests.support.databases import REDIS
from tests.support.ports import free_port

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


def replies_to(sender: str, text: str, rasa_turn, limiter: RateLimiter) -> List[dict]:
    """The messages the visitor ``sender`` receives, with their recipient."""
    output = CollectingOutputChannel()
    asyncio.run(guarded(rasa_turn, limiter)(UserMessage(text, output, sender)))
    return output.messages


def test_every_reply_goes_to_the_visitor_who_wrote() -> None:
    limiter = RateLimiter(limit=1, window=60, clock=lambda: 0.0)
    for text, turn in (
        ("x" * (MAX_MESSAGE_LENGTH + 1), answering),
        ("m", silent),
        ("n", answering),
    ):
        (reply,) = replies_to("v-42", text, turn, limiter)
        assert reply["recipient_id"] == "v-42"
    (reply,) = replies_to("", "bonjour", silent, RateLimiter())
    assert reply["recipient_id"] == "default"
    (reply,) = replies_to("v-7", "bonjour", answering, RateLimiter())  # through the counter
    assert (reply["recipient_id"], reply["text"]) == ("v-7", "réponse à bonjour")


def test_a_too_long_message_is_told_its_length() -> None:
    (reply,) = handle("x" * (MAX_MESSAGE_LENGTH + 5), answering)
    assert f"({MAX_MESSAGE_LENGTH + 5} caractères)" in reply


def test_a_crash_is_logged_with_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    handle("bonjour", crashing)
    (record,) = [r for r in caplog.records if r.name == "channels.guard"]
    assert record.getMessage() == "Message handling failed" and record.exc_info


def test_a_message_exactly_a_window_old_still_counts() -> None:
    now = [1000.0]
    limiter = RateLimiter(limit=2, window=60, clock=lambda: now[0])
    assert limiter.allow("v") and limiter.allow("v")
    now[0] = 1060.0
    assert not limiter.allow("v")
    now[0] = 1060.5
    assert limiter.allow("v")


def test_the_sweep_runs_every_1000_messages_and_keeps_active_conversations() -> None:
    now = [1000.0]
    limiter = RateLimiter(limit=2, window=60, clock=lambda: now[0])
    limiter.allow("parti")  # message 1
    now[0] = 1030.0
    limiter.allow("au-bord")  # message 2: exactly a window old at the sweep
    now[0] = 1090.0
    assert limiter.allow("actif") and limiter.allow("actif")  # messages 3 and 4
    for index in range(5, RateLimiter.SWEEP_EVERY):
        limiter.allow(f"v{index % 5}")
    assert "parti" in limiter.recent  # 999 messages: no sweep yet
    limiter.allow("v0")  # message 1000
    assert "parti" not in limiter.recent and "au-bord" in limiter.recent
    assert not limiter.allow("actif")  # still at its limit after the sweep
    assert limiter.allow("nouveau")


def from_visitor(visitor: str, sender: str, guard) -> List[str]:
    """One message of conversation ``sender`` that the channel says comes from ``visitor``."""
    output = CollectingOutputChannel()
    metadata = {VISITOR_METADATA_KEY: visitor}
    asyncio.run(guard(UserMessage("bonjour", output, sender, metadata=metadata)))
    return [message["text"] for message in output.messages]


def test_a_visitor_is_slowed_down_whatever_the_number_of_conversations() -> None:
    guard = guarded(answering, visitors=VisitorLimiter(MemoryCounters(), limit=3))
    replies = [from_visitor("adresse-1", f"conversation-{index}", guard) for index in range(4)]
    assert replies[-1] == [TOO_FAST] and replies[0] == ["réponse à bonjour"]
    assert from_visitor("adresse-2", "conversation-9", guard) == ["réponse à bonjour"]


@pytest.mark.usefixtures("needs_redis")
def test_replicas_share_the_per_visitor_count_in_redis() -> None:
    visitor = uuid.uuid4().hex
    replicas = [
        guarded(answering, visitors=VisitorLimiter(counters_from_url(REDIS), limit=3))
        for _ in range(2)
    ]
    replies = [from_visitor(visitor, f"c{index}", replicas[index % 2]) for index in range(4)]
    assert replies[-1] == [TOO_FAST] and replies[2] == ["réponse à bonjour"]


def test_a_failing_counter_lets_the_message_through(caplog: pytest.LogCaptureFixture) -> None:
    unreachable = counters_from_url(f"redis://127.0.0.1:{free_port()}/0")
    guard = guarded(answering, visitors=VisitorLimiter(unreachable, limit=1))
    assert from_visitor("adresse", "c", guard) == ["réponse à bonjour"]
    assert "per-visitor message counter failed" in caplog.text
