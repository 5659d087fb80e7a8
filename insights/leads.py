"""The end of the lead funnel, counted in the lead store (``actions/leads/store.py``).

A lead is confirmed when the store holds it: ``action_submit_lead`` commits it
before anything is sent, and refuses (rate limit, database down) without storing.
Each delivery row then says whether that destination received it. Only counts
leave this module, never a lead's content.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Dict, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from actions.leads.store import PENDING, SENT, lead_deliveries, leads
from insights.events import period_bounds

DESTINATION_LABELS = {"email": "e-mail à l'équipe", "webhook": "webhook (CRM)"}


@dataclass
class LeadCounts:
    """Conversations whose lead was stored, delivered per destination, and leads pending.

    ``available`` is False when the store has no table yet (no lead ever stored).
    """

    confirmed: int = 0
    delivered: Dict[str, int] = field(default_factory=dict)
    pending: Dict[str, int] = field(default_factory=dict)
    pending_leads: int = 0
    available: bool = True


def destination_label(name: str) -> str:
    """The French name of a delivery destination."""
    return DESTINATION_LABELS.get(name, name)


def count_leads(
    engine: Optional[Engine], since: Optional[date], until: Optional[date]
) -> LeadCounts:
    """The lead store's counts for the leads created in the period (Paris days)."""
    if engine is None or not sa.inspect(engine).has_table(leads.name):
        return LeadCounts(available=False)
    start, end = period_bounds(since, until)
    conditions = []
    if since:
        conditions.append(leads.c.created_at >= _moment(start))
    if until:
        conditions.append(leads.c.created_at < _moment(end))
    in_period = sa.and_(sa.true(), *conditions)
    confirmed = sa.select(sa.func.count(sa.distinct(leads.c.conversation_id))).where(in_period)
    by_destination = (
        sa.select(
            lead_deliveries.c.destination,
            lead_deliveries.c.status,
            sa.func.count(sa.distinct(leads.c.conversation_id)),
            sa.func.count(),
        )
        .join(leads, leads.c.id == lead_deliveries.c.lead_id)
        .where(in_period)
        .group_by(lead_deliveries.c.destination, lead_deliveries.c.status)
    )
    pending_leads = (
        sa.select(sa.func.count(sa.distinct(lead_deliveries.c.lead_id)))
        .join(leads, leads.c.id == lead_deliveries.c.lead_id)
        .where(in_period, lead_deliveries.c.status == PENDING)
    )
    counts = LeadCounts()
    with engine.connect() as connection:
        counts.confirmed = int(connection.execute(confirmed).scalar_one())
        for destination, status, conversations, rows in connection.execute(by_destination):
            if status == SENT:
                counts.delivered[destination] = int(conversations)
            elif status == PENDING:
                counts.pending[destination] = int(rows)
        counts.pending_leads = int(connection.execute(pending_leads).scalar_one())
    return counts


def _moment(epoch: float) -> sa.sql.ClauseElement:
    """``epoch`` as a parameter of the store's own datetime type (UTC, naive on SQLite)."""
    return sa.literal(datetime.fromtimestamp(epoch, timezone.utc), leads.c.created_at.type)
