"""A bad-input corpus sent to every channel of the real Rasa server.

Each input gets a clear French reply or a clear HTTP error, never a 500 nor
silence; the server keeps serving; and the conversation store does not keep what
it should not (issue 11's probe: 3 messages with 400 KB of ``customData`` each
grew the store by 3.2 MB).
"""

import asyncio
import contextlib
import json
import re
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest
import requests

from channels.bounds import MAX_BODY_BYTES, MAX_METADATA_BYTES
from stores.counters import VISITOR_METADATA_KEY
from tests.support.blind import fact
from tests.support.chat import text_of
from tests.support.content import response_start, response_text
from tests.support.databases import conversation_events
from tests.support.fake_telegram import SECRET_TOKEN
from tests.support.session import Servers
from tests.support.telegram_updates import message_update
from tests.support.webchat import WebchatClient, conversation

QUESTION, ANSWER = "C'est quoi un PTCE ?", fact("definition_regroupement")
NOT_TEXT = response_text("utter_message_not_text")
TOO_LONG = response_start("utter_message_too_long")
EMOJIS = "🎉" * 10_000
DEEP = "[" * 20_000 + "]" * 20_000  # under the body bound, deeper than any JSON parser's stack
# Rasa adds these to every stored user event itself.
KEPT_KEYS = {"language", VISITOR_METADATA_KEY, "model_id", "assistant_id"}
INJECTION = "<script>alert(1)</script> [clic](javascript:alert(1)) **gras** \x00\x1b[31m"


def store_path(servers: Servers) -> Path:
    return Path(servers.env["TRACKER_STORE_URL"].removeprefix("sqlite:///"))


def store_bytes(servers: Servers) -> int:
    """The conversation store's size on disk, its write-ahead log included."""
    path = store_path(servers)
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def stored_events(servers: Servers, sender: str) -> List[Dict[str, Any]]:
    return conversation_events(servers.env["TRACKER_STORE_URL"], sender)


def post_rest(servers: Servers, body: bytes, **headers: str) -> requests.Response:
    return requests.post(
        f"{servers.rasa_url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json", **headers},
        timeout=60,
    )


