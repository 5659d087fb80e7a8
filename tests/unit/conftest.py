"""Fixtures of the unit tests: the lead store the actions use, real (SQLite) or
unreachable, and the lead limits' counters, fresh for each test."""

from pathlib import Path
from typing import Iterator

import pytest

from actions import lead_handoff
from actions.leads import limits
from actions.leads.store import LeadStore


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LeadStore]:
    """A real SQLite store used by the actions; no destination configured."""
    for name in ("LEADS_SMTP_HOST", "LEADS_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LEADS_DATABASE_URL", f"sqlite:///{tmp_path / 'leads.db'}")
    lead_handoff.lead_store.cache_clear()
    yield lead_handoff.lead_store()
    lead_handoff.lead_store().dispose()
    lead_handoff.lead_store.cache_clear()


@pytest.fixture
def no_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The actions' store points at a port where nothing listens."""
    monkeypatch.setenv(
        "LEADS_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/nothing_listens_here"
    )
    lead_handoff.lead_store.cache_clear()
    yield
    lead_handoff.lead_store.cache_clear()


@pytest.fixture(autouse=True)
def fresh_lead_limits() -> Iterator[None]:
    """Each test counts leads from zero, on the counters its own environment names
    (the action server keeps one set per process)."""
    limits.counters.cache_clear()
    yield
    limits.counters.cache_clear()
