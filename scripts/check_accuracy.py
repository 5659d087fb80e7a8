"""Fail when the held-out NLU accuracy of `rasa test nlu` is below a minimum.

Reads the reports Rasa writes (intent_report.json and, for the FAQ retrieval
intent, response_selection_report.json) and prints the figures it checks.
"""

import argparse
import json
import sys
from pathlib import Path

REPORTS = {
    "intent": "intent_report.json",
    "response selection (faq/…)": "response_selection_report.json",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", type=Path, help="the --out folder of rasa test nlu")
    parser.add_argument("--minimum", type=float, default=0.95)
    args = parser.parse_args()

    failed = False
    for label, filename in REPORTS.items():
        path = args.results / filename
        if not path.exists():
            print(f"missing report: {path}", file=sys.stderr)
            return 1
        report = json.loads(path.read_text())
        accuracy = report["accuracy"]
        support = report["weighted avg"]["support"]
        verdict = "ok" if accuracy >= args.minimum else "BELOW MINIMUM"
        print(
            f"held-out {label} accuracy: {accuracy:.3f} on {support} messages "
            f"({verdict}, minimum {args.minimum})"
        )
        failed |= accuracy < args.minimum
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
