"""The machine's PostgreSQL and Redis, and databases made for one test run.

Stores run on real servers, never on mocks: each run gets a database of its own
on the machine's PostgreSQL, dropped afterwards, so runs never see each other's rows.
"""

import json
import os
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

# The machine's servers (a PostgreSQL server URL without a database).
POSTGRES = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


def _admin(server: str) -> Engine:
    """An engine on the server's ``postgres`` database, in autocommit (CREATE and DROP
    DATABASE cannot run in a transaction), made for one operation: a test may restart
    PostgreSQL while its database exists."""
    return create_engine(
        f"{server}/postgres",
        isolation_level="AUTOCOMMIT",
        future=True,
        connect_args={"connect_timeout": 3},
    )


def _drop(admin: Engine, name: str) -> None:
    """Drop the database ``name`` if it exists, closing the connections still open on it."""
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def recreate_database(name: str, server: str = POSTGRES) -> str:
    """An empty database ``name`` on ``server`` (dropped first if it exists); its URL."""
    admin = _admin(server)
    try:
        _drop(admin, name)
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return f"{server}/{name}"


@contextmanager
def temporary_database(prefix: str, server: str = POSTGRES) -> Iterator[str]:
    """The URL of a new database for this process, dropped (connections and all) afterwards."""
    name = f"{prefix}_{os.getpid()}"
    url = recreate_database(name, server)
    try:
        yield url
    finally:
        admin = _admin(server)
        try:
            _drop(admin, name)
        finally:
            admin.dispose()


def conversation_events(tracker_store_url: str, sender: str) -> List[Dict[str, Any]]:
    """The events Rasa stored for the conversation ``sender`` (its ``events`` table)."""
    engine = create_engine(tracker_store_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT data FROM events WHERE sender_id = :sender ORDER BY id"),
                {"sender": sender},
            )
            return [json.loads(data) for (data,) in rows]
    finally:
        engine.dispose()
