"""The Telegram channel's pure parts: HTML and links, splitting, keyboards, updates.

The output channel is also run against the fake Bot API on loopback
(tests/support/fake_telegram.py), which refuses what Telegram refuses: messages over 4096
characters, HTML outside Telegram's subset, callback_data over 64 bytes.
"""

import asyncio
import re
from typing import Any, Awaitable, Dict, Iterator, List

import pytest

from actions.topics import TOPICS
from channels.telegram.bot_api import BotApiClient, TelegramApiError
from channels.telegram.channel import TelegramOutput
from channels.telegram.rendering import (
    MAX_CALLBACK_DATA_BYTES,
    MAX_MESSAGE_LENGTH,
    PayloadKeys,
    inline_keyboard,
    split_message,
    to_html,
    utf16_length,
)
from channels.telegram.settings import TelegramSettings
from channels.telegram.updates import RecentIds, chat_id_of, clean_text, parse_update
from channels.texts import channel_text
from tests.support.content import responses
from tests.support.fake_telegram import BOT_USERNAME, FakeTelegram, visible_text
from tests.support.ports import free_port
from tests.support.telegram_updates import callback_update, message_update

RESPONSES = responses()
URL = "https://www.lelabo-ess.org/system/files/inline-files/PTCE%20nouvelle%20charte%202021.pdf"


def words(text: str) -> List[str]:
    return text.split()


# --- HTML and links ------------------------------------------------------------------


def test_bare_urls_become_links_without_their_trailing_punctuation() -> None:
    html = to_html(f"La charte : {URL}. Et https://fr-consultants.com/ !")
    assert f'<a href="{URL}">{URL}</a>.' in html
    assert '<a href="https://fr-consultants.com/">https://fr-consultants.com/</a> !' in html


def test_markdown_links_show_their_title() -> None:
    html = to_html("Voir [la charte 2021](https://example.org/a?x=1&y=2) ici")
    assert html == 'Voir <a href="https://example.org/a?x=1&amp;y=2">la charte 2021</a> ici'


def test_text_is_escaped_and_apostrophes_stay_readable() -> None:
    html = to_html("C'est <important> & « vrai »")
    assert html == "C'est &lt;important&gt; &amp; « vrai »"
    assert visible_text(html, "HTML") == "C'est <important> & « vrai »"


@pytest.mark.parametrize("key", sorted(RESPONSES))
def test_every_response_renders_to_html_telegram_accepts(key: str) -> None:
    for variant in RESPONSES[key]:
        text = variant.get("text", "")
        assert visible_text(to_html(text), "HTML") == text


# --- Splitting -------------------------------------------------------------------------


def test_a_short_text_is_one_message() -> None:
    assert split_message("  Bonjour !  ") == ["Bonjour !"]
    assert split_message("   ") == []


def test_a_long_text_is_split_at_paragraphs_under_the_limit() -> None:
    paragraphs = [f"Paragraphe {n} : " + "une phrase sur les PTCE. " * 40 for n in range(12)]
    text = "\n\n".join(paragraphs)
    assert utf16_length(text) > 2 * MAX_MESSAGE_LENGTH
    pieces = split_message(text)
    assert len(pieces) == 3
    assert all(utf16_length(to_html(piece)) <= MAX_MESSAGE_LENGTH for piece in pieces)
    assert all(piece.startswith("Paragraphe") for piece in pieces)
    assert words(" ".join(pieces)) == words(text)


def test_one_long_paragraph_is_split_between_words() -> None:
    text = "économie sociale et solidaire " * 500
    pieces = split_message(text)
    assert len(pieces) == 4
    assert all(utf16_length(to_html(piece)) <= MAX_MESSAGE_LENGTH for piece in pieces)
    assert words(" ".join(pieces)) == words(text)


def test_the_limit_counts_html_escapes_and_emoji_as_telegram_does() -> None:
    pieces = split_message("<&> " * 1500 + "🙂 " * 3000)
    assert all(utf16_length(to_html(piece)) <= MAX_MESSAGE_LENGTH for piece in pieces)
    assert words(" ".join(pieces)) == words("<&> " * 1500 + "🙂 " * 3000)


def test_a_word_longer_than_a_message_is_cut() -> None:
    pieces = split_message("x" * 9000)
    assert [len(piece) for piece in pieces] == [4096, 4096, 808]


def test_links_are_never_cut() -> None:
    link = "[le rapport Relancer les PTCE](https://www.lelabo-ess.org/rapport.pdf)"
    pieces = split_message(" ".join([link] * 200))
    assert len(pieces) > 1
    for piece in pieces:
        assert re.fullmatch(rf"{re.escape(link)}( {re.escape(link)})*", piece)