def utf8(value: Any) -> bytes:
    """JSON as clients send it, UTF-8 (10,000 emoji are 40 KB, not 120 KB of escapes)."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


def rest_message(message: Any, **extra: Any) -> bytes:
    return utf8({"sender": uuid.uuid4().hex, "message": message, **extra})


@pytest.mark.parametrize(
    "body, status",
    [
        (b"{", 400),
        (b'{"sender": "a", "message": "\xff\xfe"}', 400),
        (b"[1, 2]", 400),
        (b'"bonjour"', 400),
        (b"null", 400),
        (b'{"sender": "a", "message": "x", "metadata": ' + DEEP.encode() + b"}", 400),
        (rest_message({"texte": "bonjour"}), 400),
        (rest_message("bonjour", sender=["liste"]), 400),
        (json.dumps({"sender": "a\u0000b", "message": "bonjour"}).encode(), 400),
        (rest_message("x" * (1024 * 1024)), 413),
    ],
)
def test_rest_refuses_malformed_bodies_with_a_clear_error(
    servers: Servers, body: bytes, status: int
) -> None:
    answer = post_rest(servers, body)
    assert answer.status_code == status, answer.text[:300]
    assert answer.text.strip()  # says why


@pytest.mark.parametrize(
    "message, expected",
    [
        (EMOJIS, TOO_LONG),
        ("x" * 5000, TOO_LONG),
        (INJECTION, ""),
        ("bon\u0000jour \ud83d", ""),
    ],
)
def test_rest_answers_odd_texts_in_french(servers: Servers, message: str, expected: str) -> None:
    answer = post_rest(servers, rest_message(message))
    assert answer.status_code == 200
    assert expected in text_of(answer.json()) and text_of(answer.json()).strip()


def test_rest_with_a_wrong_content_type_is_still_read_as_json(servers: Servers) -> None:
    answer = post_rest(servers, rest_message(QUESTION), **{"Content-Type": "text/plain"})
    assert answer.status_code == 200 and ANSWER in text_of(answer.json())


def test_rest_metadata_is_kept_to_known_keys_and_bounded(servers: Servers) -> None:
    """And the visitor is the server's pseudonym of the address, not the client's word,
    and not the address itself (personal data)."""
    sender, address = uuid.uuid4().hex, "2001:db8:abcd:1234::9"
    metadata = {"language": "fr", "customCss": "x" * 50_000, VISITOR_METADATA_KEY: "forgé"}
    body = json.dumps({"sender": sender, "message": QUESTION, "metadata": metadata}).encode()
    assert ANSWER in text_of(post_rest(servers, body, **{"X-Forwarded-For": address}).json())
    (user,) = [event for event in stored_events(servers, sender) if event["event"] == "user"]
    assert set(user["metadata"]) <= KEPT_KEYS and user["metadata"]["language"] == "fr"
    assert re.fullmatch(r"[0-9a-f]{32}", user["metadata"][VISITOR_METADATA_KEY])
    assert "2001:db8:abcd" not in json.dumps(stored_events(servers, sender))


def post_telegram(servers: Servers, body: bytes) -> requests.Response:
    return requests.post(
        f"{servers.rasa_url}/webhooks/telegram/webhook",
        data=body,
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET_TOKEN},
        timeout=60,
    )


@pytest.mark.parametrize(
    "body, status",
    [
        (b"{", 400),
        (b'{"update_id": 1, "message": "\xff"}', 400),
        (DEEP.encode(), 400),
        (b"[1, 2]", 400),
        (json.dumps(message_update(5, "x" * (1024 * 1024))).encode(), 413),
        (json.dumps(message_update(5, {"texte": "bonjour"})).encode(), 200),  # ignored
    ],
)
def test_telegram_refuses_malformed_updates_with_a_clear_error(
    servers: Servers, body: bytes, status: int
) -> None:
    answer = post_telegram(servers, body)
    assert answer.status_code == status, answer.text[:300]
    assert answer.json()["description"]


def test_telegram_answers_odd_texts_in_french(servers: Servers) -> None:
    chat = 700_000_000 + uuid.uuid4().int % 10**8
    for text, expected in ((EMOJIS, TOO_LONG), ("bon\u0000jour", "")):
        before = len(servers.telegram.messages_to(chat))
        assert post_telegram(servers, utf8(message_update(chat, text))).ok
        (reply, *_) = servers.telegram.wait_for_messages(chat, before + 1)[before:]
        assert expected in reply.params["text"]
    # The visitor the limits count is the chat, pseudonymised: Telegram's servers are the peer.
    users = [e for e in stored_events(servers, f"telegram:{chat}") if e["event"] == "user"]
    visitors = {event["metadata"][VISITOR_METADATA_KEY] for event in users}
    assert len(visitors) == 1 and str(chat) not in visitors.pop()


async def socketio_corpus(servers: Servers) -> str:
    """Odd messages over socket.io; returns the session id they were sent in."""
    client = WebchatClient(servers.rasa_url, servers.env["WEBCHAT_ALLOWED_ORIGINS"])
    await client.connect()
    try:
        assert TOO_LONG in text_of(await client.say(EMOJIS))
        assert NOT_TEXT in text_of(await client.say({"texte": "bonjour"}))
        assert NOT_TEXT in text_of(await client.send(["pas", "un", "objet"]))
        assert text_of(await client.say(INJECTION)).strip()
        big = {"language": "fr", "page": "x" * (MAX_BODY_BYTES - 4096)}  # under the transport bound
        for _ in range(3):
            assert ANSWER in text_of(await client.say(QUESTION, custom_data=big))
        assert ANSWER in text_of(await client.say(QUESTION, custom_data=json.dumps(big)))
        return client.session_id
    finally:
        await client.close()


async def oversized_packets(servers: Servers) -> None:
    """The probe of the issue: three messages with 400 KB of customData each, refused by
    Engine.IO (``max_http_buffer_size``) before Rasa sees them: no reply, nothing stored."""
    for _ in range(3):
        client = WebchatClient(servers.rasa_url, servers.env["WEBCHAT_ALLOWED_ORIGINS"])
        await client.connect()
        data = {"message": QUESTION, "session_id": client.session_id}
        with contextlib.suppress(Exception):  # the server may drop the connection
            await client.sio.emit("user_uttered", dict(data, customData={"x": "x" * 400_000}))
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.replies.get(), 3)
        with contextlib.suppress(Exception):
            await client.close()


def test_socketio_answers_odd_messages_and_keeps_metadata_small(servers: Servers) -> None:
    before = store_bytes(servers)
    session_id = conversation(asyncio.run(socketio_corpus(servers)))
    asyncio.run(oversized_packets(servers))
    grown = store_bytes(servers) - before
    assert grown < 512 * 1024, f"the store grew by {grown} bytes"

    users = [event for event in stored_events(servers, session_id) if event["event"] == "user"]
    assert users and all(set(event["metadata"]) <= KEPT_KEYS for event in users)
    assert all(re.fullmatch(r"[0-9a-f]{32}", e["metadata"][VISITOR_METADATA_KEY]) for e in users)
    stored = sum(len(json.dumps(event)) for event in stored_events(servers, session_id))
    assert stored < len(users) * (MAX_METADATA_BYTES + 16 * 1024)

    # The server still serves a new visitor.
    async def still_serving() -> str:
        client = WebchatClient(servers.rasa_url, servers.env["WEBCHAT_ALLOWED_ORIGINS"])
        await client.connect()
        try:
            return text_of(await client.say(QUESTION))
        finally:
            await client.close()

    assert ANSWER in asyncio.run(still_serving())
