"""Rasa's ``events`` table without Rasa: where it is, and erasing from it.

The tracker store (in the Rasa server) and the firm's command (``python -m
actions.leads``, which runs without Rasa) both erase conversations: those in
which an e-mail address was typed, and those silent for longer than the
retention period. Plain SQLAlchemy Core on Rasa's table, on SQLite and
PostgreSQL alike.

Erased must mean gone from the files too. SQLite keeps deleted rows in free
pages, and in WAL mode the old pages also sit in the ``-wal`` file until a
checkpoint: connections therefore run with ``secure_delete`` (freed content is
zeroed) and every erasure ends with a ``wal_checkpoint(TRUNCATE)``. PostgreSQL
keeps dead rows until VACUUM, and its backups keep them longer (README).
"""

import json
import logging
import os
import re
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Collection, Iterable, Iterator, Set

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url

logger = logging.getLogger(__name__)

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{PROJECT / 'var' / 'conversations.db'}"
# How long a conversation is kept after its last message (README, "Erasure and retention").
DEFAULT_RETENTION_DAYS = 180
# Rasa's table, only the columns the erasure reads.
events = sa.table(
    "events",
    sa.column("sender_id", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("data", sa.Text),
)


class StoreError(RuntimeError):
    """A database error told by the first line of the driver's message only."""


@contextmanager
def quiet_errors() -> Iterator[None]:
    """Re-raise a database error as a ``StoreError`` without the original attached.

    PostgreSQL's second line (« DETAIL: Failing row contains (…) ») quotes the
    failing row, a visitor's words included, which ``hide_parameters`` does not
    hide; Rasa logs the traceback of what its tracker store raises, chained
    exceptions included, so the original must not travel with it.
    """
    try:
        yield
    except sa.exc.DBAPIError as error:
        lines = str(error.orig).strip().splitlines()
        raise StoreError(f"{type(error.orig).__name__}: {lines[0] if lines else ''}") from None


def tracker_store_url() -> str:
    """``TRACKER_STORE_URL``, or the project's SQLite file (its folder created)."""
    url = os.environ.get("TRACKER_STORE_URL") or DEFAULT_URL
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return url


def retention_days() -> int:
    """``CONVERSATIONS_RETENTION_DAYS``, a whole number of days, 180 by default."""
    text = os.environ.get("CONVERSATIONS_RETENTION_DAYS", "").strip()
    if not text:
        return DEFAULT_RETENTION_DAYS
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"CONVERSATIONS_RETENTION_DAYS must be a number of days, not {text!r}")
    return int(text)


def secure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Zero what SQLite frees: a deleted message must not stay in a free page."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _texts(value: Any) -> Iterator[str]:
    """Every string inside a decoded event (its text, slot values, entities…)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def conversations_mentioning(connection: Connection, addresses: Iterable[str]) -> Set[str]:
    """The conversations in which one of ``addresses`` was typed, whatever its case.

    The database narrows down with a substring of the stored JSON (Rasa writes it
    ASCII-escaped); the address must then stand alone in one of the event's
    strings, so erasing ``anne@exemple.fr`` leaves ``marie.anne@exemple.fr`` alone.
    """
    found: Set[str] = set()
    for address in {address.strip().lower() for address in addresses if address.strip()}:
        alone = re.compile(rf"(?<![\w.+-]){re.escape(address)}(?![\w-]|\.\w)", re.IGNORECASE)
        needle = json.dumps(address)[1:-1]
        rows = connection.execute(
            sa.select(events.c.sender_id, events.c.data).where(
                sa.func.lower(events.c.data).contains(needle, autoescape=True)
            )
        )
        found.update(
            sender
            for sender, data in rows
            if sender not in found and any(alone.search(t) for t in _texts(json.loads(data)))
        )
    return found


def erase(connection: Connection, sender_ids: Collection[str]) -> int:
    """Delete every event of these conversations; how many events went."""
    return sum(
        connection.execute(sa.delete(events).where(events.c.sender_id == sender)).rowcount
        for sender in sender_ids
    )


def purge(connection: Connection, older_than_days: int) -> int:
    """Delete the conversations whose last event is older than ``older_than_days``.

    Rasa's ``timestamp`` column (Unix time of each event) decides, never the JSON.
    An event added meanwhile is newer than the cut-off and stays.
    """
    cutoff = time.time() - older_than_days * 86400
    stale = (
        sa.select(events.c.sender_id)
        .group_by(events.c.sender_id)
        .having(sa.func.max(events.c.timestamp) < cutoff)
    )
    count = len(connection.execute(stale).all())
    connection.execute(
        sa.delete(events).where(events.c.timestamp < cutoff, events.c.sender_id.in_(stale))
    )
    return count


def flush_erased(engine: Engine) -> None:
    """After an erasure, on SQLite: copy the zeroed pages into the file, empty the WAL."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    if busy:
        logger.warning("WAL checkpoint incomplete: a reader was busy, erased pages stay in -wal")
