"""Telegram channel of the assistant, on a thin Bot API client of its own.

Why not Rasa's stock ``telegram`` channel: it is built on aiogram 2.15, whose
``Bot`` keeps one aiohttp session bound to the event loop it was first used in.
The stock channel sets the webhook at start-up inside ``asyncio.run``, so that
loop is closed before Sanic starts serving, and every later update answers 500
"Event loop is closed". It also raises on updates without ``message`` (Telegram
then retries them forever), never answers callback queries and does not
authenticate the caller.

This channel therefore talks to the Bot API directly with aiohttp:

* the session is created inside the running loop on first use (and re-created if
  the loop changed), every call has a timeout, and ``setWebhook`` is called by a
  Sanic ``after_server_start`` listener, in the server's own loop;
* the webhook checks ``X-Telegram-Bot-Api-Secret-Token`` (403 otherwise), turns a
  button tap into the button's payload and answers the callback query, and
  answers 200 to every update kind it does not handle, so Telegram stops sending it;
* replies are sent as HTML: bare URLs and ``[title](url)`` become links, buttons
  an inline keyboard (one button a row: the titles are questions), and texts
  longer than Telegram's 4096 characters are split at paragraphs, lines or words.

Button payloads longer than the 64 bytes Telegram allows in ``callback_data`` are
replaced by a short key (``#k:`` + a hash) kept in memory; a tap on a key the
process no longer knows (after a restart) falls back to the button's title,
which Telegram sends back with the tapped message. Every payload of the project
fits in 64 bytes today (tested), so keys are a safety net, not the usual path.

Configured by the environment only (see ``TelegramSettings``); without
``TELEGRAM_TOKEN`` or ``TELEGRAM_SECRET_TOKEN`` the channel is off: the server
starts with the other channels and the webhook answers 503 saying why.
"""

import asyncio
import hashlib
import hmac
import json
import logging
import os
import re
from collections import OrderedDict
from dataclasses import dataclass
from html import escape
from typing import Any, Awaitable, Callable, Dict, List, Mapping, NamedTuple, Optional, Tuple, Union

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.guard import guarded
from channels.texts import channel_text

logger = logging.getLogger(__name__)

CHANNEL_NAME = "telegram"
DEFAULT_API_BASE_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's limits (https://core.telegram.org/bots/api): characters after entity
# parsing, counted in UTF-16 code units, and bytes of callback_data.
MAX_MESSAGE_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
REQUEST_TIMEOUT_SECONDS = 10.0
# Only these kinds reach the bot; the webhook still answers 200 to any other.
ALLOWED_UPDATES = ["message", "callback_query"]
# Sender ids are "telegram:<chat id>" so they never collide with other channels'.
SENDER_PREFIX = "telegram:"
# setWebhook's secret_token: 1-256 characters A-Z, a-z, 0-9, _ and -.
SECRET_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
# Telegram sends "/start" when a visitor opens the bot: it greets like "bonjour".
COMMAND_ALIASES = {"/start": "/greet"}
TEXT_FOR_BUTTONS_ONLY = "Choisissez :"

ChatId = Union[int, str]


# --- Configuration -----------------------------------------------------------


@dataclass(frozen=True)
class TelegramSettings:
    """The channel's configuration, read from the environment only.

    Secrets stay out of committed files: credentials.yml only names the class.
    """

    token: str = ""
    secret_token: str = ""
    webhook_url: str = ""
    bot_username: str = ""
    api_base_url: str = DEFAULT_API_BASE_URL

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "TelegramSettings":
        """Read the TELEGRAM_* variables; blank values count as unset."""
        return cls(
            token=environ.get("TELEGRAM_TOKEN", "").strip(),
            secret_token=environ.get("TELEGRAM_SECRET_TOKEN", "").strip(),
            webhook_url=environ.get("TELEGRAM_WEBHOOK_URL", "").strip(),
            bot_username=environ.get("TELEGRAM_BOT_USERNAME", "").strip().lstrip("@"),
            api_base_url=(
                environ.get("TELEGRAM_API_BASE_URL", "").strip() or DEFAULT_API_BASE_URL
            ).rstrip("/"),
        )

    def why_off(self) -> Optional[str]:
        """Why the channel cannot run, or None when it can.

        A missing secret turns the channel off rather than accepting unauthenticated
        updates: anyone who finds the URL could otherwise talk in any chat's name.
        """
        if not self.token:
            return "TELEGRAM_TOKEN is not set"
        if not self.secret_token:
            return "TELEGRAM_SECRET_TOKEN is not set (it authenticates Telegram's calls)"
        if not SECRET_TOKEN_PATTERN.fullmatch(self.secret_token):
            return "TELEGRAM_SECRET_TOKEN must be 1-256 characters among A-Z, a-z, 0-9, _ and -"
        return None


