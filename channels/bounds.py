"""What a channel accepts from the internet, before Rasa stores or reads any of it.

Rasa stores a message's ``metadata`` with its event in the tracker store and
reads it back on every turn: a client that sends 400 KB of ``customData`` with
each message grows the store by megabytes (issue 11's probe). So:

- bodies (REST, Telegram) and socket.io packets are capped at ``MAX_BODY_BYTES``;
- only the metadata keys the project uses are kept (``METADATA_KEYS``), and
  metadata larger than ``MAX_METADATA_BYTES`` once encoded is dropped whole;
- a message's text must be a string (anything else gets a French reply, see
  ``channels.guard``), and control characters and lone surrogates, which
  PostgreSQL and the NLU choke on, are removed.
"""

import json
import logging
import re
from typing import Any, Dict, Optional

logger = logging.getLogger(__name__)

# A widget message or a Telegram update is well under a kilobyte; nginx caps bodies at 64k too.
MAX_BODY_BYTES = 64 * 1024
MAX_METADATA_BYTES = 2048
# "language": the widget's customData (README's snippet); "telegram": set by the Telegram
# channel from the update. Anything else a client sends is dropped.
METADATA_KEYS = frozenset({"language", "telegram"})
# C0 controls but tab and line breaks, DEL, and UTF-16 surrogates left alone by a bad decoder.
UNWANTED_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` without control characters or lone surrogates."""
    return UNWANTED_CHARACTERS.sub("", text)


def bounded_metadata(metadata: Any) -> Dict[str, Any]:
    """The known keys of ``metadata``, or nothing when they are too large or not an object."""
    if not isinstance(metadata, dict):
        return {}
    kept = {key: value for key, value in metadata.items() if key in METADATA_KEYS}
    size = encoded_size(kept)
    if size is None or size > MAX_METADATA_BYTES:
        logger.warning(
            "Message metadata dropped: %s bytes, at most %d kept",
            "unencodable" if size is None else size,
            MAX_METADATA_BYTES,
        )
        return {}
    return kept


def encoded_size(value: Any) -> Optional[int]:
    """The size of ``value`` as JSON, as the tracker store writes it; None if it cannot be."""
    try:
        return len(json.dumps(value))
    except (TypeError, ValueError, RecursionError):
        return None
