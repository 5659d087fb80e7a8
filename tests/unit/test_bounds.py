"""Input bounds shared by the channels (channels/bounds.py) and the REST body check."""

import asyncio
import json
from typing import Any, List

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic.exceptions import InvalidUsage, PayloadTooLarge

from channels.bounds import MAX_BODY_BYTES, MAX_METADATA_BYTES, bounded_metadata, clean_text
from channels.guard import guarded
from channels.rest import checked_body


def test_only_known_metadata_keys_are_kept() -> None:
    metadata = {"language": "fr", "session_id": "x", "customCss": "…", "telegram": {"chat_id": 1}}
    assert bounded_metadata(metadata) == {"language": "fr", "telegram": {"chat_id": 1}}


@pytest.mark.parametrize("metadata", [None, "fr", ["language"], 42])
def test_metadata_that_is_not_an_object_is_dropped(metadata: Any) -> None:
    assert bounded_metadata(metadata) == {}


def test_metadata_over_the_bound_is_dropped_whole_and_at_the_bound_kept() -> None:
    overhead = len(json.dumps({"language": ""}))
    at_bound = {"language": "x" * (MAX_METADATA_BYTES - overhead)}
    assert bounded_metadata(at_bound) == at_bound
    assert bounded_metadata({"language": "x" * (MAX_METADATA_BYTES - overhead + 1)}) == {}


def test_metadata_that_cannot_be_stored_as_json_is_dropped() -> None:
    nested: Any = "fond"
    for _ in range(5000):
        nested = [nested]
    assert bounded_metadata({"language": nested}) == {}
    assert bounded_metadata({"language": {1, 2}}) == {}


def test_control_characters_and_lone_surrogates_are_removed_and_the_rest_kept() -> None:
    assert clean_text("a\x00b\x07c\x1b[31m\x7fd\ud800e") == "abc[31mde"
    kept = "Ligne 1\nLigne 2\r\n\tfin 🎉 « é »"
    assert clean_text(kept) == kept


def test_rasa_receives_the_text_without_control_characters() -> None:
    seen: List[UserMessage] = []

    async def rasa(received: UserMessage) -> None:
        seen.append(received)
        await received.output_channel.send_text_message(received.sender_id, "ok")

    asyncio.run(guarded(rasa)(UserMessage("bon\x00jour", CollectingOutputChannel(), "v1")))
    assert [message.text for message in seen] == ["bonjour"]


class FakeRequest:
    """What ``checked_body`` reads of a Sanic request."""

    def __init__(self, body: Any) -> None:
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.json = json.loads(self.body)


@pytest.mark.parametrize(
    "body",
    [
        [1, 2],
        "bonjour",
        None,
        {"sender": {"id": 1}},
        {"sender": "x" * 129},
        {"sender": "a\x00b"},
        {"sender": "v", "message": {"texte": "bonjour"}},
        {"sender": "v", "message": 42},
    ],
)
def test_a_rest_body_that_is_not_a_message_is_a_400(body: Any) -> None:
    with pytest.raises(InvalidUsage):
        checked_body(FakeRequest(body))


def test_a_rest_body_over_the_bound_is_a_413() -> None:
    body = json.dumps({"sender": "v", "message": "x" * MAX_BODY_BYTES}).encode()
    with pytest.raises(PayloadTooLarge):
        checked_body(FakeRequest(body))
    assert checked_body(FakeRequest({"sender": "v", "message": "bonjour"}))["message"]
