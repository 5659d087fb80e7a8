"""Measure the sheet search on the blind sets, to choose actions/fallback.py's thresholds.

    .venv/bin/python scripts/calibrate_search.py [--model models/ptce.tar.gz]

Only the messages that the NLU leaves to the fallback (intent ``nlu_fallback``)
reach the search in the running bot, so the model parses every blind message
first. For each pair of thresholds (similarity, coverage of the message) it
prints how many of those messages would get a passage, how many of these
passages hold the expected fact, and how many out-of-scope or not-in-sheet
messages would get a passage (these must be 0).
"""

import argparse
import asyncio
import sys
from pathlib import Path
from typing import List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rasa.core.agent import Agent  # noqa: E402

from actions.sheet_search import sheet_search  # noqa: E402
from tests.support.blind import BLIND_SETS, BlindMessage, blind_messages, contains  # noqa: E402

THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5)
COVERAGES = (0.0, 0.3, 0.4, 0.5, 0.6)


async def left_to_fallback(model: str, messages: List[BlindMessage]) -> List[BlindMessage]:
    agent = Agent.load(model)
    left = []
    for message in messages:
        parse = await agent.parse_message(message.text)
        if parse["intent"]["name"] == "nlu_fallback":
            left.append(message)
    return left


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/ptce.tar.gz")
    args = parser.parse_args()
    messages = [message for name in BLIND_SETS for message in blind_messages(name)]
    left = asyncio.run(left_to_fallback(args.model, messages))
    print(f"{len(left)} of {len(messages)} blind messages (both sets) reach the fallback")
    scored: List[Tuple[float, float, BlindMessage, bool]] = []
    for message in left:
        match = sheet_search().best(message.text)
        score, coverage = (match.score, match.coverage) if match else (0.0, 0.0)
        holds = bool(match) and any(contains(match.passage.text, e) for e in message.expect)
        scored.append((score, coverage, message, holds))
    print("similarity | coverage | passages | with the fact | out of scope | not in sheet")
    for threshold in THRESHOLDS:
        for minimum in COVERAGES:
            above = [(m, h) for s, c, m, h in scored if s >= threshold and c >= minimum]
            right = sum(1 for m, holds in above if m.kind == "answer" and holds)
            answers = sum(1 for m, _ in above if m.kind == "answer")
            oos = sum(1 for m, _ in above if m.kind == "out_of_scope")
            silent = sum(1 for m, _ in above if m.kind == "not_in_sheet")
            print(
                f"{threshold:10.2f} | {minimum:8.1f} | {len(above):8} | {right:5}/{answers:<7} "
                f"| {oos:12} | {silent}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
