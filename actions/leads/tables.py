"""The two tables of the lead store: the leads, and one delivery row per destination.

SQLAlchemy Core, on SQLite and PostgreSQL alike: ``UTCDateTime`` gives both the
same timezone-aware dates. ``LeadStore`` creates the tables when they are missing.
"""

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeDecorator

PENDING = "pending"
SENT = "sent"


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL stores ``timestamptz``; SQLite has no timezone, so values are stored
    as naive UTC and given their UTC tzinfo back when read. Naive datetimes are
    refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware one (e.g. in UTC)")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


metadata = MetaData()

leads = Table(
    "leads",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("reference", String(16), nullable=False, index=True, unique=True),
    Column("created_at", UTCDateTime, nullable=False, index=True),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("channel", String(64), nullable=False),
    Column("name", String(100), nullable=False),
    Column("email", String(254), nullable=False, index=True),
    Column("phone", String(32), nullable=True),
    Column("organisation", String(150), nullable=False),
    Column("organisation_type", String(32), nullable=False),
    Column("territory", String(100), nullable=False),
    Column("need", String(64), nullable=False),
    Column("message", Text, nullable=False),
    Column("consent_at", UTCDateTime, nullable=False),
    Column("consent_version", String(32), nullable=False),
    Column("topic", String(100), nullable=True),
    Column("context", JSON, nullable=False),
)

lead_deliveries = Table(
    "lead_deliveries",
    metadata,
    Column("lead_id", String(36), ForeignKey("leads.id", ondelete="CASCADE"), nullable=False),
    Column("destination", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("claimed_until", UTCDateTime, nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    # The primary key is the unique (lead_id, destination): one row per delivery.
    PrimaryKeyConstraint("lead_id", "destination", name="pk_lead_deliveries"),
    CheckConstraint(f"status IN ('{PENDING}', '{SENT}')", name="ck_lead_deliveries_status"),
    Index("ix_lead_deliveries_due", "destination", "status", "next_attempt_at"),
)
