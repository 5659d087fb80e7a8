"""Scoring replies against the blind test sets, written apart from the training data.

``tests/nlu/blind.yml`` holds single visitor messages, each with the kind of reply
it must get:

- ``answer``: the reply contains one of the ``expect`` strings (a fact of the sheet);
- ``not_in_sheet``: an on-topic question the sheet cannot answer; the reply says
  that the firm's sheet does not give it, and states no fact in its place;
- ``out_of_scope``: the reply carries no fact of the sheet at all.

Strings are compared after ``normalise`` (case, accents, punctuation and spacing
ignored), as the set's header says.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional

from tests.support.content import load_yaml, normalise

# Who the bot is and where to reach the firm: an out-of-scope reply may name them
# (the firm's name, its home page for contact) without answering with a fact.
IDENTITY = {"Fr Consultants", "https://fr-consultants.com/"}
# How the bot says that its sheet does not give something (data/responses/).
SHEET_IS_SILENT = (
    "ne donne pas",
    "ne precise pas",
    "ne dit pas",
    "ne le dit pas",
    "ne detaille pas",
)


@dataclass(frozen=True)
class BlindMessage:
    """One visitor message of the blind set and what its reply must carry."""

    text: str
    kind: str
    topic: str
    register: str
    expect: List[str] = field(default_factory=list)


# The first set, and two written later the same way (stops 17 and 23), kept apart:
# the first has guided several rounds of training data, each later one measures
# what those rounds did to questions nobody had looked at.
BLIND_SETS = {
    "blind": "tests/nlu/blind.yml",
    "fresh": "tests/nlu/blind_fresh.yml",
    "third": "tests/nlu/blind_third.yml",
}


def blind_messages(name: str = "blind") -> List[BlindMessage]:
    """Blind set ``name`` (``BLIND_SETS``), in its order."""
    return [
        BlindMessage(
            text=item["text"],
            kind=item["kind"],
            topic=item.get("topic", ""),
            register=item.get("register", ""),
            expect=list(item.get("expect") or []),
        )
        for item in load_yaml(BLIND_SETS[name])["messages"]
    ]


def fact(fact_id: str) -> str:
    """The words that mark fact ``fact_id`` of the fact table (tests/facts.yml) in a reply."""
    (wanted,) = [f["contains"] for f in load_yaml("tests/facts.yml")["facts"] if f["id"] == fact_id]
    return wanted


def sheet_facts() -> List[str]:
    """The strings that mark a fact of the sheet in a reply (tests/facts.yml)."""
    facts = (fact["contains"] for fact in load_yaml("tests/facts.yml")["facts"])
    return [fact for fact in facts if fact not in IDENTITY]


def contains(reply: str, wanted: str) -> bool:
    """``wanted`` appears in ``reply``, compared as whole normalised words."""
    return f" {normalise(wanted)} " in f" {normalise(reply)} "


def failure(message: BlindMessage, reply: str, facts: Iterable[str]) -> Optional[str]:
    """Why ``reply`` fails ``message``, or None when it passes."""
    if message.kind == "answer":
        if any(contains(reply, wanted) for wanted in message.expect):
            return None
        return f"expected one of {message.expect}"
    stated = [fact for fact in facts if contains(reply, fact)]
    if message.kind == "not_in_sheet":
        if not contains(reply, "fiche") or not any(
            contains(reply, phrase) for phrase in SHEET_IS_SILENT
        ):
            return "does not say that the sheet does not give it"
        return None
    if stated:
        return f"states sheet facts {stated}"
    return None


@dataclass
class Report:
    """How a bot did on the blind set: totals and failures by kind."""

    totals: Dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failures: Dict[str, List[str]] = field(default_factory=lambda: defaultdict(list))

    def passed(self, *kinds: str) -> int:
        return sum(self.totals[kind] - len(self.failures[kind]) for kind in kinds)

    def total(self, *kinds: str) -> int:
        return sum(self.totals[kind] for kind in kinds)

    def share(self, *kinds: str) -> float:
        return self.passed(*kinds) / max(self.total(*kinds), 1)

    def summary(self) -> str:
        """One line per kind, then the on-topic messages together: passed/total and share."""
        lines = [
            f"{kind}: {self.passed(kind)}/{self.total(kind)} ({100 * self.share(kind):.1f} %)"
            for kind in sorted(self.totals)
        ]
        on_topic = ("answer", "not_in_sheet")
        lines.append(
            f"on topic: {self.passed(*on_topic)}/{self.total(*on_topic)} "
            f"({100 * self.share(*on_topic):.1f} %)"
        )
        return "\n".join(lines)


def evaluate(reply_to: Callable[[str], str], name: str = "blind") -> Report:
    """Send every message of blind set ``name`` as a new visitor and score the replies."""
    facts = sheet_facts()
    report = Report()
    for message in blind_messages(name):
        report.totals[message.kind] += 1
        reply = reply_to(message.text)
        why = failure(message, reply, facts)
        if why:
            report.failures[message.kind].append(
                f"[{message.kind}/{message.topic}] {message.text!r}: {why}\n    → {reply[:200]!r}"
            )
    return report
