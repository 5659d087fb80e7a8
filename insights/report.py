"""The report's content for a period: figures from the events, counts from the lead store.

The stores are read where ``TRACKER_STORE_URL`` and ``LEADS_DATABASE_URL`` point,
as the servers do (``stores/tracker_store.py``, ``actions/leads/store.py``), and
only read: see ``insights.events.read_only_engine``.
"""

import os
from dataclasses import dataclass
from datetime import date
from typing import List, Optional

from sqlalchemy.engine import Engine

from actions.leads.store import PROJECT_ROOT
from insights.events import StoreError, read_only_engine, reading, stream_events
from insights.figures import Figures, compute
from insights.grouping import QuestionGroup, group
from insights.leads import LeadCounts, count_leads

DEFAULT_TRACKER_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'conversations.db'}"
DEFAULT_LEADS_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'leads.db'}"


@dataclass
class Report:
    """Everything the page and the exports show."""

    since: Optional[date]
    until: Optional[date]
    figures: Figures
    questions: List[QuestionGroup]
    leads: LeadCounts

    @property
    def empty(self) -> bool:
        return self.figures.conversations == 0


def tracker_url() -> str:
    """``TRACKER_STORE_URL``, or the project's SQLite file, as the tracker store reads it."""
    return os.environ.get("TRACKER_STORE_URL") or DEFAULT_TRACKER_URL


def leads_url() -> str:
    """``LEADS_DATABASE_URL``, or the project's SQLite file, as the lead store reads it."""
    return os.environ.get("LEADS_DATABASE_URL", "").strip() or DEFAULT_LEADS_URL


def figures_of(since: Optional[date], until: Optional[date]) -> Figures:
    """The figures of the conversations store for the period."""
    url = tracker_url()
    with reading("base des conversations", url):
        engine = read_only_engine(url)
        try:
            return compute(stream_events(engine, since, until))
        finally:
            engine.dispose()


def leads_of(since: Optional[date], until: Optional[date]) -> LeadCounts:
    """The lead store's counts for the period."""
    url = leads_url()
    with reading("base des leads", url):
        engine = _leads_engine(url)
        try:
            return count_leads(engine, since, until)
        finally:
            if engine is not None:
                engine.dispose()


def build(since: Optional[date], until: Optional[date]) -> Report:
    """Read both stores and compute the report of the period."""
    figures = figures_of(since, until)
    return Report(since, until, figures, group(figures.questions), leads_of(since, until))


def _leads_engine(url: str) -> Optional[Engine]:
    """The lead store's engine; ``None`` when its SQLite file does not exist yet.

    The action server creates that file with the first lead: a site without one
    has no lead store, which the report says rather than fails.
    """
    try:
        return read_only_engine(url)
    except StoreError:
        return None
