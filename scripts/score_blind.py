"""Score a running bot on a blind set (tests/nlu/blind*.yml) over its REST channel.

    .venv/bin/python scripts/score_blind.py [--url http://localhost:5005] [--set blind|fresh]
                                            [--show-failures]

Each message is sent in a new conversation, as a new visitor would type it. The
end-to-end gate (tests/e2e/test_blind.py) uses the same scoring.
"""

import argparse
import sys
import uuid
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.blind import BLIND_SETS, evaluate  # noqa: E402
from tests.support.chat import say, text_of  # noqa: E402


def reply_to(url: str, text: str) -> str:
    """The bot's replies to ``text`` from a new visitor, one per line."""
    return text_of(say(url, text, uuid.uuid4().hex))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:5005")
    parser.add_argument("--set", choices=sorted(BLIND_SETS), default="blind")
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args()
    report = evaluate(partial(reply_to, args.url), args.set)
    if args.show_failures:
        for failures in report.failures.values():
            print("\n".join(failures))
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
