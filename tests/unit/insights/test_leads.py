"""The end of the funnel, counted in a real lead store."""

from datetime import date, timedelta
from pathlib import Path

from actions.leads.store import LeadStore, utcnow
from insights.events import read_only_engine
from insights.leads import LeadCounts, count_leads
from tests.support.conversations import lead_input


def test_confirmed_delivered_per_destination_and_pending(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'leads.db'}"
    store = LeadStore(url)
    sent_everywhere = store.create(lead_input(1), ["email", "webhook"])
    store.mark_sent(sent_everywhere.id, "email")
    store.mark_sent(sent_everywhere.id, "webhook")
    webhook_down = store.create(lead_input(2), ["email", "webhook"])
    store.mark_sent(webhook_down.id, "email")
    # A second lead of conversation 2: the funnel counts conversations, pending counts leads.
    store.create(lead_input(2), ["email", "webhook"])
    store.dispose()
    engine = read_only_engine(url)
    today = utcnow().date()
    assert count_leads(engine, None, None) == LeadCounts(
        confirmed=2,
        delivered={"email": 2, "webhook": 1},
        pending={"email": 1, "webhook": 2},
        pending_leads=2,
    )
    assert count_leads(engine, today - timedelta(days=1), today + timedelta(days=1)).confirmed == 2
    assert count_leads(engine, today + timedelta(days=2), None) == LeadCounts()
    assert count_leads(engine, None, date(2020, 1, 1)) == LeadCounts()
    engine.dispose()


def test_no_lead_store_yet() -> None:
    assert count_leads(None, None, None) == LeadCounts(available=False)
