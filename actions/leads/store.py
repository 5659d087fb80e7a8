"""The leads and their pending deliveries, in SQLite or PostgreSQL.

A lead and one ``pending`` delivery row per destination are committed in a single
transaction before anything is sent (a transactional outbox): if the SMTP relay or
the CRM is down, or the process dies, the row stays pending and a later run sends
it. Deliveries are claimed with a lease (``claimed_until``) by a conditional UPDATE
whose row count says who won, so two workers or replicas never send the same
delivery at the same time.

SQLAlchemy Core, 2.0 style on 1.4 (the version Rasa pins). Leads come back as
plain dataclasses, detached from any session.
"""

import os
import re
import secrets
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional
from zoneinfo import ZoneInfo

from sqlalchemy import and_, create_engine, delete, event, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine, Row

from actions.leads.tables import PENDING, SENT, lead_deliveries, leads, metadata

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
# Stored with the lead, never shown outside the store (see ``Lead.as_dict``).
INTERNAL_COLUMNS = ("conversation_id",)
# The team works on French time: ``export --since 2025-03-01`` starts at midnight there.
PARIS = ZoneInfo("Europe/Paris")


def database_url() -> str:
    """``LEADS_DATABASE_URL``, or a SQLite file in the project's git-ignored ``var/``."""
    url = os.environ.get("LEADS_DATABASE_URL", "").strip()
    if url:
        return url
    folder = PROJECT_ROOT / "var"
    folder.mkdir(exist_ok=True)
    return f"sqlite:///{folder / 'leads.db'}"


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True, kw_only=True)
class LeadInput:
    """What the contact form collected, already validated (see ``validation``).

    ``consent_at`` must be timezone-aware. ``context`` holds the last messages of
    the conversation, each a string or a ``{"sender": "user"|"bot", "text": …}``
    mapping, so the team reads the request in its context. Fields are keyword-only
    so that ``Lead`` can add its own after these defaults.
    """

    conversation_id: str
    channel: str
    name: str
    email: str
    phone: Optional[str] = None
    organisation: str
    organisation_type: str
    territory: str
    need: str
    message: str
    consent_at: datetime
    consent_version: str
    topic: Optional[str] = None
    context: List[Any] = field(default_factory=list)


@dataclass(frozen=True)
class Delivery:
    """The state of one lead's delivery to one destination."""

    destination: str
    status: str
    attempts: int
    last_error: Optional[str]
    next_attempt_at: datetime
    sent_at: Optional[datetime]


@dataclass(frozen=True, kw_only=True)
class Lead(LeadInput):
    """A stored lead: what the form collected, what the store added, and its deliveries."""

    id: str
    reference: str
    created_at: datetime
    updated_at: datetime
    deliveries: Dict[str, Delivery] = field(default_factory=dict, compare=False)

    def as_dict(self) -> Dict[str, Any]:
        """The lead as it leaves the store (exports, webhook), dates in ISO 8601.

        The table's order, not the fields' (inherited ones first), keeps the JSON
        export and the webhook body in the order they always had. The conversation
        id stays inside: whoever holds it can continue or erase that conversation,
        so the team and the CRM quote the ``reference`` instead.
        """
        data = asdict(self)
        ordered = {
            column.name: data[column.name]
            for column in leads.columns
            if column.name not in INTERNAL_COLUMNS
        }
        for key, value in ordered.items():
            if isinstance(value, datetime):
                ordered[key] = value.isoformat()
        return ordered


def new_reference() -> str:
    """The reference the visitor and the team quote, e.g. ``PTCE-7KQ4-M9XR``.

    Eight random characters (about 40 bits) of an alphabet without look-alikes
    (no 0/O, 1/I/L, U): unguessable enough to be one of the two proofs of an
    erasure from a later visit, short enough to copy. The column's unique index
    refuses the rare repeat; the visitor is then asked to confirm again.
    """
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"PTCE-{code[:4]}-{code[4:]}"


def canonical_reference(typed: str) -> Optional[str]:
    """A typed reference in its stored form, or ``None``.

    Any case, spaces or dashes, with or without ``PTCE``, alone or in a sentence
    when it starts with ``PTCE`` (« c'est ptce 7kq4 m9xr »).
    """
    text = typed.upper()
    found = re.search(r"PTCE[\s-]*([0-9A-Z]{4})[\s-]*([0-9A-Z]{4})(?![0-9A-Z])", text)
    code = "".join(found.groups()) if found else re.sub(r"[\s-]", "", text)
    if len(code) != 8 or any(char not in REFERENCE_ALPHABET for char in code):
        return None
    return f"PTCE-{code[:4]}-{code[4:]}"


