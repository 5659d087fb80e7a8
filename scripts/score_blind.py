"""Score a running bot on the blind set (tests/nlu/blind.yml) over its REST channel.

    .venv/bin/python scripts/score_blind.py [--url http://localhost:5005] [--show-failures]

Each message is sent in a new conversation, as a new visitor would type it. The
end-to-end gate (tests/e2e/test_blind.py) uses the same scoring.
"""

import argparse
import sys
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.blind import blind_messages, failure, score, sheet_facts  # noqa: E402


def reply_to(url: str, text: str) -> str:
    """The bot's replies to ``text`` from a new visitor, one per line, buttons included."""
    response = requests.post(
        f"{url}/webhooks/rest/webhook",
        json={"sender": uuid.uuid4().hex, "message": text},
        timeout=30,
    )
    response.raise_for_status()
    return "\n".join(reply.get("text", "") for reply in response.json())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:5005")
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args()
    facts = sheet_facts()
    totals: Dict[str, int] = Counter()
    failures: Dict[str, List[str]] = defaultdict(list)
    for message in blind_messages():
        totals[message.kind] += 1
        reply = reply_to(args.url, message.text)
        why = failure(message, reply, facts)
        if why:
            failures[message.kind].append(
                f"[{message.kind}/{message.topic}] {message.text!r}: {why}\n    → {reply[:160]!r}"
            )
    if args.show_failures:
        for kind_failures in failures.values():
            print("\n".join(kind_failures))
    print(score(failures, totals))
    answered = sum(totals.values()) - sum(len(f) for f in failures.values())
    print(f"all: {answered}/{sum(totals.values())} ({100 * answered / sum(totals.values()):.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