# --- Bot API client -----------------------------------------------------------


class TelegramApiError(Exception):
    """A Bot API call that failed: Telegram said no, or the call did not complete."""

    def __init__(self, method: str, description: str, error_code: Optional[int] = None) -> None:
        super().__init__(f"{method} failed ({error_code or 'no answer'}): {description}")
        self.method = method
        self.description = description
        self.error_code = error_code


class BotApiClient:
    """The few Bot API calls the channel makes, over aiohttp with a timeout each.

    The session is created lazily inside the running loop and re-created if the
    loop changed: binding a session to a loop that later closes is the very bug of
    the stock channel.
    """

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_API_BASE_URL,
        timeout_seconds: float = REQUEST_TIMEOUT_SECONDS,
    ) -> None:
        self._token = token
        self._base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: Optional[aiohttp.ClientSession] = None
        self._session_loop: Optional[asyncio.AbstractEventLoop] = None

    async def call(self, method: str, params: Dict[str, Any]) -> Any:
        """Call ``method`` with JSON ``params``; return its ``result`` or raise TelegramApiError."""
        url = f"{self._base_url}/bot{self._token}/{method}"
        try:
            session = await self._current_session()
            async with session.post(url, json=params) as answer:
                body = await answer.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise TelegramApiError(
                method, self._redact(f"{type(error).__name__}: {error}")
            ) from error
        if not isinstance(body, dict) or not body.get("ok"):
            body = body if isinstance(body, dict) else {}
            raise TelegramApiError(
                method, str(body.get("description", "unexpected answer")), body.get("error_code")
            )
        return body.get("result")

    async def close(self) -> None:
        """Close the session (on server stop); the next call opens a new one."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def _current_session(self) -> aiohttp.ClientSession:
        """The session of the running loop, made on first use in that loop.

        A session left by a loop that has since closed is closed without touching
        that loop (aiohttp skips the transports of a closed loop) and replaced.
        """
        loop = asyncio.get_running_loop()
        if self._session is not None and self._session_loop is not loop:
            stale, self._session = self._session, None
            await stale.close()
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
            self._session_loop = loop
        return self._session

    def _redact(self, text: str) -> str:
        """Keep the bot token (part of every URL) out of logs."""
        return text.replace(self._token, "<token>") if self._token else text


# --- Rendering: links, splitting, keyboards ------------------------------------

MARKDOWN_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")
LINK = re.compile(MARKDOWN_LINK.pattern + r"|(https?://[^\s<>\"]+)")
TRAILING_PUNCTUATION = ".,;:!?»)'\""


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _anchor(url: str, title: str) -> str:
    return f'<a href="{escape(url, quote=True)}">{escape(title, quote=False)}</a>'


def _bare_url(url: str) -> Tuple[str, str]:
    """Split trailing punctuation off a bare URL: "voir https://x.fr." links to https://x.fr."""
    end = len(url)
    while end and url[end - 1] in TRAILING_PUNCTUATION:
        if url[end - 1] == ")" and url[:end].count("(") >= url[:end].count(")"):
            break
        end -= 1
    return url[:end], url[end:]


def to_html(text: str) -> str:
    """Telegram HTML for a response text: escaped, with clickable links.

    Bare URLs become links whatever the client's own detection does, and
    ``[title](url)`` (Markdown, as other channels write it) shows its title.
    """
    parts: List[str] = []
    position = 0
    for match in LINK.finditer(text):
        parts.append(escape(text[position : match.start()], quote=False))
        title, url, bare = match.groups()
        if bare:
            url, rest = _bare_url(bare)
            parts.append(_anchor(url, url) + escape(rest, quote=False))
        else:
            parts.append(_anchor(url, title))
        position = match.end()
    parts.append(escape(text[position:], quote=False))
    return "".join(parts)


