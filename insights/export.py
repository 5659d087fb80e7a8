"""The unanswered questions as CSV or JSON, for whoever edits the answers.

One row per group of similar phrasings (``insights.grouping``), most asked
first. Examples are masked like the report; CSV cells are neutralised like the
lead export's, so a visitor's "=…" never runs as a spreadsheet formula.
"""

import csv
import json
from datetime import datetime
from typing import Any, Dict, List, TextIO

from actions.leads.cli import neutralise
from actions.leads.store import PARIS
from insights.grouping import QuestionGroup

COLUMNS = ["count", "example", "phrasings", "outcomes", "first_seen", "last_seen"]


def rows(groups: List[QuestionGroup]) -> List[Dict[str, Any]]:
    """The groups as plain dicts; times in ISO 8601, Paris time."""
    return [
        {
            "count": group.count,
            "example": group.example,
            "phrasings": group.phrasings,
            "outcomes": dict(group.outcomes.most_common()),
            "first_seen": _iso(group.first),
            "last_seen": _iso(group.last),
        }
        for group in groups
    ]


def write_csv(groups: List[QuestionGroup], out: TextIO) -> None:
    """CSV with a header; ``outcomes`` as ``fallback=3;out_of_scope=1``."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows(groups):
        row["outcomes"] = ";".join(f"{name}={count}" for name, count in row["outcomes"].items())
        writer.writerow({key: neutralise(value) for key, value in row.items()})


def write_json(groups: List[QuestionGroup], out: TextIO) -> None:
    """A JSON list of the rows."""
    json.dump(rows(groups), out, ensure_ascii=False, indent=2)
    out.write("\n")


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, PARIS).isoformat(timespec="seconds")