# --- Keyboards -----------------------------------------------------------------------------


def test_buttons_become_an_inline_keyboard_one_a_row() -> None:
    keyboard = inline_keyboard(
        [
            {"title": "C'est quoi un PTCE ?", "payload": "C'est quoi un PTCE ?"},
            {"title": "C'est quoi l'AMI PTCE ?", "payload": "/ami_presentation"},
            {"title": "", "payload": "/sans_titre"},
            {"title": "Le site", "url": "https://fr-consultants.com/"},
        ],
        PayloadKeys(),
    )
    assert keyboard == {
        "inline_keyboard": [
            [{"text": "C'est quoi un PTCE ?", "callback_data": "C'est quoi un PTCE ?"}],
            [{"text": "C'est quoi l'AMI PTCE ?", "callback_data": "/ami_presentation"}],
            [{"text": "Le site", "url": "https://fr-consultants.com/"}],
        ]
    }
    assert inline_keyboard([], PayloadKeys()) is None


def test_a_payload_over_64_bytes_travels_as_a_short_key() -> None:
    keys = PayloadKeys()
    payload = "Accompagner un projet local de transition écologique et solidaire dans ma commune"
    assert len(payload.encode()) > MAX_CALLBACK_DATA_BYTES
    key = keys.callback_data(payload)
    assert len(key.encode()) <= MAX_CALLBACK_DATA_BYTES
    assert keys.callback_data(payload) == key
    assert keys.payload(key) == payload
    assert keys.payload("/ami_presentation") == "/ami_presentation"


def test_the_key_table_is_bounded() -> None:
    keys = PayloadKeys(capacity=2)
    first, _, _ = (keys.callback_data(f"{n} " + "x" * 80) for n in range(3))
    assert keys.payload(first) is None


def test_every_button_payload_of_the_project_fits_in_callback_data() -> None:
    """Long payloads work through in-memory keys, which a restart forgets: keep them short."""
    payloads = [topic.payload for topic in TOPICS.values()]
    payloads += [
        button["payload"]
        for variants in RESPONSES.values()
        for variant in variants
        for button in variant.get("buttons") or []
    ]
    too_long = [p for p in payloads if len(p.encode("utf-8")) > MAX_CALLBACK_DATA_BYTES]
    assert not too_long


# --- Updates ---------------------------------------------------------------------------------


def test_a_text_message_is_a_user_message_of_its_chat() -> None:
    incoming = parse_update(message_update(42, "C'est quoi un PTCE ?"), PayloadKeys())
    assert incoming.chat_id == 42 and incoming.text == "C'est quoi un PTCE ?"
    assert incoming.callback_query_id is None
    assert incoming.metadata["telegram"]["chat_type"] == "private"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("/start", "/greet"),
        ("/start campagne-2024", "/greet"),
        (f"/start@{BOT_USERNAME}", "/greet"),
        (f"@{BOT_USERNAME.upper()} c'est quoi un ptce", "c'est quoi un ptce"),
        ("/help", "/help"),
    ],
)
def test_commands_and_mentions_are_cleaned(text: str, expected: str) -> None:
    assert clean_text(text, BOT_USERNAME) == expected


def test_a_button_tap_is_its_payload_and_a_callback_to_answer() -> None:
    update = callback_update(42, "/ami_presentation")
    incoming = parse_update(update, PayloadKeys())
    assert (incoming.chat_id, incoming.text) == (42, "/ami_presentation")
    assert incoming.callback_query_id == update["callback_query"]["id"]
    assert incoming.callback_notice is None


def test_a_tap_on_a_forgotten_key_falls_back_to_the_button_title() -> None:
    keyboard = {
        "inline_keyboard": [[{"text": "Transition écologique locale", "callback_data": "#k:abc"}]]
    }
    message = {
        "message_id": 3,
        "date": 0,
        "chat": {"id": 42, "type": "private"},
        "text": "…",
        "reply_markup": keyboard,
    }
    incoming = parse_update(callback_update(42, "#k:abc", message=message), PayloadKeys())
    assert incoming.text == "Transition écologique locale"
    update = callback_update(42, "#k:abc")
    lost = parse_update(update, PayloadKeys())
    assert lost.text is None and lost.callback_notice == channel_text("utter_button_expired")
    assert lost.callback_query_id == update["callback_query"]["id"]


@pytest.mark.parametrize(
    "update",
    [
        {"update_id": 1, "edited_message": message_update(42, "corrigé")["message"]},
        {"update_id": 2, "my_chat_member": {"chat": {"id": 42, "type": "private"}, "date": 0}},
        {
            "update_id": 3,
            "channel_post": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": -100, "type": "channel"},
                "text": "annonce",
            },
        },
        message_update(42, "", sticker={"file_id": "x"}),
        {"update_id": 5},
    ],
)
def test_other_updates_are_ignored(update: Dict[str, Any]) -> None:
    assert parse_update(update, PayloadKeys()) is None


