"""Rasa's SQL tracker store, configured by one URL, and able to erase a conversation.

Rasa's ``SQLTrackerStore`` takes dialect, host, port… as separate settings and
has no way to delete a conversation. ``EnvTrackerStore`` reads
``TRACKER_STORE_URL`` (default: a SQLite file in the project's ``var/``), checks
pooled connections before use so a database restart needs no server restart,
and erases a conversation's events when the visitor asked for it.

It also cuts three costs of Rasa's store that the turn profile showed
(BENCHMARKS.md, "What was cut"):

- Rasa rebuilds each stored event by walking every subclass of ``Event`` to
  find its class (``Event.resolve_by_type``), for every event of every turn:
  about 1.3 ms per turn for a 60-event conversation. Here each class is looked
  up once per process; events are rebuilt by Rasa's own ``_from_parameters``.
- Before saving, Rasa counts the conversation's stored events again (a
  second query each turn, an eighth of a turn on PostgreSQL). The tracker
  read at the start of the turn already knew that number: it is reused when
  the very same tracker object is saved, else Rasa counts as before.
- On SQLite, every commit waited for the disk (rollback journal, full sync)
  and every query opened a new connection (SQLAlchemy 1.4's default pool for
  files). Here connections are pooled, and the file is in WAL mode with
  ``synchronous=NORMAL``: a commit survives a crash of the server, and a power
  cut can lose at most the last turns, never corrupt the file. Leads do not
  depend on it: they have their own store (actions/leads/).

Erasure happens here, when Rasa saves a tracker whose ``erased_addresses`` slot
an erasure action has set (``actions/erasure.py``): the action server cannot
delete the events itself, because the Rasa server would write the whole
in-memory tracker back at the end of the same turn. The conversation goes, and
with it every other conversation in which one of those addresses was typed
(``stores/conversations.py``, which also keeps the erased bytes out of SQLite's
files).
"""

import itertools
import json
import logging
import weakref
from functools import lru_cache, partial
from typing import Any, Collection, Dict, Iterator, List, Optional, Tuple, Type

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import URL, make_url

from stores.conversations import (
    conversations_mentioning,
    erase,
    flush_erased,
    quiet_errors,
    secure_sqlite,
    tracker_store_url,
)

logger = logging.getLogger(__name__)

# Set by the erasure actions (actions/erasure.py, same name) to the addresses whose
# conversations go with this one; never stored, since the conversation is erased.
ERASURE_SLOT = "erased_addresses"


@lru_cache(maxsize=None)
def event_class(type_name: str) -> Optional[Type[Event]]:
    """Rasa's ``Event.resolve_by_type``, done once per event type and process."""
    return Event.resolve_by_type(type_name)


def deserialise_events(serialised: List[Dict[str, Any]]) -> List[Event]:
    """Rasa's ``deserialise_events`` with the class lookup above.

    Like Rasa's, it skips what has no type or no class (the retired ``topic``
    events), and raises ``ValueError`` on an unknown type.
    """
    events = []
    for parameters in serialised:
        name = parameters.get("event")
        cls = event_class(name) if name else None
        event = cls._from_parameters(parameters) if cls else None
        if event is not None:
            events.append(event)
    return events


def engine_kwargs(url: URL) -> Dict[str, Any]:
    """Rasa's engine settings; PostgreSQL connections checked before use, SQLite's pooled.

    Parameters are hidden from errors: a failed statement's message is logged, and its
    parameters would be the visitor's own words (the events' JSON).
    """
    if url.get_backend_name() == "sqlite":
        # One pool of connections to the file, used from Rasa's single event loop thread.
        return {
            "poolclass": sa.pool.QueuePool,
            "connect_args": {"check_same_thread": False},
            "hide_parameters": True,
        }
    return {"pool_pre_ping": True, **create_engine_kwargs(url), "hide_parameters": True}


def tune_sqlite(connection: Any, _record: Any) -> None:
    """WAL journal and normal sync: commits do not wait for the disk (see the module doc)."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


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
        # Same database; pooled connections are tested before use (database restarts).
        first = self.engine
        self.engine = sa.create_engine(first.url, **engine_kwargs(first.url))
        if first.url.get_backend_name() == "sqlite":
            sa.event.listen(self.engine, "connect", tune_sqlite)
            sa.event.listen(self.engine, "connect", secure_sqlite)
        first.dispose()
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        # Conversation → (the tracker last read for it, how many stored events it was built from).
        self._read: Dict[str, Tuple[weakref.ref, int]] = {}

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        """Rasa's query; only the stored JSON is read, and events are rebuilt faster."""
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions)
            rows = query.with_entities(self.SQLEvent.data).all()
        self._read.pop(sender_id, None)
        if not self.domain or not rows:
            return None
        events = deserialise_events([json.loads(data) for (data,) in rows])
        tracker = DialogueStateTracker.from_events(sender_id, events, self.domain.slots)
        if not fetch_events_from_all_sessions:
            self._read[sender_id] = (
                weakref.ref(tracker, partial(self._forget, sender_id)),
                len(rows),
            )
        return tracker

    def _forget(self, sender_id: str, dead: weakref.ref) -> None:
        """Drop the entry of a tracker that was read but never saved (an error, an API read)."""
        if self._read.get(sender_id, (None, 0))[0] is dead:
            del self._read[sender_id]

    def _additional_events(
        self, session: sa.orm.Session, tracker: DialogueStateTracker
    ) -> Iterator:
        """The events not stored yet: those after the ones this tracker was read from.

        Rasa's count query (``super()``) is kept for any other tracker: a new
        one, or one read by another request since.
        """
        ref, stored = self._read.pop(tracker.sender_id, (None, 0))
        if ref is None or ref() is not tracker:
            return super()._additional_events(session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the new events, or erase the conversation if the visitor asked."""
        addresses = tracker.get_slot(ERASURE_SLOT)
        with quiet_errors():
            if addresses is not None:
                await self.erase(tracker.sender_id, addresses)
            else:
                await super().save(tracker)

    async def erase(self, sender_id: str, addresses: Collection[str] = ()) -> int:
        """Delete this conversation and those in which ``addresses`` were typed.

        Returns how many conversations went. The log says how many, never which.
        """
        with self.engine.begin() as connection:
            senders = {sender_id} | conversations_mentioning(connection, addresses)
            deleted = erase(connection, senders)
        flush_erased(self.engine)
        logger.info(
            "Erased %d conversation(s), %d events, at the visitor's request", len(senders), deleted
        )
        return len(senders)
