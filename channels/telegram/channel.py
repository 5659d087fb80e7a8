"""The Telegram channel itself: the webhook Rasa serves and the replies it sends.

* ``setWebhook`` is called by a Sanic ``after_server_start`` listener, in the
  server's own loop (the stock channel called it in a loop that then closed);
* the webhook checks ``X-Telegram-Bot-Api-Secret-Token`` (403 otherwise), turns a
  button tap into the button's payload and answers the callback query, and
  answers 200 to every update kind it does not handle, so Telegram stops sending it.
"""

import hmac
import json
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.bounds import MAX_BODY_BYTES
from channels.guard import guarded
from channels.telegram.bot_api import BotApiClient, TelegramApiError
from channels.telegram.rendering import PayloadKeys, inline_keyboard, split_message, to_html
from channels.telegram.settings import TelegramSettings
from channels.telegram.updates import (
    CHANNEL_NAME,
    SENDER_PREFIX,
    ChatId,
    Incoming,
    RecentIds,
    chat_id_of,
    parse_update,
    update_kind,
)
from channels.visitor import pseudonym, visitor_metadata

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Only these kinds reach the bot; the webhook still answers 200 to any other.
ALLOWED_UPDATES = ["message", "callback_query"]
TEXT_FOR_BUTTONS_ONLY = "Choisissez :"


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
        if len(request.body or b"") > MAX_BODY_BYTES:
            return _json_reply(413, f"Payload Too Large: at most {MAX_BODY_BYTES} bytes")
        try:
            update = json.loads(request.body or b"null")
        except (ValueError, RecursionError):  # RecursionError: JSON nested too deep
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
            # Telegram's servers are the peer: the visitor is the chat Telegram vouches for.
            metadata=visitor_metadata(
                incoming.metadata, pseudonym(f"{SENDER_PREFIX}{incoming.chat_id}")
            ),
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
