"""Flood limits on leads (actions/leads/limits.py), through the submitting action itself,
in memory and on the machine's Redis (the counters shared by replicas)."""

import uuid
from typing import List

import pytest
from rasa_sdk import Tracker

from actions.lead_handoff import ActionSubmitLead, contact_url
from actions.leads.store import LeadStore
from stores.counters import VISITOR_METADATA_KEY
from tests.support.actions import run_action as run
from tests.support.databases import REDIS
from tests.support.forms import FILLED, tracker
from tests.support.required import require_redis

BACKENDS = ["memory", "redis"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "redis":
        require_redis()
        monkeypatch.setenv("LOCK_STORE_URL", REDIS)
        # Redis keeps other runs' leads for an hour: the overall limit is tested in memory.
        monkeypatch.setenv("LEADS_MAX_PER_HOUR", "1000000")
    else:
        monkeypatch.delenv("LOCK_STORE_URL", raising=False)
    return request.param


def submission(visitor: str) -> Tracker:
    """A completed form in a new conversation, its last message from ``visitor``."""
    events = [{"event": "user", "text": "/affirm", "metadata": {VISITOR_METADATA_KEY: visitor}}]
    return tracker(slots=FILLED, events=events, sender=uuid.uuid4().hex)


def submit_as(visitor: str) -> List[str]:
    """The responses the visitor gets for one submission."""
    _, messages = run(ActionSubmitLead(), submission(visitor))
    return [message["response"] for message in messages]


def test_a_visitor_stores_three_leads_an_hour_whatever_the_conversations(
    backend: str,
    store: LeadStore,
) -> None:
    visitor, other = uuid.uuid4().hex, uuid.uuid4().hex
    replies = [submit_as(visitor) for _ in range(5)]
    assert replies == [["utter_lead_submitted"]] * 3 + [["utter_leads_busy"]] * 2
    assert len(store.export()) == 3
    assert submit_as(other) == ["utter_lead_submitted"]  # another visitor is not held back
    assert len(store.export()) == 4


def test_the_refusal_gives_the_contact_page_and_forgets_the_answers(
    store: LeadStore,
) -> None:
    visitor = uuid.uuid4().hex
    for _ in range(3):
        submit_as(visitor)
    events, (message,) = run(ActionSubmitLead(), submission(visitor))
    assert message["response"] == "utter_leads_busy" and contact_url() in message["text"]
    assert all(event["value"] is None for event in events if event["event"] == "slot")


def test_the_whole_site_stores_at_most_leads_max_per_hour(
    store: LeadStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEADS_MAX_PER_HOUR", "4")
    replies = [submit_as(uuid.uuid4().hex) for _ in range(6)]
    assert replies == [["utter_lead_submitted"]] * 4 + [["utter_leads_busy"]] * 2
    assert len(store.export()) == 4


def test_the_per_address_limit_is_set_by_its_variable(
    store: LeadStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEADS_MAX_PER_ADDRESS_PER_HOUR", "1")
    visitor = uuid.uuid4().hex
    assert [submit_as(visitor) for _ in range(2)] == [
        ["utter_lead_submitted"],
        ["utter_leads_busy"],
    ]


def test_a_message_without_visitor_counts_only_against_the_overall_limit(
    store: LeadStore,
) -> None:
    for _ in range(4):
        _, (message,) = run(ActionSubmitLead(), tracker(slots=FILLED, sender=uuid.uuid4().hex))
        assert message["response"] == "utter_lead_submitted"
