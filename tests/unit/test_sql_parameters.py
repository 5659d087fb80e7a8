"""No SQLAlchemy engine of the project prints a statement's parameters in its errors.

A failed statement's message ends up in the logs; with its parameters it would carry
what a visitor typed (their e-mail, their question). Every engine the project builds
is checked here: the tracker store's, the lead store's and the insights' read-only one.
"""

import sqlite3
from pathlib import Path
from typing import Callable

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from sqlalchemy.engine import Engine, make_url

from actions.leads.store import LeadStore
from insights.events import read_only_engine
from stores.tracker_store import EnvTrackerStore, engine_kwargs

VISITOR_TEXT = "jeanne.dupont@exemple.fr veut un devis"


def _tracker_store_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'conversations.db'}")
    return EnvTrackerStore(Domain.empty()).engine


def _lead_store_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    return LeadStore(f"sqlite:///{tmp_path / 'leads.db'}").engine


def _insights_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    path = tmp_path / "conversations.db"
    sqlite3.connect(path).close()
    return read_only_engine(f"sqlite:///{path}")


@pytest.mark.parametrize(
    "build", [_tracker_store_engine, _lead_store_engine, _insights_engine], ids=lambda f: f.__name__
)
def test_a_failed_statement_does_not_tell_the_visitors_text(
    build: Callable[[Path, pytest.MonkeyPatch], Engine],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = build(tmp_path, monkeypatch)
    try:
        with pytest.raises(sa.exc.DBAPIError) as failure:
            with engine.connect() as connection:
                connection.execute(
                    sa.text("INSERT INTO no_such_table (text) VALUES (:text)"),
                    {"text": VISITOR_TEXT},
                )
        assert "no_such_table" in str(failure.value)  # the statement is still told
        assert VISITOR_TEXT not in str(failure.value)
        assert engine.hide_parameters
    finally:
        engine.dispose()


def test_the_postgresql_engines_hide_parameters_too() -> None:
    """Production's backend takes other branches: checked without connecting."""
    url = "postgresql://ptce@127.0.0.1:5432/ptce"
    assert engine_kwargs(make_url(url))["hide_parameters"] is True
    engines = [read_only_engine(url), sa.create_engine(url, **engine_kwargs(make_url(url)))]
    assert all(engine.hide_parameters for engine in engines)
