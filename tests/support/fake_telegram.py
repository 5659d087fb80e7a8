"""A fake Telegram Bot API server on loopback, for the Telegram channel's tests.

Nothing may call api.telegram.org: the channel is pointed at this server with
``TELEGRAM_API_BASE_URL``. It answers ``POST /bot<token>/<method>`` with the Bot
API's own shapes (``{"ok": true, "result": …}`` or ``{"ok": false, "error_code": …,
"description": …}``), checks what Telegram checks and the channel could get wrong
(the token, 4096 characters after entity parsing, Telegram's HTML subset, 64
bytes of callback_data, an HTTPS webhook URL, the secret token's characters) and
records every call, thread-safely, for the tests to inspect. The updates Telegram
sends to the bot are built by ``tests/support/telegram_updates.py``.
"""

import json
import re
import threading
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, urlsplit

from tests.support.ports import free_port
from tests.support.servers import LoopbackHttpServer

TOKEN = "123456789:AAfake-token-for-tests_only"
SECRET_TOKEN = "secret-de-test-telegram"
BOT_USERNAME = "ptce_test_bot"
BOT_ID = 123456789
# Only recorded: updates are POSTed to the Rasa server by the tests themselves.
WEBHOOK_URL = "https://assistant.example.test/webhooks/telegram/webhook"
MAX_MESSAGE_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
# Telegram's HTML subset (https://core.telegram.org/bots/api#html-style).
HTML_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "tg-emoji",
    "code",
    "pre",
    "blockquote",
}


@dataclass(frozen=True)
class BotApiCall:
    """One call the channel made: the method name and its parameters (JSON or form)."""

    method: str
    params: Dict[str, Any]
    result: Any = None  # what the Bot API answered (the sent Message for sendMessage)
    error: Optional[str] = None