def _split_outside_links(text: str, separator: str) -> List[str]:
    """Split at ``separator`` but never inside a ``[title](url)`` link."""
    protected = [match.span() for match in MARKDOWN_LINK.finditer(text)]
    parts: List[str] = []
    start = search = 0
    while (index := text.find(separator, search)) != -1:
        if any(begin < index < end for begin, end in protected):
            search = index + 1
            continue
        parts.append(text[start:index])
        start = search = index + len(separator)
    parts.append(text[start:])
    return parts


def _hard_cut(text: str, limit: int) -> List[str]:
    """Last resort for one word longer than a message: cut between characters."""
    chunks: List[str] = []
    current, size = "", 0
    for character in text:
        width = utf16_length(to_html(character))
        if size + width > limit and current:
            chunks.append(current)
            current, size = "", 0
        current += character
        size += width
    return chunks + [current] if current else chunks


def split_message(text: str, limit: int = MAX_MESSAGE_LENGTH) -> List[str]:
    """Split a response text into pieces whose HTML fits in one Telegram message.

    Cuts at paragraph breaks first, then line breaks, then spaces, never inside a
    link. Measuring the HTML (longer than the visible text) keeps every piece under
    the limit. Rendering is additive across whitespace, so each part is measured once.
    """
    text = text.strip()
    if not text:
        return []
    if utf16_length(to_html(text)) <= limit:
        return [text]
    for separator in ("\n\n", "\n", " "):
        parts = _split_outside_links(text, separator)
        if len(parts) > 1:
            return _pack(parts, separator, limit)
    return _hard_cut(text, limit)


def _pack(parts: List[str], separator: str, limit: int) -> List[str]:
    """Greedily join consecutive parts while the HTML fits; split the parts that do not."""
    chunks: List[str] = []
    current: Optional[str] = None
    size = 0
    separator_size = utf16_length(separator)
    for part in parts:
        part_size = utf16_length(to_html(part))
        if current is not None and size + separator_size + part_size <= limit:
            current, size = current + separator + part, size + separator_size + part_size
            continue
        if current is not None:
            chunks.append(current)
        if part_size <= limit:
            current, size = part, part_size
        else:
            chunks.extend(split_message(part, limit))
            current, size = None, 0
    if current is not None:
        chunks.append(current)
    return [chunk.strip() for chunk in chunks if chunk.strip()]


class PayloadKeys:
    """Short ``callback_data`` for payloads over Telegram's 64 bytes, kept in memory.

    The key is a hash of the payload, so the same payload always gets the same key
    and the table only grows with distinct long payloads (bounded, oldest dropped).
    """

    PREFIX = "#k:"

    def __init__(self, capacity: int = 10_000) -> None:
        self._payloads: "OrderedDict[str, str]" = OrderedDict()
        self._capacity = capacity

    def callback_data(self, payload: str) -> str:
        """The payload itself when it fits, else a short key that stands for it."""
        if len(payload.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES and not payload.startswith(
            self.PREFIX
        ):
            return payload
        key = self.PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]
        self._payloads[key] = payload
        self._payloads.move_to_end(key)
        while len(self._payloads) > self._capacity:
            self._payloads.popitem(last=False)
        logger.info(
            "Button payload over %d bytes sent to Telegram as key %s", MAX_CALLBACK_DATA_BYTES, key
        )
        return key

    def payload(self, callback_data: str) -> Optional[str]:
        """The payload a tap stands for; None for a key this process does not know."""
        if not callback_data.startswith(self.PREFIX):
            return callback_data
        return self._payloads.get(callback_data)


def _keyboard_button(button: Mapping[str, Any], keys: PayloadKeys) -> Optional[Dict[str, str]]:
    title = str(button.get("title") or "").strip()
    if not title:
        logger.warning("Button without a title not sent to Telegram: %s", button)
        return None
    if button.get("url"):
        return {"text": title, "url": str(button["url"])}
    payload = str(button.get("payload") or title).strip()
    return {"text": title, "callback_data": keys.callback_data(payload)}


