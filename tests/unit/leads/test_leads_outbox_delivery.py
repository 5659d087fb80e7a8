"""Submission and delivery: immediately, after an outage, in the background, concurrently."""

import asyncio
import os
import threading
import time
from datetime import timedelta
from typing import Any, Callable, Dict, List

import pytest

from actions.leads import outbox
from actions.leads.destinations import destinations_from_env
from actions.leads.outbox import deliver_due, retry_delay, start_background_retry, submit
from actions.leads.store import LeadInput, LeadStore, utcnow
from tests.support.leads import leads_command
from tests.support.outbox import configure, outbox_logs


def test_retry_delay_doubles_from_30_seconds_up_to_an_hour() -> None:
    assert [retry_delay(n).total_seconds() for n in range(9)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]
    assert retry_delay(500) == timedelta(hours=1)


def test_submit_delivers_to_every_destination(
    smtp: Any,
    webhook: Any,
    store: LeadStore,
    make_lead: Callable[..., LeadInput],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    smtp.start()
    webhook.start()
    configure(monkeypatch, smtp, webhook)

    lead = asyncio.run(submit(store, make_lead()))

    assert {name: d.status for name, d in lead.deliveries.items()} == {
        "email": "sent",
        "webhook": "sent",
    }
    assert len(smtp.messages) == 1 and [c.idempotency_key for c in webhook.accepted] == [lead.id]
    assert asyncio.run(deliver_due(store, destinations_from_env(), ignore_backoff=True)) == []


def test_submit_without_destinations_only_stores(
    store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    lead = asyncio.run(submit(store, make_lead()))
    assert lead.deliveries == {} and store.get(lead.id) is not None


def test_a_half_configured_destination_still_queues_the_lead(
    store: LeadStore, make_lead: Callable[..., LeadInput], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADS_SMTP_HOST", "127.0.0.1")  # LEADS_EMAIL_FROM/TO forgotten
    lead = asyncio.run(submit(store, make_lead()))
    assert lead.deliveries["email"].status == "pending"
    assert lead.deliveries["email"].attempts == 0


def test_down_then_up_is_delivered_once_by_deliver_due(
    smtp: Any,
    webhook: Any,
    store: LeadStore,
    make_lead: Callable[..., LeadInput],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure(monkeypatch, smtp, webhook)
    lead = asyncio.run(submit(store, make_lead()))  # both ports closed: no exception

    for delivery in lead.deliveries.values():
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        assert delivery.last_error
    assert "ConnectionRefusedError" in lead.deliveries["email"].last_error
    destinations = destinations_from_env()
    assert asyncio.run(deliver_due(store, destinations)) == []  # backing off for 30 s

    smtp.start()
    webhook.start()
    later = utcnow() + timedelta(seconds=31)
    results = asyncio.run(deliver_due(store, destinations, now=later))
    assert sorted((r.destination, r.sent) for r in results) == [("email", True), ("webhook", True)]
    assert asyncio.run(deliver_due(store, destinations, now=later + timedelta(hours=2))) == []
    assert len(smtp.messages) == 1 and len(webhook.accepted) == 1


def test_failures_back_off_exponentially(
    smtp: Any, sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    destinations = {"email": destinations_from_env(smtp.env())["email"]}
    lead = sqlite_store.create(make_lead(), ["email"])
    now = utcnow()

    [first] = asyncio.run(deliver_due(sqlite_store, destinations, now=now))
    assert (first.lead_id, first.reference, first.destination, first.sent) == (
        lead.id,
        lead.reference,
        "email",
        False,
    )
    assert first.error.startswith("ConnectionRefusedError")
    assert sqlite_store.get(lead.id).deliveries["email"].next_attempt_at == now + timedelta(
        seconds=30
    )

    retry_at = now + timedelta(seconds=30)
    asyncio.run(deliver_due(sqlite_store, destinations, now=retry_at))
    delivery = sqlite_store.get(lead.id).deliveries["email"]
    assert delivery.attempts == 2
    assert delivery.next_attempt_at == retry_at + timedelta(seconds=60)


def _subprocess_env(database_url: str, *servers: Any) -> Dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("LEADS_")}
    env["LEADS_DATABASE_URL"] = database_url
    for server in servers:
        env.update(server.env())
    return env


def test_down_then_up_is_delivered_once_by_the_deliver_command(
    smtp: Any,
    webhook: Any,
    sqlite_url: str,
    make_lead: Callable[..., LeadInput],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure(monkeypatch, smtp, webhook)
    store = LeadStore(sqlite_url)
    lead = asyncio.run(submit(store, make_lead()))
    assert {d.status for d in lead.deliveries.values()} == {"pending"}

    smtp.start()
    webhook.start()
    env = _subprocess_env(sqlite_url, smtp, webhook)
    first = leads_command(["deliver"], env)
    second = leads_command(["deliver"], env)

    assert first.returncode == 0, first.stderr
    assert sorted(first.stdout.split()) == sorted(
        ["envoyé", lead.reference, "email", "envoyé", lead.reference, "webhook"]
    )
    assert second.returncode == 0 and second.stdout.strip() == "Rien à envoyer."
    assert len(smtp.messages) == 1 and len(webhook.accepted) == 1
    assert {d.status for d in store.get(lead.id).deliveries.values()} == {"sent"}
    store.dispose()


def test_the_deliver_command_reports_failures(
    smtp: Any, sqlite_store: LeadStore, sqlite_url: str, make_lead: Callable[..., LeadInput]
) -> None:
    lead = sqlite_store.create(make_lead(), ["email"])
    result = leads_command(["deliver"], _subprocess_env(sqlite_url, smtp))
    assert result.returncode == 1
    assert result.stdout.startswith(f"échec   {lead.reference}  email  ConnectionRefusedError")
    assert "Traceback" not in result.stderr


def test_background_retry_delivers_once_and_survives_errors(
    smtp: Any,
    webhook: Any,
    store: LeadStore,
    make_lead: Callable[..., LeadInput],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    smtp.start()
    webhook.start()
    configure(monkeypatch, smtp, webhook)
    lead = store.create(make_lead(), ["email", "webhook"])  # as if the first try was cut short
    calls: List[int] = []

    def flaky_factory() -> LeadStore:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database starting")
        return store

    async def scenario() -> None:
        task = start_background_retry(flaky_factory, interval=0.05)
        assert start_background_retry(flaky_factory, interval=0.05) is task
        deadline = time.monotonic() + 5
        while len(smtp.messages) + len(webhook.accepted) < 2:
            assert time.monotonic() < deadline, "not delivered in time"
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)  # a few more rounds: nothing is sent twice
        assert not task.done()
        task.cancel()

    asyncio.run(scenario())
    assert len(calls) == 2
    assert outbox_logs(caplog)[0] == (
        "ERROR",
        "Nouvel essai des envois en échec, reprise dans 0.05 s : database starting",
    )
    assert len(smtp.messages) == 1 and [c.idempotency_key for c in webhook.accepted] == [lead.id]
    assert {d.status for d in store.get(lead.id).deliveries.values()} == {"sent"}


def test_background_retry_restarts_in_a_new_event_loop(sqlite_store: LeadStore) -> None:
    async def start() -> bool:
        task = start_background_retry(lambda: sqlite_store, interval=60)
        alive = not task.done()
        task.cancel()
        return alive

    assert asyncio.run(start()) and asyncio.run(start())
    assert outbox._retry_task is not None and outbox._retry_task.done()


def test_concurrent_deliveries_send_each_lead_once(
    smtp: Any, webhook: Any, database: str, make_lead: Callable[..., LeadInput]
) -> None:
    """Two workers with their own engine and event loop, as two replicas would run."""
    smtp.start()
    webhook.start()
    destinations = destinations_from_env({**smtp.env(), **webhook.env()})
    workers = [LeadStore(database), LeadStore(database)]
    created = {workers[0].create(make_lead(name=f"n{i}"), list(destinations)).id for i in range(6)}
    start = threading.Barrier(2)
    results: List[Any] = [[], []]

    def work(index: int) -> None:
        start.wait()
        results[index] = asyncio.run(deliver_due(workers[index], destinations))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    sent = [(r.lead_id, r.destination) for batch in results for r in batch if r.sent]
    assert sorted(sent) == sorted((i, d) for i in created for d in ("email", "webhook"))
    message_ids = [m["Message-ID"] for m in smtp.messages]
    assert len(message_ids) == 6 and len(set(message_ids)) == 6
    assert sorted(c.idempotency_key for c in webhook.accepted) == sorted(created)
    for worker in workers:
        worker.dispose()


def test_the_retry_task_is_named_waits_30_s_by_default_and_restarts_once_done(
    sqlite_store: LeadStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: List[float] = []

    async def stop_at_first_wait(seconds: float) -> None:
        waits.append(seconds)
        raise asyncio.CancelledError

    async def scenario() -> None:
        monkeypatch.setattr(outbox.asyncio, "sleep", stop_at_first_wait)
        first = start_background_retry(lambda: sqlite_store)
        assert first.get_name() == "leads-retry"
        with pytest.raises(asyncio.CancelledError):
            await first
        second = start_background_retry(lambda: sqlite_store)
        assert second is not first
        with pytest.raises(asyncio.CancelledError):
            await second

    asyncio.run(scenario())
    assert waits == [30, 30]
