"""Fixtures of every unit test."""

from typing import Iterator

import pytest

from actions.leads import limits


@pytest.fixture(autouse=True)
def fresh_lead_limits() -> Iterator[None]:
    """Each test counts leads from zero, on the counters its own environment names
    (the action server keeps one set per process)."""
    limits.counters.cache_clear()
    yield
    limits.counters.cache_clear()
