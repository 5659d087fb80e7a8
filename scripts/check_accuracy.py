"""Fail when the held-out NLU accuracy of `rasa test nlu` is below a minimum.

Rasa's intent report counts every FAQ question as the one intent ``faq``, so a
question sent to the wrong answer still counts as right there. The figure gated
here counts a message as right only when its intent is right and, for the FAQ,
its answer key (``faq/ptce_definition``…) too. It is read from the errors Rasa
writes (intent_errors.json, response_selection_errors.json); the weakest answer
keys are listed from response_selection_report.json.
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Set


def read(results: Path, name: str) -> Any:
    return json.loads((results / name).read_text(encoding="utf-8"))


def wrong_texts(results: Path) -> Set[str]:
    """Messages whose intent, or FAQ answer key, was mispredicted."""
    wrong = {error["text"] for error in read(results, "intent_errors.json")}
    wrong |= {error["text"] for error in read(results, "response_selection_errors.json")}
    return wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="the --out folder of rasa test nlu")
    parser.add_argument("--minimum", type=float, default=0.95)
    args = parser.parse_args()
    try:
        total = read(args.results, "intent_report.json")["weighted avg"]["support"]
        wrong = wrong_texts(args.results)
        keys = read(args.results, "response_selection_report.json")
    except FileNotFoundError as missing:
        print(f"missing report: {missing.filename}", file=sys.stderr)
        return 1
    accuracy = 1 - len(wrong) / total
    weak = {
        key: scores["f1-score"]
        for key, scores in keys.items()
        if key.startswith("faq/") and scores["f1-score"] < 0.9
    }
    for key, f1 in sorted(weak.items(), key=lambda item: item[1]):
        print(f"weak answer key: {key} (F1 {f1:.2f})")
    verdict = "ok" if accuracy >= args.minimum else "BELOW MINIMUM"
    print(
        f"held-out accuracy, intent and FAQ answer key: {accuracy:.3f} on {total} messages "
        f"({len(wrong)} wrong; {verdict}, minimum {args.minimum})"
    )
    return 0 if accuracy >= args.minimum else 1


if __name__ == "__main__":
    sys.exit(main())