def inline_keyboard(
    buttons: List[Mapping[str, Any]], keys: PayloadKeys
) -> Optional[Dict[str, Any]]:
    """Rasa buttons as an inline keyboard, one button a row (titles are whole questions)."""
    rows = [
        [rendered]
        for rendered in (_keyboard_button(button, keys) for button in buttons)
        if rendered
    ]
    return {"inline_keyboard": rows} if rows else None


def chat_id_of(recipient_id: str) -> ChatId:
    """The Telegram chat of a conversation: its sender id without the channel prefix."""
    raw = (
        recipient_id[len(SENDER_PREFIX) :]
        if recipient_id.startswith(SENDER_PREFIX)
        else recipient_id
    )
    try:
        return int(raw)
    except ValueError:
        return raw


# --- Output ---------------------------------------------------------------------


class TelegramOutput(OutputChannel):
    """Sends the bot's responses to a Telegram chat through the Bot API."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    def __init__(self, client: BotApiClient, keys: PayloadKeys) -> None:
        self.client = client
        self.keys = keys

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_text(chat_id_of(recipient_id), text, None)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """The text with the buttons as an inline keyboard under its last piece."""
        await self._send_text(chat_id_of(recipient_id), text, inline_keyboard(buttons, self.keys))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.client.call("sendPhoto", {"chat_id": chat_id_of(recipient_id), "photo": image})

    async def send_custom_json(
        self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any
    ) -> None:
        """A custom payload as Bot API parameters.

        ``{"method": "sendLocation", "latitude": …}`` calls that method; otherwise a
        ``text`` is sent with sendMessage and a ``photo`` with sendPhoto. Custom
        payloads written for other channels are skipped with a warning.
        """
        params = dict(json_message)
        method = params.pop("method", None) or (
            "sendMessage" if "text" in params else "sendPhoto" if "photo" in params else None
        )
        if method is None:
            logger.warning(
                "Custom payload without method, text or photo not sent to Telegram: %s",
                sorted(json_message),
            )
            return
        params.setdefault("chat_id", chat_id_of(recipient_id))
        await self.client.call(method, params)

    async def _send_text(
        self, chat_id: ChatId, text: str, keyboard: Optional[Dict[str, Any]]
    ) -> None:
        pieces = split_message(text or "") or ([TEXT_FOR_BUTTONS_ONLY] if keyboard else [])
        for index, piece in enumerate(pieces):
            params: Dict[str, Any] = {
                "chat_id": chat_id,
                "text": to_html(piece),
                "parse_mode": "HTML",
            }
            if keyboard and index == len(pieces) - 1:
                params["reply_markup"] = keyboard
            await self.client.call("sendMessage", params)


# --- Input ------------------------------------------------------------------------


class Incoming(NamedTuple):
    """What an update asks of the bot: a user message and/or a callback to answer."""

    chat_id: ChatId
    text: Optional[str]
    metadata: Dict[str, Any]
    callback_query_id: Optional[str] = None
    callback_notice: Optional[str] = None


def clean_text(text: str, bot_username: str = "") -> str:
    """A message's text as the NLU should read it.

    Drops ``@botname`` (group mentions, ``/start@botname``) and maps Telegram's
    ``/start`` (sent when a visitor opens the bot, possibly with a parameter) to
    a greeting.
    """
    if bot_username:
        text = re.sub(rf"@{re.escape(bot_username)}\b", "", text, flags=re.IGNORECASE)
    text = text.strip()
    command = text.split(maxsplit=1)[0].lower() if text else ""
    return COMMAND_ALIASES.get(command, text)


def _metadata(
    update: Mapping[str, Any], chat: Mapping[str, Any], user: Mapping[str, Any]
) -> Dict[str, Any]:
    return {
        CHANNEL_NAME: {
            "update_id": update.get("update_id"),
            "chat_id": chat.get("id"),
            "chat_type": chat.get("type"),
            "user_id": user.get("id"),
            "language_code": user.get("language_code"),
        }
    }


def _tapped_button_title(message: Mapping[str, Any], callback_data: str) -> Optional[str]:
    """The title of the tapped button, from the keyboard Telegram sends back with the tap."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    for row in rows:
        for button in row:
            if button.get("callback_data") == callback_data:
                return button.get("text")
    return None


