"""The leads store, on SQLite and on the real PostgreSQL."""

import re
import time
from dataclasses import FrozenInstanceError, asdict, fields
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Optional
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, event, func, select, text, update
from sqlalchemy.exc import IntegrityError, StatementError

from actions.leads import store as store_module
from actions.leads.store import (
    PROJECT_ROOT,
    Lead,
    LeadInput,
    LeadStore,
    canonical_reference,
    database_url,
    utcnow,
)
from actions.leads.tables import lead_deliveries, leads
from tests.support.leads import REFERENCE


def _age(store: LeadStore, lead_id: str, created_at: datetime) -> None:
    """Pretend a lead was created at ``created_at``."""
    with store.engine.begin() as connection:
        connection.execute(update(leads).where(leads.c.id == lead_id).values(created_at=created_at))


def _delivery_rows(store: LeadStore) -> int:
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(lead_deliveries)).scalar_one()


def test_database_url_defaults_to_the_git_ignored_var_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert database_url() == f"sqlite:///{PROJECT_ROOT / 'var' / 'leads.db'}"
    assert (PROJECT_ROOT / "var").is_dir()
    monkeypatch.setenv("LEADS_DATABASE_URL", "postgresql://leads@db/leads")
    assert database_url() == "postgresql://leads@db/leads"