def test_a_redelivered_update_is_recognised() -> None:
    recent = RecentIds(capacity=2)
    assert [recent.seen_before(i) for i in (1, 2, 1, 3, 4, 1)] == [
        False,
        False,
        True,
        False,
        False,
        False,
    ]


def test_sender_ids_map_back_to_chats() -> None:
    assert chat_id_of("telegram:-1001234") == -1001234
    assert chat_id_of("telegram:42") == 42


# --- Settings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "env, reason",
    [
        ({}, "TELEGRAM_TOKEN is not set"),
        ({"TELEGRAM_TOKEN": "1:a"}, "TELEGRAM_SECRET_TOKEN is not set"),
        (
            {"TELEGRAM_TOKEN": "1:a", "TELEGRAM_SECRET_TOKEN": "pas de blancs"},
            "TELEGRAM_SECRET_TOKEN must be",
        ),
    ],
)
def test_the_channel_is_off_without_token_or_valid_secret(env: Dict[str, str], reason: str) -> None:
    assert reason in TelegramSettings.from_env(env).why_off()


def test_settings_come_from_the_environment() -> None:
    settings = TelegramSettings.from_env(
        {
            "TELEGRAM_TOKEN": "1:a",
            "TELEGRAM_SECRET_TOKEN": "s-1",
            "TELEGRAM_BOT_USERNAME": "@ptce_bot",
        }
    )
    assert settings.why_off() is None
    assert settings.api_base_url == "https://api.telegram.org"
    assert settings.bot_username == "ptce_bot" and settings.webhook_url == ""


# --- The output channel against the fake Bot API -------------------------------------------------


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram()
    fake.start()
    yield fake
    fake.stop()


def output_for(fake: FakeTelegram) -> TelegramOutput:
    return TelegramOutput(BotApiClient(fake.token, fake.base_url, timeout_seconds=5), PayloadKeys())


def run(output: TelegramOutput, *calls: Awaitable[Any]) -> None:
    """Await the calls in one event loop, then close the client's session."""

    async def in_order() -> None:
        try:
            for call in calls:
                await call
        finally:
            await output.client.close()

    asyncio.run(in_order())


def test_a_long_answer_with_buttons_is_split_with_the_keyboard_last(telegram: FakeTelegram) -> None:
    text = "\n\n".join(
        f"Partie {n} : " + "les PTCE coopèrent sur leur territoire. " * 30 for n in range(10)
    )
    buttons = [{"title": "C'est quoi un PTCE ?", "payload": "C'est quoi un PTCE ?"}]
    output = output_for(telegram)
    run(output, output.send_text_with_buttons("telegram:42", text, buttons))
    sent = telegram.messages_to(42)
    assert len(sent) == 4
    assert [("reply_markup" in call.params) for call in sent] == [False, False, False, True]
    assert words(" ".join(telegram.texts_to(42))) == words(text)


def test_the_client_works_across_event_loops(telegram: FakeTelegram) -> None:
    """The stock channel's bug: a session bound to a loop that has since closed."""
    output = output_for(telegram)
    for n in range(2):
        asyncio.run(output.send_text_message("telegram:7", f"message {n}"))
    run(output, output.send_text_message("telegram:7", "message 2"))
    assert telegram.texts_to(7) == ["message 0", "message 1", "message 2"]


def test_images_and_custom_payloads_are_sent(telegram: FakeTelegram) -> None:
    output = output_for(telegram)
    run(
        output,
        output.send_image_url("telegram:9", "https://fr-consultants.com/logo.png"),
        output.send_custom_json("telegram:9", {"text": "<b>gras</b>", "parse_mode": "HTML"}),
        output.send_custom_json("telegram:9", {"widget": "carte"}),
    )  # another channel's: skipped
    assert [call.method for call in telegram.calls()] == ["sendPhoto", "sendMessage"]
    assert telegram.texts_to(9) == ["gras"]


def test_api_errors_are_raised_without_the_token(telegram: FakeTelegram) -> None:
    telegram.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    output = output_for(telegram)
    with pytest.raises(TelegramApiError, match="blocked"):
        run(output, output.send_text_message("telegram:5", "bonjour"))
    nobody = TelegramOutput(
        BotApiClient(telegram.token, f"http://127.0.0.1:{free_port()}", 2), PayloadKeys()
    )
    with pytest.raises(TelegramApiError) as error:
        run(nobody, nobody.client.call("getMe", {}))
    assert telegram.token not in str(error.value)
