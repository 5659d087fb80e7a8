"""The Telegram channel, end to end: updates POSTed to the real Rasa server's webhook,
replies read from the fake Bot API it calls (tests/support/fake_telegram.py).

Each test talks in a chat of its own, so the session's shared servers do not mix
their conversations.
"""

import random
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import requests

from actions.topics import TOPICS
from tests.support.blind import fact
from tests.support.content import responses
from tests.support.fake_telegram import SECRET_TOKEN, WEBHOOK_URL, BotApiCall
from tests.support.ports import free_port
from tests.support.processes import base_env, start, stop, wait_until_up
from tests.support.session import Servers
from tests.support.telegram_updates import callback_update, message_update

RESPONSES = responses()
QUESTION = "C'est quoi un PTCE ?"
ANSWER_FACT = fact("definition_regroupement")
NO_REPLY_WAIT = 1.0


def new_chat() -> int:
    return random.randint(10**8, 10**9)


def post(
    servers: Servers, update: Dict[str, Any], secret: Optional[str] = SECRET_TOKEN
) -> requests.Response:
    """POST an update to the Telegram webhook as Telegram would.

    The secret header is sent unless ``secret`` is None."""
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    return requests.post(
        f"{servers.rasa_url}/webhooks/telegram/webhook", json=update, headers=headers, timeout=60
    )


def ask(servers: Servers, chat_id: int, text: str) -> List[BotApiCall]:
    """Send a message in a chat; return the replies it got."""
    before = len(servers.telegram.messages_to(chat_id))
    assert post(servers, message_update(chat_id, text)).status_code == 200
    return servers.telegram.wait_for_messages(chat_id, before + 1)[before:]


def assert_no_reply(servers: Servers, chat_id: int) -> None:
    with pytest.raises(AssertionError):
        servers.telegram.wait_for_messages(chat_id, 1, timeout=NO_REPLY_WAIT)
    assert not [call for call in servers.telegram.calls() if call.params.get("chat_id") == chat_id]


def test_the_webhook_is_set_at_start_up_with_the_secret(servers: Servers) -> None:
    call = servers.telegram.wait_for("setWebhook")[0]
    assert call.params["url"] == WEBHOOK_URL
    assert call.params["secret_token"] == SECRET_TOKEN
    assert set(call.params["allowed_updates"]) >= {"message", "callback_query"}
    assert call.error is None
    assert len(servers.telegram.calls("setWebhook")) == 1


def test_a_question_gets_the_answer_with_an_inline_keyboard(servers: Servers) -> None:
    chat = new_chat()
    reply = ask(servers, chat, QUESTION)[-1]
    assert ANSWER_FACT in reply.result["text"]
    assert reply.params["parse_mode"] == "HTML" and reply.error is None
    rows = reply.params["reply_markup"]["inline_keyboard"]
    payloads = {topic.payload for topic in TOPICS.values()}
    assert rows and all(len(row) == 1 and row[0]["callback_data"] in payloads for row in rows)


def test_links_are_clickable(servers: Servers) -> None:
    reply = ask(servers, new_chat(), "je veux lire la nouvelle charte")[-1]
    assert (
        '<a href="https://www.lelabo-ess.org/system/files/inline-files/PTCE%20nouvelle%20charte%202021.pdf">'
        in reply.params["text"]
    )


def test_a_button_tap_gets_the_payloads_answer_and_the_callback_is_answered(
    servers: Servers,
) -> None:
    chat = new_chat()
    reply = ask(servers, chat, QUESTION)[-1]
    button, key = next(
        (row[0], key)
        for row in reply.result["reply_markup"]["inline_keyboard"]
        for key, topic in TOPICS.items()
        if topic.payload == row[0]["callback_data"] and key.startswith("faq/")
    )
    tap = callback_update(chat, button["callback_data"], message=reply.result)
    assert post(servers, tap).status_code == 200
    answered = servers.telegram.wait_for(
        "answerCallbackQuery",
        where=lambda call: call.params["callback_query_id"] == tap["callback_query"]["id"],
    )
    assert answered[0].error is None and "text" not in answered[0].params
    servers.telegram.wait_for_messages(chat, 2)
    assert RESPONSES[f"utter_{key}"][0]["text"].strip() in servers.telegram.texts_to(chat)[-1]


def test_a_tap_on_an_intent_button_runs_the_intent(servers: Servers) -> None:
    chat = new_chat()
    tap = callback_update(chat, "/ami_presentation")
    assert post(servers, tap).status_code == 200
    text = servers.telegram.wait_for_messages(chat, 1)[0].result["text"]
    assert RESPONSES["utter_ami_what"][0]["text"].strip() in text
    assert servers.telegram.wait_for(
        "answerCallbackQuery",
        where=lambda call: call.params["callback_query_id"] == tap["callback_query"]["id"],
    )


