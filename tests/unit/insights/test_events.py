"""The SQL that streams Rasa's stored events, on SQLite and PostgreSQL, read-only."""

import asyncio
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from insights.events import Event, StoreError, read_only_engine, stream_events
from stores.tracker_store import EnvTrackerStore
from tests.support.conversations import conversations_database

# 2026-03-10 23:30 in Paris is already 2026-03-10 22:30 UTC.
LATE = datetime(2026, 3, 10, 22, 30, tzinfo=timezone.utc).timestamp()


@pytest.fixture(params=["sqlite", "postgresql"])
def tracker_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A conversations store where Rasa's own store saved two conversations."""
    with conversations_database(request.param, tmp_path, "ptce_insights_test") as url:
        save_conversations(url, monkeypatch)
        yield url


def save_conversations(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_STORE_URL", url)
    store = EnvTrackerStore(Domain.empty())
    first = [
        ActionExecuted("action_session_start", timestamp=LATE),
        SessionStarted(timestamp=LATE),
        ActionExecuted("action_listen", timestamp=LATE),
        UserUttered(
            "c'est quoi un ptce", {"name": "faq"}, input_channel="socketio", timestamp=LATE + 1
        ),
        ActionExecuted("utter_faq", timestamp=LATE + 2),
        BotUttered(
            "Un PTCE…", metadata={"utter_action": "utter_faq/ptce_definition"}, timestamp=LATE + 3
        ),
        ActiveLoop("lead_form", timestamp=LATE + 4),
        SlotSet("requested_slot", "lead_name", timestamp=LATE + 5),
        ActiveLoop(None, timestamp=LATE + 6),
    ]
    # The next day in Paris (00:30).
    second = [
        UserUttered("bonjour", {"name": "greet"}, input_channel="rest", timestamp=LATE + 3600)
    ]
    for sender, events in (("b-visiteur", first), ("a-visiteur", second)):
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    store.engine.dispose()


def read(url: str, since: date = None, until: date = None) -> list:
    engine = read_only_engine(url)
    try:
        return list(stream_events(engine, since, until))
    finally:
        engine.dispose()


def test_the_fields_the_figures_need_come_out_of_the_stored_json(tracker_url: str) -> None:
    assert read(tracker_url) == [
        Event("a-visiteur", "user", LATE + 3600, "greet", None, "bonjour", "rest", None),
        Event("b-visiteur", "action", LATE, None, "action_session_start"),
        Event("b-visiteur", "session_started", LATE),
        Event("b-visiteur", "action", LATE, None, "action_listen"),
        Event("b-visiteur", "user", LATE + 1, "faq", None, "c'est quoi un ptce", "socketio"),
        Event("b-visiteur", "action", LATE + 2, None, "utter_faq"),
        Event("b-visiteur", "bot", LATE + 3, response="utter_faq/ptce_definition"),
        Event("b-visiteur", "active_loop", LATE + 4, None, "lead_form"),
        Event("b-visiteur", "active_loop", LATE + 6),
    ]


def test_the_period_is_made_of_whole_days_in_paris_time(tracker_url: str) -> None:
    march_10 = read(tracker_url, until=date(2026, 3, 10))
    assert {event.sender for event in march_10} == {"b-visiteur"}
    march_11 = read(tracker_url, since=date(2026, 3, 11), until=date(2026, 3, 11))
    assert [event.text for event in march_11] == ["bonjour"]
    assert read(tracker_url, since=date(2026, 3, 12)) == []


def test_the_report_cannot_write_to_the_store(tracker_url: str) -> None:
    engine = read_only_engine(tracker_url)
    try:
        with pytest.raises(sa.exc.DBAPIError):
            with engine.begin() as connection:
                connection.execute(sa.text("DELETE FROM events"))
    finally:
        engine.dispose()
    assert len(read(tracker_url)) == 9


def test_a_missing_sqlite_file_is_an_error_not_a_new_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="absent.db"):
        read_only_engine(f"sqlite:///{tmp_path / 'absent.db'}")
    assert not (tmp_path / "absent.db").exists()


def test_a_database_without_rasa_events_is_named(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'other.db'}"
    sa.create_engine(url).connect().close()
    with pytest.raises(StoreError, match="events"):
        read(url)