class BotApiError(Exception):
    """An error answer, as the Bot API words it."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


class _TelegramHtml(HTMLParser):
    """Parses Telegram HTML like Telegram does: known tags, balanced, into visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: List[str] = []
        self.open: List[str] = []

    def handle_starttag(self, tag: str, attrs: List[Tuple[str, Optional[str]]]) -> None:
        if tag not in HTML_TAGS:
            raise BotApiError(
                400, f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"'
            )
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            raise BotApiError(
                400, f'Bad Request: can\'t parse entities: Unexpected end tag "{tag}"'
            )

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible_text(text: str, parse_mode: Optional[str] = None) -> str:
    """What the user sees of a message: its text after entity parsing."""
    if (parse_mode or "").upper() != "HTML":
        return text
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    if parser.open:
        raise BotApiError(
            400, f'Bad Request: can\'t parse entities: Unclosed start tag "{parser.open[-1]}"'
        )
    return "".join(parser.text)


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _check_keyboard(markup: Any) -> None:
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    for row in rows:
        for button in row:
            if not button.get("text"):
                raise BotApiError(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if (
                data is not None
                and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
            ):
                raise BotApiError(400, "Bad Request: BUTTON_DATA_INVALID")


class FakeTelegram(LoopbackHttpServer):
    """A Bot API server on 127.0.0.1 and a free port; ``start()`` before use, ``stop()`` after."""

    def __init__(self, port: int = 0, token: str = TOKEN, secret_token: str = SECRET_TOKEN) -> None:
        super().__init__(port or free_port())
        self.token = token
        self.secret_token = secret_token
        self._calls: List[BotApiCall] = []
        self._failures: Dict[str, Tuple[int, str]] = {}
        self._changed = threading.Condition()
        self._message_ids = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> Dict[str, str]:
        """The environment that points the channel at this server."""
        return {
            "TELEGRAM_TOKEN": self.token,
            "TELEGRAM_API_BASE_URL": self.base_url,
            "TELEGRAM_SECRET_TOKEN": self.secret_token,
            "TELEGRAM_WEBHOOK_URL": WEBHOOK_URL,
            "TELEGRAM_BOT_USERNAME": BOT_USERNAME,
        }

    # --- What the tests read -------------------------------------------------------

    def calls(self, method: Optional[str] = None) -> List[BotApiCall]:
        """Every call so far, or those of one method."""
        with self._changed:
            return [call for call in self._calls if method is None or call.method == method]

    def messages_to(self, chat_id: Any) -> List[BotApiCall]:
        """The sendMessage calls to one chat, in order."""
        return [
            call
            for call in self.calls("sendMessage")
            if str(call.params.get("chat_id")) == str(chat_id)
        ]

    def texts_to(self, chat_id: Any) -> List[str]:
        """What the visitor of a chat sees of each message delivered to it."""
        return [call.result["text"] for call in self.messages_to(chat_id) if call.error is None]

    def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 30.0,
        where: Callable[[BotApiCall], bool] = lambda call: True,
    ) -> List[BotApiCall]:
        """Wait until ``count`` calls of ``method`` (matching ``where``) were made; return them."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [call for call in self._calls if call.method == method and where(call)]
                if len(found) >= count or time.monotonic() >= deadline:
                    break
                self._changed.wait(max(0.0, deadline - time.monotonic()))
        if len(found) < count:
            raise AssertionError(
                f"{len(found)} {method} calls after {timeout} s, expected {count}: {found}"
            )
        return found

    def wait_for_messages(
        self, chat_id: Any, count: int, timeout: float = 30.0
    ) -> List[BotApiCall]:
        """Wait until ``count`` sendMessage calls to ``chat_id`` were made; return them."""
        return self.wait_for(
            "sendMessage",
            count,
            timeout,
            where=lambda call: str(call.params.get("chat_id")) == str(chat_id),
        )

    def fail(self, method: str, code: int, description: str) -> None:
        """Answer every call of ``method`` with this error until ``heal()``."""
        with self._changed:
            self._failures[method] = (code, description)

    def heal(self) -> None:
        with self._changed:
            self._failures.clear()

    # --- The Bot API ---------------------------------------------------------------

    def handle(self, token: str, method: str, params: Dict[str, Any]) -> Tuple[int, Dict[str, Any]]:
        """Record one call and answer it as the Bot API would."""
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        with self._changed:
            failure = self._failures.get(method)
        try:
            if failure:
                raise BotApiError(*failure)
            handler = self._methods().get(method.lower())
            if handler is None:
                raise BotApiError(404, "Not Found")
            result, description = handler(params)
        except BotApiError as error:
            self._record(BotApiCall(method, params, error=error.description))
            return error.code, {
                "ok": False,
                "error_code": error.code,
                "description": error.description,
            }
        self._record(BotApiCall(method, params, result))
        answer: Dict[str, Any] = {"ok": True, "result": result}
        if description:
            answer["description"] = description
        return 200, answer

    def _record(self, call: BotApiCall) -> None:
        with self._changed:
            self._calls.append(call)
            self._changed.notify_all()

    def _methods(self) -> Dict[str, Callable[[Dict[str, Any]], Tuple[Any, Optional[str]]]]:
        return {
            "getme": self._get_me,
            "setwebhook": self._set_webhook,
            "sendmessage": self._send_message,
            "sendphoto": self._send_photo,
            "answercallbackquery": self._answer_callback_query,
        }

    def _bot(self) -> Dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Assistant PTCE",
            "username": BOT_USERNAME,
        }

    def _get_me(self, params: Dict[str, Any]) -> Tuple[Any, Optional[str]]:
        return dict(
            self._bot(),
            can_join_groups=True,
            can_read_all_group_messages=False,
            supports_inline_queries=False,
        ), None

    def _set_webhook(self, params: Dict[str, Any]) -> Tuple[Any, Optional[str]]:
        url = str(params.get("url") or "")
        if not url:
            return True, "Webhook was deleted"
        if not url.startswith("https://"):
            raise BotApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise BotApiError(400, "Bad Request: secret token contains unallowed characters")
        return True, "Webhook was set"

    def _message(self, chat_id: Any, **content: Any) -> Dict[str, Any]:
        with self._changed:
            self._message_ids += 1
            message_id = self._message_ids
        try:
            chat: Dict[str, Any] = {"id": int(chat_id), "type": "private"}
        except (TypeError, ValueError):
            raise BotApiError(400, "Bad Request: chat not found") from None
        return dict(
            {"message_id": message_id, "from": self._bot(), "chat": chat, "date": int(time.time())},
            **content,
        )

    def _send_message(self, params: Dict[str, Any]) -> Tuple[Any, Optional[str]]:
        if params.get("chat_id") in (None, ""):
            raise BotApiError(400, "Bad Request: chat_id is empty")
        text = visible_text(str(params.get("text") or ""), params.get("parse_mode"))
        if not text.strip():
            raise BotApiError(400, "Bad Request: message text is empty")
        if _utf16_length(text) > MAX_MESSAGE_LENGTH:
            raise BotApiError(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        _check_keyboard(markup)
        content: Dict[str, Any] = {"text": text}
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            content["reply_markup"] = markup
        return self._message(params["chat_id"], **content), None

    def _send_photo(self, params: Dict[str, Any]) -> Tuple[Any, Optional[str]]:
        if not params.get("photo"):
            raise BotApiError(400, "Bad Request: there is no photo in the request")
        photo = {"file_id": "fake-file-id", "file_unique_id": "fake", "width": 800, "height": 600}
        return self._message(params.get("chat_id"), photo=[photo]), None

    def _answer_callback_query(self, params: Dict[str, Any]) -> Tuple[Any, Optional[str]]:
        if not params.get("callback_query_id"):
            raise BotApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        return True, None

    # --- HTTP ----------------------------------------------------------------------

    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                self._answer()

            def do_GET(self) -> None:  # noqa: N802 - the Bot API takes GET too
                self._answer()

            def _answer(self) -> None:
                url = urlsplit(self.path)
                match = re.fullmatch(r"/bot([^/]+)/(\w+)", url.path)
                if match is None:
                    status, answer = (
                        404,
                        {"ok": False, "error_code": 404, "description": "Not Found"},
                    )
                else:
                    body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                    status, answer = owner.handle(
                        match.group(1),
                        match.group(2),
                        _params(url.query, body, self.headers.get("Content-Type", "")),
                    )
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                """Quiet: the tests read ``calls()``."""

        self.serve(Handler)


def _params(query: str, body: bytes, content_type: str) -> Dict[str, Any]:
    """The call's parameters: query string, then a JSON or form body (JSON-typed fields decoded)."""
    params: Dict[str, Any] = dict(parse_qsl(query))
    if body and "application/json" in content_type:
        params.update(json.loads(body))
    elif body:
        params.update(parse_qsl(body.decode("utf-8")))
    for key in ("reply_markup", "allowed_updates"):
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params