class LeadStore:
    """The leads database. Thread-safe: the outbox calls it from worker threads."""

    def __init__(self, url: Optional[str] = None) -> None:
        self.url = url or database_url()
        # hide_parameters: a database error must never print a visitor's address.
        self.engine: Engine = create_engine(
            self.url, future=True, pool_pre_ping=True, hide_parameters=True
        )
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        metadata.create_all(self.engine)

    def dispose(self) -> None:
        """Close the pooled connections (before dropping a test database, at exit)."""
        self.engine.dispose()

    def create(self, lead: LeadInput, destinations: List[str]) -> Lead:
        """Store ``lead`` with one pending delivery per destination, in one transaction."""
        if lead.consent_at.tzinfo is None:
            raise ValueError("consent_at must be timezone-aware")
        lead_id = str(uuid.uuid4())
        now = utcnow()
        with self.engine.begin() as connection:
            connection.execute(
                insert(leads).values(
                    id=lead_id,
                    reference=new_reference(),
                    created_at=now,
                    updated_at=now,
                    **asdict(lead),
                )
            )
            for destination in dict.fromkeys(destinations):
                connection.execute(
                    insert(lead_deliveries).values(
                        lead_id=lead_id,
                        destination=destination,
                        status=PENDING,
                        attempts=0,
                        next_attempt_at=now,
                    )
                )
            return self._load(connection, lead_id)

    def get(self, lead_id: str) -> Optional[Lead]:
        """The lead with this id and its deliveries, or ``None``."""
        with self.engine.connect() as connection:
            return self._load(connection, lead_id)

    def count_since(self, conversation_id: str, since: datetime) -> int:
        """How many leads this conversation left since ``since`` (for rate limiting)."""
        query = (
            select(func.count())
            .select_from(leads)
            .where(leads.c.conversation_id == conversation_id, leads.c.created_at >= since)
        )
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def delete_conversation(self, conversation_id: str) -> List[str]:
        """Delete the leads of a conversation (the visitor's erasure request); their addresses."""
        return self._delete(leads.c.conversation_id == conversation_id)

    def delete_reference(self, reference: str, email: str) -> bool:
        """Delete the lead with this reference if it was left with this address (any case).

        Both must match: a visitor erasing from a later visit proves the request is
        theirs with the reference they were given and the address they typed.
        """
        return bool(
            self._delete(
                and_(leads.c.reference == reference, func.lower(leads.c.email) == _folded(email))
            )
        )

    def delete_email(self, email: str) -> int:
        """Delete every lead left with this address, whatever its case."""
        return len(self._delete(func.lower(leads.c.email) == _folded(email)))

    def purge(self, older_than_days: int) -> int:
        """Delete the leads older than ``older_than_days`` days (the retention period)."""
        if older_than_days < 0:
            raise ValueError("older_than_days must not be negative")
        return len(self._delete(leads.c.created_at < utcnow() - timedelta(days=older_than_days)))

    def export(self, since: Optional[date] = None) -> List[Dict[str, Any]]:
        """The leads as dicts (see ``Lead.as_dict``), oldest first.

        ``since`` is a day in French time: the leads created from its midnight on.
        """
        query = select(leads).order_by(leads.c.created_at, leads.c.id)
        if since is not None:
            query = query.where(leads.c.created_at >= datetime.combine(since, time(), PARIS))
        with self.engine.connect() as connection:
            return [_lead_from_row(row, {}).as_dict() for row in connection.execute(query)]

    def claim(self, lead_id: str, destination: str, now: datetime, lease_seconds: float) -> bool:
        """Lease one pending delivery until ``now + lease_seconds``; ``False`` if taken.

        The WHERE clause is re-checked by the database on the row it locks, so of two
        concurrent claims exactly one updates a row. An expired lease (a worker died
        mid-send) can be claimed again.
        """
        statement = (
            update(lead_deliveries)
            .where(
                lead_deliveries.c.lead_id == lead_id,
                lead_deliveries.c.destination == destination,
                lead_deliveries.c.status == PENDING,
                or_(
                    lead_deliveries.c.claimed_until.is_(None),
                    lead_deliveries.c.claimed_until < now,
                ),
            )
            .values(claimed_until=now + timedelta(seconds=lease_seconds))
        )
        with self.engine.begin() as connection:
            return connection.execute(statement).rowcount == 1

    def claim_due(
        self,
        destination: str,
        now: datetime,
        lease_seconds: float,
        *,
        ignore_backoff: bool = False,
    ) -> List[Lead]:
        """Claim the deliveries to ``destination`` due at ``now``; the leads won.

        ``ignore_backoff`` takes every pending delivery, due or not (the operator's
        ``deliver`` command); leases held by another worker are still respected.
        """
        conditions = [
            lead_deliveries.c.destination == destination,
            lead_deliveries.c.status == PENDING,
            or_(lead_deliveries.c.claimed_until.is_(None), lead_deliveries.c.claimed_until < now),
        ]
        if not ignore_backoff:
            conditions.append(lead_deliveries.c.next_attempt_at <= now)
        query = (
            select(lead_deliveries.c.lead_id)
            .where(and_(*conditions))
            .order_by(lead_deliveries.c.next_attempt_at)
        )
        with self.engine.connect() as connection:
            candidates = list(connection.execute(query).scalars())
        claimed = [
            lead_id
            for lead_id in candidates
            if self.claim(lead_id, destination, now, lease_seconds)
        ]
        with self.engine.connect() as connection:
            found = [self._load(connection, lead_id) for lead_id in claimed]
        return [lead for lead in found if lead is not None]

    def mark_sent(self, lead_id: str, destination: str) -> None:
        """Record a successful delivery and release its lease."""
        self._finish(
            lead_id,
            destination,
            status=SENT,
            sent_at=utcnow(),
            claimed_until=None,
            last_error=None,
        )

    def mark_failed(
        self, lead_id: str, destination: str, error: str, next_attempt_at: datetime
    ) -> None:
        """Record a failed attempt (error already redacted) and when to try again."""
        self._finish(
            lead_id,
            destination,
            attempts=lead_deliveries.c.attempts + 1,
            last_error=error[:2000],
            next_attempt_at=next_attempt_at,
            claimed_until=None,
        )

    def _finish(self, lead_id: str, destination: str, **values: Any) -> None:
        """Update a still-pending delivery row (a row already sent is left alone)."""
        statement = (
            update(lead_deliveries)
            .where(
                lead_deliveries.c.lead_id == lead_id,
                lead_deliveries.c.destination == destination,
                lead_deliveries.c.status == PENDING,
            )
            .values(**values)
        )
        with self.engine.begin() as connection:
            connection.execute(statement)
            connection.execute(
                update(leads).where(leads.c.id == lead_id).values(updated_at=utcnow())
            )

    def _delete(self, condition: Any) -> List[str]:
        """Delete the matching leads, their deliveries with them (ON DELETE CASCADE).

        Returns the deleted leads' addresses: the conversations in which they were
        typed are to be erased too.
        """
        with self.engine.begin() as connection:
            emails = list(connection.execute(select(leads.c.email).where(condition)).scalars())
            connection.execute(delete(leads).where(condition))
        return emails

    @staticmethod
    def _load(connection: Connection, lead_id: str) -> Optional[Lead]:
        """One lead and its deliveries, read on ``connection``."""
        row = connection.execute(select(leads).where(leads.c.id == lead_id)).first()
        if row is None:
            return None
        deliveries = {
            delivery.destination: Delivery(
                destination=delivery.destination,
                status=delivery.status,
                attempts=delivery.attempts,
                last_error=delivery.last_error,
                next_attempt_at=delivery.next_attempt_at,
                sent_at=delivery.sent_at,
            )
            for delivery in connection.execute(
                select(lead_deliveries).where(lead_deliveries.c.lead_id == lead_id)
            )
        }
        return _lead_from_row(row, deliveries)


def _folded(email: str) -> str:
    """An address as compared: trimmed, lower case."""
    return email.strip().lower()


def _lead_from_row(row: Row, deliveries: Dict[str, Delivery]) -> Lead:
    """A ``Lead`` from a row of ``leads``."""
    return Lead(**row._mapping, deliveries=deliveries)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Make SQLite enforce ON DELETE CASCADE, zero what it deletes (an erased lead must
    not stay in a free page) and wait for a writer instead of failing."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.close()
