"""Apply French typography to the bot's texts: `python scripts/typeset_french.py`.

A narrow no-break space (U+202F) goes before ? ! ; and inside « », a no-break
space (U+00A0) before :, so that a line never breaks between a word and its
punctuation. It rewrites, in place, the texts and button titles of
data/responses/*.yml and the topic titles of actions/topics.py; payloads stay as
typed, since the NLU reads them. tests/unit/test_responses.py checks the result.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NARROW = "\u202f"
NO_BREAK = "\u00a0"
# A text or title line of a response file, and a Topic("title", …) of actions/topics.py.
RESPONSE_LINE = re.compile(r'^(\s*-?\s*(?:text|title): ")(.*)("\s*)$')
TOPIC_TITLE = re.compile(r'(Topic\(\s*")([^"]*)(")')


URL = re.compile(r"(https?://\S+)")


def typeset(text: str) -> str:
    """``text`` with French spacing around ? ! ; : and « »; URLs are left alone."""
    parts = URL.split(text)
    return "".join(part if URL.fullmatch(part) else _typeset(part) for part in parts)


def _typeset(text: str) -> str:
    text = re.sub(r"[ \u00a0\u202f]*([?!;])", lambda m: NARROW + m.group(1), text)
    text = re.sub(r"(?<!\\n)(?<=\S)[ \u00a0\u202f]*:(?=\s|$|\\n)", NO_BREAK + ":", text)
    text = re.sub(r"«[ \u00a0\u202f]*", "«" + NARROW, text)
    text = re.sub(r"[ \u00a0\u202f]*»", NARROW + "»", text)
    return text


def main() -> int:
    for path in sorted((ROOT / "data" / "responses").glob("*.yml")):
        lines = path.read_text(encoding="utf-8").split("\n")
        fixed = [RESPONSE_LINE.sub(lambda m: m[1] + typeset(m[2]) + m[3], line) for line in lines]
        path.write_text("\n".join(fixed), encoding="utf-8")
    topics = ROOT / "actions" / "topics.py"
    source = topics.read_text(encoding="utf-8")
    topics.write_text(TOPIC_TITLE.sub(lambda m: m[1] + typeset(m[2]) + m[3], source), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
