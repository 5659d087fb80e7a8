"""Rasa's stored events, streamed with one SQL query, read-only.

Loading each tracker through Rasa would rebuild every conversation's state, one
query per conversation; the report needs a few columns of a few event types. The
database itself pulls the visitor's text and channel and the bot's response name
out of the stored JSON (``json_extract`` on SQLite, ``->>`` on PostgreSQL), so
Python never parses the intent rankings a user event carries. Rows come in
conversation order (``sender_id``, then ``id``) through a server-side cursor.

The engines open the databases read-only: a SQLite file in ``mode=ro`` (a missing
file is an error, not a new empty database), PostgreSQL sessions with
``default_transaction_read_only``.
"""

import sqlite3
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any, Iterator, NamedTuple, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from actions.leads.store import PARIS

# The event types the figures read; the others (slots, featurization, rewinds) are skipped.
READ_TYPES = ("user", "bot", "action", "active_loop", "session_started")
BATCH_ROWS = 5000
CONNECT_TIMEOUT_SECONDS = 5

# Rasa's table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent), described, never created.
EVENTS = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255)),
    sa.Column("type_name", sa.String(255)),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)


class StoreError(Exception):
    """A store cannot be read: the message says why, in one line of French."""


class Event(NamedTuple):
    """The part of a stored event the figures need.

    ``action`` is the ``action_name`` column: an action's name, the active loop's
    name (``None`` when a loop ends) or a slot's name. ``text`` and ``channel``
    are set on user events, ``response`` (the ``utter_action`` metadata) on bot
    messages sent by name.
    """

    sender: str
    kind: str
    timestamp: float
    intent: Optional[str] = None
    action: Optional[str] = None
    text: Optional[str] = None
    channel: Optional[str] = None
    response: Optional[str] = None


@contextmanager
def reading(store: str, url: str) -> Iterator[None]:
    """Turn any failure to read ``store`` into a one-line ``StoreError`` naming it."""
    try:
        yield
    except (SQLAlchemyError, StoreError) as error:
        original = getattr(error, "orig", None) or error
        lines = str(original).strip().splitlines()
        reason = lines[0] if lines else type(error).__name__
        raise StoreError(f"{store} illisible ({_safe_url(url)}) : {reason}") from None


def _safe_url(url: str) -> str:
    """``url`` without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return "URL illisible"


def read_only_engine(url: str) -> Engine:
    """An engine that cannot write to the database at ``url``.

    Raises ``StoreError`` for a SQLite file that does not exist.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if not path or path == ":memory:":
            raise StoreError(f"{url} ne désigne pas un fichier SQLite")
        try:
            with open(path, "rb"):
                pass
        except OSError as error:
            raise StoreError(f"fichier {path} impossible à ouvrir ({error.strerror})") from None
        uri = f"file:{path}?mode=ro"
        return sa.create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(uri, uri=True),
            future=True,
            hide_parameters=True,
        )
    connect_args: dict = {}
    if parsed.get_backend_name() == "postgresql":
        connect_args = {
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "options": "-c default_transaction_read_only=on",
        }
    # The conversations are the visitors' words: a failed query must not log them.
    return sa.create_engine(parsed, future=True, connect_args=connect_args, hide_parameters=True)


def period_bounds(since: Optional[date], until: Optional[date]) -> Tuple[float, float]:
    """Epoch seconds from ``since``'s midnight to the end of ``until``, in Paris time."""
    start = datetime.combine(since, time(), PARIS).timestamp() if since else float("-inf")
    end = (
        datetime.combine(until + timedelta(days=1), time(), PARIS).timestamp()
        if until
        else float("inf")
    )
    return start, end


def _json_text(engine: Engine, *path: str) -> Any:
    """The SQL expression of the text at ``path`` in the event's JSON."""
    if engine.dialect.name == "sqlite":
        return sa.func.json_extract(EVENTS.c.data, "$." + ".".join(path))
    document = sa.cast(EVENTS.c.data, sa.JSON)
    return document[path if len(path) > 1 else path[0]].as_string()


def _only(kind: str, expression: Any) -> Any:
    """``expression`` on rows of type ``kind``, NULL elsewhere (no JSON parsed for them)."""
    return sa.case((EVENTS.c.type_name == kind, expression), else_=sa.null())


def stream_events(engine: Engine, since: Optional[date], until: Optional[date]) -> Iterator[Event]:
    """The events of the period, conversation by conversation, oldest first."""
    if not sa.inspect(engine).has_table("events"):
        raise StoreError("pas de table « events » : est-ce bien la base des conversations ?")
    start, end = period_bounds(since, until)
    columns = [
        EVENTS.c.sender_id,
        EVENTS.c.type_name,
        EVENTS.c.timestamp,
        EVENTS.c.intent_name,
        EVENTS.c.action_name,
        _only("user", _json_text(engine, "text")),
        _only("user", _json_text(engine, "input_channel")),
        _only("bot", _json_text(engine, "metadata", "utter_action")),
    ]
    query = sa.select(*columns).where(EVENTS.c.type_name.in_(READ_TYPES))
    if since:
        query = query.where(EVENTS.c.timestamp >= start)
    if until:
        query = query.where(EVENTS.c.timestamp < end)
    query = query.order_by(EVENTS.c.sender_id, EVENTS.c.id)
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True).execute(query)
        for row in result.yield_per(BATCH_ROWS):
            yield Event._make(row)
