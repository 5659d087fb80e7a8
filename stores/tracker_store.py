"""Rasa's SQL tracker store, configured by one URL, and able to erase a conversation.

Rasa's ``SQLTrackerStore`` takes dialect, host, port… as separate settings and
has no way to delete a conversation. ``EnvTrackerStore`` reads
``TRACKER_STORE_URL`` (default: a SQLite file in the project's ``var/``), checks
pooled connections before use so a database restart needs no server restart,
and erases a conversation's events when the visitor asked for it.

Erasure happens here, when Rasa saves the tracker after
``action_delete_my_data``: the action server cannot delete the events itself,
because the Rasa server would write the whole in-memory tracker back at the end
of the same turn.
"""

import logging
import os
from pathlib import Path
from typing import Any, Optional

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

logger = logging.getLogger(__name__)

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{PROJECT / 'var' / 'conversations.db'}"
ERASE_ACTION = "action_delete_my_data"


def tracker_store_url() -> str:
    """``TRACKER_STORE_URL``, or the project's SQLite file (its folder created)."""
    url = os.environ.get("TRACKER_STORE_URL") or DEFAULT_URL
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return url


def asked_for_erasure(tracker: DialogueStateTracker) -> bool:
    """True when the last action of the turn erased the visitor's data."""
    for event in reversed(tracker.events):
        if isinstance(event, ActionExecuted) and event.action_name != "action_listen":
            return event.action_name == ERASE_ACTION
    return False


class EnvTrackerStore(SQLTrackerStore):
    """The SQL tracker store at ``TRACKER_STORE_URL``."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        event_broker: Optional[EventBroker] = None,
        **kwargs: Any,
    ) -> None:
        kwargs.pop("host", None)  # endpoints.yml gives no URL: the environment does.
        url = make_url(tracker_store_url())
        super().__init__(
            domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database,
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=dict(url.query),
            **kwargs,
        )
        # Same database, but connections are tested before use (database restarts).
        first = self.engine
        self.engine = sa.create_engine(first.url, pool_pre_ping=True, **create_engine_kwargs(first.url))
        first.dispose()
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the new events, or erase the conversation if the visitor asked."""
        if asked_for_erasure(tracker):
            await self.erase(tracker.sender_id)
            return
        await super().save(tracker)

    async def erase(self, sender_id: str) -> int:
        """Delete every event of a conversation; returns how many were deleted."""
        with self.session_scope() as session:
            deleted = (
                session.query(self.SQLEvent)
                .filter(self.SQLEvent.sender_id == sender_id)
                .delete(synchronize_session=False)
            )
            session.commit()
        logger.info("Erased %d events of a conversation at the visitor's request", deleted)
        return deleted