@pytest.mark.parametrize("secret", [None, "", "mauvais-secret", SECRET_TOKEN + "x"])
def test_a_wrong_or_missing_secret_is_refused(servers: Servers, secret: Optional[str]) -> None:
    chat = new_chat()
    answer = post(servers, message_update(chat, QUESTION), secret=secret)
    assert answer.status_code == 403
    assert "X-Telegram-Bot-Api-Secret-Token" in answer.json()["description"]
    assert_no_reply(servers, chat)


def test_twenty_updates_in_a_row_are_all_answered(servers: Servers) -> None:
    chat = new_chat()
    questions = [
        (QUESTION, "utter_faq/ptce_definition"),
        ("les ptce sont apparus en quelle annee", "utter_faq/ptce_origine"),
        ("vous avez un partenariat au canada ?", "utter_faq/partenariat_nouveau_brunswick"),
        ("bonjour", "utter_greet"),
    ]
    for n in range(20):
        question, response = questions[n % len(questions)]
        replies = ask(servers, chat, question)
        assert all(reply.error is None for reply in replies), replies
        texts = "\n".join(reply.result["text"] for reply in replies)
        assert RESPONSES[response][0]["text"].strip() in texts, (question, texts)


@pytest.mark.parametrize("kind", ["edited_message", "my_chat_member", "channel_post", "sticker"])
def test_updates_it_does_not_handle_get_200_and_no_reply(servers: Servers, kind: str) -> None:
    chat = new_chat()
    update = message_update(chat, QUESTION)
    if kind == "sticker":
        update["message"].pop("text")
        update["message"]["sticker"] = {
            "file_id": "x",
            "file_unique_id": "y",
            "width": 512,
            "height": 512,
        }
    elif kind == "my_chat_member":
        update = {
            "update_id": update["update_id"],
            kind: {
                "chat": update["message"]["chat"],
                "from": update["message"]["from"],
                "date": 0,
                "old_chat_member": {"status": "member"},
                "new_chat_member": {"status": "kicked"},
            },
        }
    else:
        update[kind] = update.pop("message")
    assert post(servers, update).status_code == 200
    assert_no_reply(servers, chat)


def test_a_redelivered_update_is_answered_once(servers: Servers) -> None:
    chat = new_chat()
    update = message_update(chat, QUESTION)
    assert post(servers, update).status_code == 200
    assert post(servers, update).status_code == 200
    servers.telegram.wait_for_messages(chat, 1)
    with pytest.raises(AssertionError):
        servers.telegram.wait_for_messages(chat, 2, timeout=NO_REPLY_WAIT)


def test_a_reply_telegram_refuses_still_answers_200(servers: Servers) -> None:
    """A visitor who blocked the bot must not make Telegram redeliver the update forever."""
    chat = new_chat()
    servers.telegram.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    try:
        assert post(servers, message_update(chat, QUESTION)).status_code == 200
    finally:
        servers.telegram.heal()
    assert servers.telegram.messages_to(chat)[0].error
    assert ANSWER_FACT in ask(servers, chat, QUESTION)[-1].result["text"]


SERVER_WITHOUT_TELEGRAM = """
import logging
import sys
import rasa.core.run as run
logging.basicConfig(level=logging.INFO)  # `rasa run` logs INFO too
port = int(sys.argv[1])
channels = run.create_http_input_channels(None, "credentials.yml")
app = run.configure_app(input_channels=channels, enable_api=False, port=port)
app.run(host="127.0.0.1", port=port, workers=1, access_log=False)
"""


def test_without_a_token_the_other_channels_run_and_telegram_says_it_is_off(tmp_path: Path) -> None:
    """The channels of credentials.yml, registered as ``rasa run`` does, without a model."""
    env = {key: value for key, value in base_env().items() if not key.startswith("TELEGRAM_")}
    port, log = free_port(), tmp_path / "server.log"
    process = start([sys.executable, "-c", SERVER_WITHOUT_TELEGRAM, str(port)], log, env)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/webhooks/rest/", process, log)
        answer = requests.post(
            f"http://127.0.0.1:{port}/webhooks/telegram/webhook",
            json=message_update(1, QUESTION),
            timeout=10,
        )
        assert answer.status_code == 503
        assert "TELEGRAM_TOKEN is not set" in answer.json()["description"]
        assert requests.get(f"http://127.0.0.1:{port}/webhooks/rest/", timeout=10).json() == {
            "status": "ok"
        }
        assert "Telegram channel is off: TELEGRAM_TOKEN is not set" in log.read_text()
    finally:
        stop([process])