def test_create_stores_the_lead_and_a_pending_delivery_per_destination(
    store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    before = utcnow()
    lead = store.create(make_lead(), ["email", "webhook", "email"])

    assert REFERENCE.fullmatch(lead.reference)
    assert lead.created_at.tzinfo == timezone.utc and lead.created_at >= before
    assert sorted(lead.deliveries) == ["email", "webhook"]
    assert all(d.status == "pending" and d.attempts == 0 for d in lead.deliveries.values())

    again = store.get(lead.id)
    assert again == lead
    assert again.consent_at == datetime(2025, 3, 12, 13, 5, tzinfo=timezone.utc)
    assert again.context[0] == {"sender": "user", "text": "C'est quoi un PTCE ?"}
    assert again.phone == "+33612345678"
    assert store.get("00000000-0000-0000-0000-000000000000") is None


def test_a_stored_lead_is_its_input_and_the_stores_own_columns(
    store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    given = make_lead()
    lead = store.create(given, [])
    assert isinstance(lead, LeadInput)
    assert {name: getattr(lead, name) for name in asdict(given)} == asdict(given)
    stored = {f.name for f in fields(Lead) if f.name != "deliveries"}
    assert stored == {column.name for column in leads.columns}
    shown = [column.name for column in leads.columns if column.name != "conversation_id"]
    assert list(lead.as_dict()) == shown
    with pytest.raises(FrozenInstanceError):
        given.email = "autre@exemple.fr"  # type: ignore[misc]


def test_optional_fields_may_be_empty(
    store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    lead = store.create(make_lead(phone=None, topic=None, context=[]), [])
    assert (lead.phone, lead.topic, lead.context, lead.deliveries) == (None, None, [], {})


def test_create_is_one_transaction(store: LeadStore, make_lead: Callable[..., LeadInput]) -> None:
    with pytest.raises(IntegrityError):
        store.create(make_lead(), ["email", None])  # type: ignore[list-item]
    assert store.export() == []
    assert _delivery_rows(store) == 0


def test_a_database_error_does_not_print_the_statements_parameters(
    store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    """Errors reach the logs: SQLAlchemy hides the visitor's values (hide_parameters).

    PostgreSQL's own DETAIL line ("Failing row contains …") still quotes the row."""
    with pytest.raises(IntegrityError) as failed:
        store.create(make_lead(name=None), [])  # NOT NULL, on the row that holds the address
    assert "[SQL parameters hidden due to hide_parameters=True]" in str(failed.value)


def test_naive_consent_time_is_refused(
    store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    with pytest.raises(ValueError) as refused:
        store.create(make_lead(consent_at=datetime(2025, 3, 12, 13, 5)), [])
    assert str(refused.value) == "consent_at must be timezone-aware"


def test_count_since_counts_one_conversation(
    store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    first = store.create(make_lead(conversation_id="a"), [])
    store.create(make_lead(conversation_id="a"), [])
    store.create(make_lead(conversation_id="b"), [])
    _age(store, first.id, utcnow() - timedelta(hours=2))

    assert store.count_since("a", utcnow() - timedelta(hours=1)) == 1
    assert store.count_since("a", utcnow() - timedelta(days=1)) == 2
    assert store.count_since("c", utcnow() - timedelta(days=1)) == 0


def test_deletions_take_the_deliveries_along(
    store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    store.create(make_lead(conversation_id="a", email="Jeanne@Exemple.fr"), ["email"])
    store.create(make_lead(conversation_id="b", email="jeanne@exemple.fr"), ["email"])
    keep = store.create(make_lead(conversation_id="b", email="paul@exemple.fr"), ["email"])
    store.create(make_lead(conversation_id="c", email="louise@exemple.fr"), ["webhook"])

    assert store.delete_email("  JEANNE@exemple.FR ") == 2
    assert store.delete_email("jeanne@exemple.fr") == 0
    assert store.delete_conversation("c") == ["louise@exemple.fr"]
    assert [row["id"] for row in store.export()] == [keep.id]
    assert _delivery_rows(store) == 1


def test_purge_deletes_only_old_leads(
    store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    old = store.create(make_lead(), ["email"])
    recent = store.create(make_lead(), ["email"])
    _age(store, old.id, utcnow() - timedelta(days=400))
    _age(store, recent.id, utcnow() - timedelta(days=10))

    assert store.purge(365) == 1
    assert store.get(old.id) is None and store.get(recent.id) is not None
    assert _delivery_rows(store) == 1
    with pytest.raises(ValueError):
        store.purge(-1)


def test_export_since_a_day_in_french_time(
    store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    ids = [store.create(make_lead(name=f"n{i}"), []).id for i in range(3)]
    # 22:30 UTC on 28 Feb is 23:30 in Paris (still the 28th); 23:30 UTC is 00:30 on 1 March.
    _age(store, ids[0], datetime(2025, 2, 28, 22, 30, tzinfo=timezone.utc))
    _age(store, ids[1], datetime(2025, 2, 28, 23, 30, tzinfo=timezone.utc))
    _age(store, ids[2], datetime(2025, 3, 2, 9, 0, tzinfo=timezone.utc))

    assert [row["name"] for row in store.export()] == ["n0", "n1", "n2"]
    exported = store.export(date(2025, 3, 1))
    assert [row["name"] for row in exported] == ["n1", "n2"]
    assert exported[0]["created_at"] == "2025-02-28T23:30:00+00:00"
    assert exported[0]["consent_at"] == "2025-03-12T13:05:00+00:00"
    assert "deliveries" not in exported[0]


def test_the_edges_of_count_since_and_export_are_included(
    store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    """A lead made at the very instant asked for counts; so does one at midnight in Paris."""
    lead = store.create(make_lead(conversation_id="a"), [])
    midnight_in_paris = datetime(2025, 2, 28, 23, 0, tzinfo=timezone.utc)  # 1 March, 00:00
    _age(store, lead.id, midnight_in_paris)
    assert store.count_since("a", midnight_in_paris) == 1
    assert [row["id"] for row in store.export(date(2025, 3, 1))] == [lead.id]


def test_leads_made_at_the_same_instant_are_exported_in_id_order(
    store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    ids = [store.create(make_lead(name=f"n{i}"), []).id for i in range(4)]
    for lead_id in ids:
        _age(store, lead_id, datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc))
    assert [row["id"] for row in store.export()] == sorted(ids)


def test_purge_of_zero_days_deletes_every_lead_made_before_now(
    store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    store.create(make_lead(), ["email"])
    assert store.purge(0) == 1 and store.export() == []
    with pytest.raises(ValueError) as refused:
        store.purge(-1)
    assert str(refused.value) == "older_than_days must not be negative"


def test_times_come_back_in_utc_whatever_zone_they_were_given_in(
    store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    paris = datetime(2025, 3, 12, 14, 5, tzinfo=ZoneInfo("Europe/Paris"))
    lead = store.create(make_lead(consent_at=paris), ["email"])
    for read in (lead, store.get(lead.id)):
        assert read.consent_at == paris and read.consent_at.tzinfo == timezone.utc
        assert read.consent_at.hour == 13
    naive = "naive datetime: pass a timezone-aware one (e.g. in UTC)"
    with pytest.raises(StatementError, match=re.escape(f"(builtins.ValueError) {naive}\n")):
        store.mark_failed(lead.id, "email", "erreur", datetime(2025, 3, 12, 13, 5))


def test_times_do_not_depend_on_the_zone_of_the_machine_or_of_the_session(
    store: LeadStore, make_lead: Callable[..., LeadInput], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server in Paris, or a PostgreSQL session in Paris (PGTZ), stores the same instants."""
    monkeypatch.setenv("TZ", "Europe/Paris")
    monkeypatch.setenv("PGTZ", "Europe/Paris")
    time.tzset()
    try:
        in_paris = LeadStore(store.url)
        lead = in_paris.create(make_lead(), [])
        consent_at = in_paris.get(lead.id).consent_at
        in_paris.dispose()
    finally:
        monkeypatch.undo()
        time.tzset()
    assert consent_at == datetime(2025, 3, 12, 13, 5, tzinfo=timezone.utc)
    assert consent_at.utcoffset() == timedelta(0)
    assert store.get(lead.id).consent_at == consent_at


def test_the_store_reconnects_after_its_connections_were_cut(
    postgres_url: str, make_lead: Callable[..., LeadInput]
) -> None:
    """PostgreSQL restarted or a proxy dropped idle connections: the next call still works."""
    store = LeadStore(postgres_url)
    lead = store.create(make_lead(), [])
    with create_engine(postgres_url, future=True).connect() as admin:
        admin.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    assert store.get(lead.id) == lead
    store.dispose()


def test_references_are_random_unambiguous_and_unique(
    store: LeadStore, make_lead: Callable[..., LeadInput], monkeypatch: pytest.MonkeyPatch
) -> None:
    references = {store.create(make_lead(), []).reference for _ in range(20)}
    assert len(references) == 20
    assert all(REFERENCE.fullmatch(reference) for reference in references)
    assert not any(set(reference[5:]) & set("01ILOU") for reference in references)
    monkeypatch.setattr(store_module, "new_reference", lambda: "PTCE-AAAA-AAAA")
    store.create(make_lead(), [])
    with pytest.raises(IntegrityError):
        store.create(make_lead(), [])  # the database refuses a repeat


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("PTCE-7KQ4-M9XR", "PTCE-7KQ4-M9XR"),
        (" ptce 7kq4 m9xr ", "PTCE-7KQ4-M9XR"),
        ("7KQ4M9XR", "PTCE-7KQ4-M9XR"),
        ("c'est la ptce-7kq4-m9xr, merci", "PTCE-7KQ4-M9XR"),
        ("ma référence", None),
        ("PTCE-7KQ4-M9X", None),
        ("PTCE-0KQ4-M9XR", None),  # 0 is not in the alphabet: typed O or 0, never issued
        ("", None),
    ],
)
def test_a_typed_reference_is_read_in_any_case_and_spacing(
    typed: str, expected: Optional[str]
) -> None:
    assert canonical_reference(typed) == expected


def test_an_erased_lead_leaves_no_byte_in_the_sqlite_file(
    tmp_path: Path, make_lead: Callable[..., LeadInput]
) -> None:
    """Deleted rows stay in SQLite's free pages unless ``secure_delete`` zeroes them."""
    path = tmp_path / "leads.db"
    store = LeadStore(f"sqlite:///{path}")
    # As on a SQLite built without SECURE_DELETE (Debian's, here, has it on by default).
    event.listen(
        store.engine, "connect", lambda c, _: c.execute("PRAGMA secure_delete=OFF"), insert=True
    )
    store.engine.dispose()
    store.create(make_lead(email="louise.secret@exemple.fr", message="m" * 3000), ["email"])
    store.create(make_lead(), ["email"])
    assert store.delete_email("louise.secret@exemple.fr") == 1
    store.dispose()
    assert b"louise.secret@exemple.fr" not in path.read_bytes()