def _from_callback_query(update: Mapping[str, Any], keys: PayloadKeys) -> Optional[Incoming]:
    query = update["callback_query"]
    message = query.get("message") or {}
    user = query.get("from") or {}
    chat = message.get("chat") or {"id": user.get("id"), "type": "private"}
    if chat.get("id") is None:
        return None
    data = str(query.get("data") or "")
    text = (keys.payload(data) or _tapped_button_title(message, data)) if data else None
    notice = None
    if data and text is None:
        logger.warning("Tap on an unknown button key %s (process restarted?)", data)
        notice = channel_text("utter_button_expired")
    return Incoming(chat["id"], text, _metadata(update, chat, user), str(query.get("id")), notice)


def _from_message(update: Mapping[str, Any], bot_username: str) -> Optional[Incoming]:
    message = update["message"]
    chat = message.get("chat") or {}
    text = message.get("text") or message.get("caption")
    if chat.get("id") is None or not isinstance(text, str):
        return None  # stickers, photos without caption, service messages…
    text = clean_text(text, bot_username)
    if not text:
        return None
    return Incoming(chat["id"], text, _metadata(update, chat, message.get("from") or {}))


def parse_update(
    update: Mapping[str, Any], keys: PayloadKeys, bot_username: str = ""
) -> Optional[Incoming]:
    """What the bot should do with an update; None for kinds it ignores.

    Handled: ``message`` with text (or a caption) and ``callback_query`` (a tap on
    an inline button). Ignored: edited messages, membership changes, channel posts,
    polls and the rest: answering them would repeat or confuse the conversation.
    """
    if isinstance(update.get("callback_query"), dict):
        return _from_callback_query(update, keys)
    if isinstance(update.get("message"), dict):
        return _from_message(update, bot_username)
    return None


def update_kind(update: Mapping[str, Any]) -> str:
    """The kind of an update (its one key besides update_id), for logs."""
    return next((key for key in update if key != "update_id"), "empty")


class RecentIds:
    """The last few update ids seen, so a redelivered update is answered once."""

    def __init__(self, capacity: int = 1000) -> None:
        self._ids: "OrderedDict[Any, None]" = OrderedDict()
        self._capacity = capacity

    def seen_before(self, update_id: Any) -> bool:
        """Record ``update_id``; True if it was already recorded."""
        if update_id is None:
            return False
        if update_id in self._ids:
            return True
        self._ids[update_id] = None
        if len(self._ids) > self._capacity:
            self._ids.popitem(last=False)
        return False


def _json_reply(status: int, description: str) -> HTTPResponse:
    return response.json({"ok": 200 <= status < 300, "description": description}, status=status)


