"""No visitor data in any log: failing actions, PostgreSQL's failing rows, store errors.

rasa_sdk answers an action's exception with the whole tracker, which Rasa logs;
PostgreSQL's « DETAIL: Failing row contains (…) » quotes a row whatever SQLAlchemy's
``hide_parameters`` hides. Each test makes the real failure and reads the log.
"""

import asyncio
import logging
import traceback
from dataclasses import replace
from pathlib import Path
from typing import Any, Dict, Iterator, List, Text

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher
from rasa_sdk.interfaces import ActionExecutionRejection

from actions import lead_handoff
from actions.lead_handoff import ActionSubmitLead
from actions.leads.store import LeadStore
from actions.leads.validation import error_line
from actions.safety import guarded
from stores.conversations import StoreError
from stores.tracker_store import EnvTrackerStore
from tests.support.actions import run_action
from tests.support.databases import temporary_database
from tests.support.forms import FILLED, tracker
from tests.support.leads import lead_input
from tests.support.required import require_postgresql

EMAIL = "jeanne.dupont@exemple.fr"


# Not subclasses of Action: rasa_sdk would serve every subclass alive in the process.
@guarded
class Failing:
    """An action whose error quotes what the visitor typed."""

    def name(self) -> Text:
        return "action_failing"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        raise TypeError(f"unhashable: {tracker.latest_message['text']}")


@guarded
class Rejecting:
    def name(self) -> Text:
        return "action_rejecting"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        raise ActionExecutionRejection(self.name())


def test_a_failing_action_answers_in_french_and_logs_no_visitor_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    events, (message,) = run_action(Failing(), tracker(f"mon mail {EMAIL}"))
    assert (events, message["response"]) == ([], "utter_technical_problem")
    (record,) = [r for r in caplog.records if r.name == "actions.safety"]
    assert record.getMessage().startswith("Action action_failing failed: TypeError at ")
    assert "test_safety.py:" in record.getMessage()  # where, to find the bug
    assert EMAIL not in caplog.text


def test_a_forms_rejection_still_reaches_rasa() -> None:
    with pytest.raises(ActionExecutionRejection):
        run_action(Rejecting(), tracker())


def test_every_action_the_server_registers_is_guarded() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    unguarded = [
        name
        for name, run in executor.actions.items()
        if not getattr(run, "guarded", False) and name != "action_ask_"
    ]
    assert unguarded == []


@pytest.fixture
def postgresql_leads(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The actions' lead store on the machine's PostgreSQL."""
    require_postgresql()
    with temporary_database("ptce_safety_leads") as url:
        monkeypatch.setenv("LEADS_DATABASE_URL", url)
        for name in ("LEADS_SMTP_HOST", "LEADS_WEBHOOK_URL"):
            monkeypatch.delenv(name, raising=False)
        lead_handoff.lead_store.cache_clear()
        yield url
        lead_handoff.lead_store().dispose()
        lead_handoff.lead_store.cache_clear()


def test_a_failing_row_of_postgresql_reaches_no_log(
    postgresql_leads: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A NOT NULL violation: PostgreSQL quotes the row, address and message included."""
    caplog.set_level(logging.INFO)
    real = lead_handoff.lead_from
    monkeypatch.setattr(lead_handoff, "lead_from", lambda on: replace(real(on), name=None))
    events, (message,) = run_action(ActionSubmitLead(), tracker(slots=FILLED))
    assert message["response"] == "utter_lead_not_stored"
    assert "Lead could not be stored: IntegrityError at " in caplog.text
    assert FILLED["lead_email"] not in caplog.text and "Tiers-lieu" not in caplog.text

    store = LeadStore(postgresql_leads)
    with pytest.raises(sa.exc.IntegrityError) as failed:
        store.create(lead_input(name=None), [])
    store.dispose()
    assert EMAIL in str(failed.value)  # what would have been logged
    assert error_line(failed.value).startswith('null value in column "name"')
    assert EMAIL not in error_line(failed.value)


def test_a_tracker_store_error_carries_no_failing_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rasa logs what its store raises, with the chained errors: none quotes the row."""
    require_postgresql()
    with temporary_database("ptce_safety_tracker") as url:
        monkeypatch.setenv("TRACKER_STORE_URL", url)
        store = EnvTrackerStore(Domain.empty())
        with store.engine.begin() as connection:
            connection.exec_driver_sql(
                "ALTER TABLE events ADD CONSTRAINT no_address CHECK (data NOT LIKE '%%@%%')"
            )
        turn = DialogueStateTracker.from_events(
            "visiteur-1", [ActionExecuted("action_listen"), UserUttered(f"mon mail {EMAIL}")]
        )
        with pytest.raises(StoreError) as failed:
            asyncio.run(store.save(turn))
        store.engine.dispose()
    logged = "".join(traceback.format_exception(failed.value))
    assert "CheckViolation" in logged and "no_address" in logged
    assert EMAIL not in logged
