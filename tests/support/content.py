"""The bot's content as the tests read it: project files, responses, the sheet.

Expected texts come from here, never from copies in the tests, so that editing a
sentence in ``data/responses/`` does not break a test that checks its meaning.
"""

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List

import yaml

ROOT = Path(__file__).resolve().parents[2]
SHEET_PATH = ROOT / "docs" / "fiche-ptce.txt"


def load_yaml(relative: str) -> Dict[str, Any]:
    """A YAML file of the project, parsed."""
    return yaml.safe_load((ROOT / relative).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def responses() -> Dict[str, List[Dict[str, Any]]]:
    """Every response of the bot, merged from ``data/responses/*.yml`` as Rasa does."""
    merged: Dict[str, List[Dict[str, Any]]] = {}
    for path in sorted((ROOT / "data" / "responses").glob("*.yml")):
        merged.update(yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {})
    return merged


def response_text(name: str) -> str:
    """The text of a response's first variation."""
    return responses()[name][0]["text"]


def response_start(name: str) -> str:
    """A response's first sentence, before any placeholder, line break, link or emphasis.

    Every channel shows these words as they are written (the widget renders Markdown,
    Telegram turns URLs into links, the shell wraps lines), so a test can wait for
    them on any channel, and a response that changes its wording changes the test too.
    """
    text = response_text(name)
    end = min(
        (text.find(mark) for mark in ("{", "\n", "http", "[", "**") if mark in text),
        default=len(text),
    )
    return text[:end].split(". ")[0].rstrip(" :\u00a0\u202f")


@lru_cache(maxsize=1)
def sheet() -> str:
    """The resource sheet, the only source of facts."""
    return SHEET_PATH.read_text(encoding="utf-8")


def normalise(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: for comparing meaning."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


@lru_cache(maxsize=1)
def domain() -> Dict[str, Any]:
    """The domain as Rasa sends it to the action server: ``domain.yml`` and every response."""
    return {**load_yaml("domain.yml"), "responses": responses()}


def sheet_links() -> List[str]:
    """The sheet's links, as written between angle brackets."""
    return [link.rstrip(".,;:") for link in re.findall(r"<(https?://[^>]+)>", sheet())]
