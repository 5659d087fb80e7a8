"""What a Telegram update asks of the bot, and which chat a conversation is.

Handled: a message with text (or a caption) and a tap on an inline button (the
button's payload, and the callback query to answer). Every other kind is ignored,
and the webhook still answers 200 to it so that Telegram stops sending it.
"""

import logging
import re
from collections import OrderedDict
from typing import Any, Dict, Mapping, NamedTuple, Optional, Union

from channels.telegram.rendering import PayloadKeys
from channels.texts import channel_text

logger = logging.getLogger(__name__)

CHANNEL_NAME = "telegram"
# Sender ids are "telegram:<chat id>" so they never collide with other channels'.
SENDER_PREFIX = "telegram:"
# Telegram sends "/start" when a visitor opens the bot: it greets like "bonjour".
COMMAND_ALIASES = {"/start": "/greet"}

ChatId = Union[int, str]


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