class TelegramInput(InputChannel):
    """Telegram webhook at ``/webhooks/telegram/webhook``, configured by TELEGRAM_* variables."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        """Ignore credentials.yml (secrets stay out of committed files); read the environment."""
        if credentials:
            logger.warning(
                "Telegram settings in credentials.yml are ignored: use the TELEGRAM_* "
                "environment variables (%s)",
                ", ".join(sorted(credentials)),
            )
        return cls(TelegramSettings.from_env())

    def __init__(self, settings: TelegramSettings) -> None:
        self.settings = settings
        self.off_reason = settings.why_off()
        self.keys = PayloadKeys()
        self.recent_updates = RecentIds()
        self.client = BotApiClient(settings.token, settings.api_base_url)
        self.output = TelegramOutput(self.client, self.keys)
        if self.off_reason:
            # No token is the usual local set-up; a token without a usable secret is a mistake.
            level = logging.INFO if not settings.token else logging.ERROR
            logger.log(
                level,
                "Telegram channel is off: %s. The other channels run as usual.",
                self.off_reason,
            )
        else:
            logger.info(
                "Telegram channel is on for @%s (Bot API at %s).",
                settings.bot_username or "?",
                settings.api_base_url,
            )

    def get_output_channel(self) -> Optional[OutputChannel]:
        return None if self.off_reason else self.output

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram_webhook = Blueprint("telegram_webhook", __name__)
        on_new_message = guarded(on_new_message)

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json(
                {"status": "off" if self.off_reason else "ok", "reason": self.off_reason}
            )

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            return await self.receive(request, on_new_message)

        telegram_webhook.listener("after_server_start")(self._set_webhook)
        telegram_webhook.listener("before_server_stop")(self._close)
        return telegram_webhook

    async def receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        """Answer one webhook call from Telegram."""
        if self.off_reason:
            return _json_reply(503, f"Telegram channel is off: {self.off_reason}")
        if not self._is_from_telegram(request):
            logger.warning(
                "Telegram webhook called without the right secret token (from %s)", request.ip
            )
            return _json_reply(403, f"Forbidden: wrong or missing {SECRET_HEADER} header")
        try:
            update = json.loads(request.body or b"null")
        except ValueError:
            return _json_reply(400, "Bad Request: the body is not JSON")
        if not isinstance(update, dict):
            return _json_reply(400, "Bad Request: the body is not a Telegram update")
        if self.recent_updates.seen_before(update.get("update_id")):
            return _json_reply(200, "already handled")
        incoming = parse_update(update, self.keys, self.settings.bot_username)
        if incoming is None:
            logger.debug("Telegram update of kind %s ignored", update_kind(update))
            return _json_reply(200, "ignored")
        await self._answer_callback(incoming)
        if incoming.text:
            await self._handle(incoming, on_new_message)
        return _json_reply(200, "handled")

    def _is_from_telegram(self, request: Request) -> bool:
        given = request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(
            given.encode("utf-8"), self.settings.secret_token.encode("utf-8")
        )

    async def _answer_callback(self, incoming: Incoming) -> None:
        """Stop the button's spinner at once, before the (slower) answer is computed."""
        if incoming.callback_query_id is None:
            return
        params: Dict[str, Any] = {"callback_query_id": incoming.callback_query_id}
        if incoming.callback_notice:
            params["text"] = incoming.callback_notice
        try:
            await self.client.call("answerCallbackQuery", params)
        except TelegramApiError as error:
            logger.warning("Could not answer a Telegram callback query: %s", error)

    async def _handle(
        self, incoming: Incoming, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Pass the message to Rasa; failures are logged, not returned to Telegram.

        The message is already in the tracker when a reply fails (the visitor blocked
        the bot, Telegram is down): a non-2xx answer would make Telegram deliver the
        update again and again, and Rasa answer it again each time.
        """
        message = UserMessage(
            incoming.text,
            self.output,
            f"{SENDER_PREFIX}{incoming.chat_id}",
            input_channel=CHANNEL_NAME,
            metadata=incoming.metadata,
        )
        try:
            await on_new_message(message)
        except TelegramApiError as error:
            logger.error("Telegram reply to chat %s failed: %s", incoming.chat_id, error)
        except Exception:  # noqa: BLE001 - the webhook must answer 200 whatever Rasa raised
            logger.exception("Handling a Telegram message of chat %s failed", incoming.chat_id)

    async def _set_webhook(self, _app: Any, _loop: Any) -> None:
        """Register the webhook with Telegram once the server runs, in its own loop."""
        if self.off_reason:
            return
        if not self.settings.webhook_url:
            logger.info("TELEGRAM_WEBHOOK_URL is not set: the Telegram webhook is left as it is.")
            return
        try:
            await self.client.call(
                "setWebhook",
                {
                    "url": self.settings.webhook_url,
                    "secret_token": self.settings.secret_token,
                    "allowed_updates": ALLOWED_UPDATES,
                },
            )
        except TelegramApiError as error:
            logger.error("Telegram setWebhook to %s failed: %s", self.settings.webhook_url, error)
            return
        logger.info("Telegram webhook set to %s", self.settings.webhook_url)

    async def _close(self, _app: Any, _loop: Any) -> None:
        await self.client.close()
