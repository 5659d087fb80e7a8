"""Response texts and buttons as Telegram shows them.

Replies are sent as HTML: bare URLs and ``[title](url)`` become links, buttons an
inline keyboard (one button a row: the titles are questions), and texts longer
than Telegram's 4096 characters are split at paragraphs, lines or words.

Button payloads longer than the 64 bytes Telegram allows in ``callback_data`` are
replaced by a short key (``#k:`` + a hash) kept in memory; a tap on a key the
process no longer knows (after a restart) falls back to the button's title,
which Telegram sends back with the tapped message. Every payload of the project
fits in 64 bytes today (tested), so keys are a safety net, not the usual path.
"""

import hashlib
import logging
import re
from collections import OrderedDict
from html import escape
from typing import Any, Dict, List, Mapping, Optional, Tuple

logger = logging.getLogger(__name__)

# Telegram's limits (https://core.telegram.org/bots/api): characters after entity
# parsing, counted in UTF-16 code units, and bytes of callback_data.
MAX_MESSAGE_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64

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
