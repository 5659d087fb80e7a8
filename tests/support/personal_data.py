"""The test visitors' e-mail addresses and phone numbers, to look for in server logs.

Every address and French phone number written in the end-to-end tests, their
support and the blind conversations is a test visitor's. A phone number is
searched in any format (« 06 12 34 56 78 », « 0612345678 », « +33 6 12… »).
"""

import re
from pathlib import Path
from typing import Iterator, List, Pattern

from tests.support.content import ROOT

SOURCES = ("tests/e2e/*.py", "tests/support/*.py", "tests/dialogues/*.yml")
# Addresses of the firm's side and of the services, not of visitors.
NOT_VISITORS = re.compile(r"@(fr-consultants\.(test|com)|127\.0\.0\.1)$")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?:\+33|0033|0)\s?([1-9](?:[\s.\-]?\d\d){4})")


def visitor_patterns() -> List[Pattern[str]]:
    """One pattern per e-mail address and per phone number (any spacing or prefix)."""
    text = "\n".join(path.read_text(encoding="utf-8") for path in _sources())
    emails = {match.lower() for match in EMAIL.findall(text) if not NOT_VISITORS.search(match)}
    phones = {re.sub(r"\D", "", match) for match in PHONE.findall(text)}
    patterns = [re.compile(re.escape(email), re.IGNORECASE) for email in sorted(emails)]
    for digits in sorted(phones):
        national = r"[\s.\-]?".join(digits)
        patterns.append(re.compile(rf"(?:\+33|0033|\b0)\s?[\s.\-]?{national}\b"))
    return patterns


def found_in(logs: Path) -> List[str]:
    """The patterns of ``visitor_patterns`` found in the ``*.log`` files under ``logs``."""
    patterns = visitor_patterns()
    found = []
    for log in sorted(logs.rglob("*.log")):
        text = log.read_text(encoding="utf-8", errors="replace")
        found += [f"{log.name}: {p.pattern}" for p in patterns if p.search(text)]
    return found


def _sources() -> Iterator[Path]:
    for pattern in SOURCES:
        yield from sorted(ROOT.glob(pattern))
