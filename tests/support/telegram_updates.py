"""Updates as Telegram POSTs them to the bot's webhook, for the Telegram channel's tests.

Every update and message gets a new id, as Telegram's do, so that the channel's
guard against redelivered updates never drops a test's message.
"""

import itertools
import time
from typing import Any, Dict, Optional

_update_ids = itertools.count(100_000)


def message_update(chat_id: int, text: str, **extra: Any) -> Dict[str, Any]:
    """An update for a text message from a visitor in a private chat, as Telegram sends it."""
    user = {"id": chat_id, "is_bot": False, "first_name": "Camille", "language_code": "fr"}
    message = {
        "message_id": next(_update_ids),
        "from": user,
        "chat": {"id": chat_id, "type": "private", "first_name": "Camille"},
        "date": int(time.time()),
        "text": text,
    }
    return {"update_id": next(_update_ids), "message": dict(message, **extra)}


def callback_update(
    chat_id: int, data: str, message: Optional[Dict[str, Any]] = None
) -> Dict[str, Any]:
    """An update for a tap on an inline button of ``message``, the bot's message carrying it."""
    user = {"id": chat_id, "is_bot": False, "first_name": "Camille", "language_code": "fr"}
    message = message or {
        "message_id": next(_update_ids),
        "date": int(time.time()),
        "text": "…",
        "chat": {"id": chat_id, "type": "private"},
    }
    query = {
        "id": str(next(_update_ids)),
        "from": user,
        "message": message,
        "chat_instance": f"-{chat_id}",
        "data": data,
    }
    return {"update_id": next(_update_ids), "callback_query": query}
