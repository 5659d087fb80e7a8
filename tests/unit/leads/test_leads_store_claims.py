"""The store's deliveries: claims, leases, back-off and marking them sent or failed."""

import threading
from datetime import timedelta
from typing import Callable, List

from actions.leads.store import LeadInput, LeadStore, utcnow


def test_claims_are_leased_and_respect_the_back_off(
    store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    lead = store.create(make_lead(), ["email", "webhook"])
    now = utcnow()

    assert [claimed.id for claimed in store.claim_due("email", now, 60)] == [lead.id]
    assert store.claim_due("email", now, 60) == []  # leased
    assert store.claim_due("email", now + timedelta(seconds=30), 60) == []
    assert [c.id for c in store.claim_due("email", now + timedelta(seconds=61), 60)] == [lead.id]

    later = now + timedelta(seconds=61)
    store.mark_failed(lead.id, "email", "ConnectionRefusedError", later + timedelta(seconds=30))
    failed = store.get(lead.id).deliveries["email"]
    assert (failed.status, failed.attempts, failed.last_error) == (
        "pending",
        1,
        "ConnectionRefusedError",
    )
    assert store.claim_due("email", later, 60) == []  # released, but not due yet
    assert len(store.claim_due("email", later, 60, ignore_backoff=True)) == 1

    store.mark_sent(lead.id, "email")
    sent = store.get(lead.id).deliveries["email"]
    assert sent.status == "sent" and sent.sent_at is not None and sent.last_error is None
    assert store.claim_due("email", later + timedelta(days=1), 60, ignore_backoff=True) == []
    assert store.get(lead.id).deliveries["webhook"].status == "pending"


def test_a_delivery_is_claimed_by_one_worker_only(
    database: str, make_lead: Callable[..., LeadInput]
) -> None:
    """Two stores (two engines, as two processes would have) claim at the same instant."""
    first, second = LeadStore(database), LeadStore(database)
    created = {first.create(make_lead(name=f"n{i}"), ["email"]).id for i in range(12)}
    now = utcnow()
    start = threading.Barrier(2)
    claimed: List[List[str]] = [[], []]

    def work(index: int, store: LeadStore) -> None:
        start.wait()
        claimed[index] = [lead.id for lead in store.claim_due("email", now, 60)]

    threads = [threading.Thread(target=work, args=(i, s)) for i, s in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first.dispose()
    second.dispose()

    assert not set(claimed[0]) & set(claimed[1])
    assert set(claimed[0]) | set(claimed[1]) == created


def test_a_long_error_is_kept_to_2000_characters(
    store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    lead = store.create(make_lead(), ["email"])
    store.mark_failed(lead.id, "email", "x" * 3000, utcnow())
    assert store.get(lead.id).deliveries["email"].last_error == "x" * 2000


def test_a_lease_ending_exactly_now_is_still_held(
    store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    lead = store.create(make_lead(), ["email"])
    now = utcnow()
    assert store.claim(lead.id, "email", now, 60)
    assert not store.claim(lead.id, "email", now + timedelta(seconds=60), 60)
    assert store.claim(lead.id, "email", now + timedelta(seconds=60, microseconds=1), 60)


def test_due_deliveries_are_claimed_oldest_due_first(
    store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    """Neither the order they were made in nor the order they failed in."""
    made = [store.create(make_lead(name=n), ["email"]) for n in ("a", "b", "c")]
    now = utcnow()
    for lead, seconds_ago in zip(made, (10, 30, 20), strict=True):
        store.mark_failed(lead.id, "email", "refus", now - timedelta(seconds=seconds_ago))
    claimed = [lead.id for lead in store.claim_due("email", now, 60)]
    assert claimed == [made[1].id, made[2].id, made[0].id]


def test_a_delivery_already_sent_is_never_marked_failed_again(
    store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    lead = store.create(make_lead(), ["email"])
    store.mark_sent(lead.id, "email")
    store.mark_failed(lead.id, "email", "trop tard", utcnow())
    delivery = store.get(lead.id).deliveries["email"]
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 0, None)


def test_marking_a_delivery_touches_its_lead_only(
    store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    sent, other = (store.create(make_lead(), ["email"]) for _ in range(2))
    store.mark_sent(sent.id, "email")
    assert store.get(sent.id).updated_at > sent.updated_at
    assert store.get(other.id).updated_at == other.updated_at
    assert store.get(sent.id).deliveries["email"].destination == "email"


def test_a_delivery_sent_meanwhile_is_not_claimed_again(
    store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    """A worker lists a due delivery, another sends it: the first one's claim must fail."""
    lead = store.create(make_lead(), ["email"])
    store.mark_sent(lead.id, "email")
    assert not store.claim(lead.id, "email", utcnow(), 60)
