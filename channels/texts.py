"""The sentences the channels send themselves, from data/responses/channels.yml.

The channels answer before Rasa runs (a message too long, too many messages) or
when a turn fails, so Rasa's NLG cannot render these sentences by name; they
still live with every other sentence of the bot, in data/responses/.
"""

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict

import yaml

TEXTS = Path(__file__).resolve().parent.parent / "data" / "responses" / "channels.yml"


@lru_cache(maxsize=1)
def _responses() -> Dict[str, Any]:
    return yaml.safe_load(TEXTS.read_text(encoding="utf-8"))["responses"]


def channel_text(name: str, **values: Any) -> str:
    """The text of the response ``name``, filled with ``values``."""
    return _responses()[name][0]["text"].format(**values)
