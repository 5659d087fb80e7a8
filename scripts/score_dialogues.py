"""Score a running bot on the blind conversations (tests/dialogues/) over REST.

    .venv/bin/python scripts/score_dialogues.py [--set fresh] [--url http://localhost:5005]
        [--show-failures]

Each conversation is played in order as one new visitor, every turn typed, no button
clicked. The end-to-end gate (tests/e2e/test_dialogues.py) uses the same scoring.
With --show-failures, each conversation's figure and each failing turn, with the
exchange before it, come before the summary.
"""

import argparse
import sys
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.chat import say  # noqa: E402
from tests.support.dialogues import DIALOGUE_SETS, evaluate  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(DIALOGUE_SETS), default="blind")
    parser.add_argument("--url", default="http://localhost:5005")
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args()
    report = evaluate(partial(say, args.url), args.set)
    if args.show_failures:
        print(report.failures(), report.per_conversation(), sep="\n\n", end="\n\n")
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
