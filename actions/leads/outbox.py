"""Submitting a lead and delivering it, now or later, exactly once per destination.

``submit`` stores the lead with a pending delivery per configured destination and
tries each once, straight away. Whatever failed is retried by ``deliver_due`` with
an exponential back-off, from a background task of the action server
(``start_background_retry``) or from the ``deliver`` command. A destination that
is down or slow is logged and retried, never raised to the dialogue.

Database calls and smtplib block, so they run in worker threads: the action server's
event loop keeps answering other visitors meanwhile.
"""

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, List, Mapping, Optional

from actions.leads.destinations import (
    ConfigError,
    Destination,
    declared_destinations,
    destinations_from_env,
)
from actions.leads.store import Lead, LeadInput, LeadStore, utcnow
from actions.leads.validation import error_line, mask_email, redact

logger = logging.getLogger(__name__)

# Longer than a send can last (10 s timeouts): a lease that expires means the worker died.
LEASE_SECONDS = 120.0
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 3600

_retry_task: Optional["asyncio.Task[None]"] = None


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of one attempt to deliver one lead to one destination."""

    lead_id: str
    reference: str
    destination: str
    sent: bool
    error: Optional[str] = None


def retry_delay(attempts: int) -> timedelta:
    """Wait before the next try after ``attempts`` earlier failures: 30 s × 2^n, at most 1 h."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** min(attempts, 16), MAX_RETRY_SECONDS))


async def submit(
    store: LeadStore,
    lead_input: LeadInput,
    destinations: Optional[Mapping[str, Destination]] = None,
) -> Lead:
    """Store the lead, try every destination once, and return it (with delivery states).

    Only storing can raise: once the lead is committed, delivery problems are logged
    and left to the retries. ``destinations`` defaults to the environment's; a
    configuration error there still queues the lead for the destinations declared,
    so that fixing the configuration delivers it.
    """
    if destinations is None:
        names = declared_destinations()
        try:
            destinations = destinations_from_env()
        except ConfigError as error:
            logger.error("Destinations mal configurées, envoi reporté : %s", error)
            destinations = {}
    else:
        names = list(destinations)
    lead = await asyncio.to_thread(store.create, lead_input, names)
    logger.info("Lead %s enregistré pour %s", lead.reference, mask_email(lead.email))
    if not names:
        logger.warning(
            "Aucune destination configurée : le lead %s est seulement enregistré", lead.reference
        )
        return lead
    try:
        now = utcnow()
        await asyncio.gather(
            *(
                _claim_and_send(store, name, destination, lead, now)
                for name, destination in destinations.items()
            )
        )
        return await asyncio.to_thread(store.get, lead.id) or lead
    except Exception as error:  # noqa: BLE001 - the lead is stored; the visitor must get an answer.
        logger.error(
            "Lead %s enregistré, envoi immédiat interrompu : %s",
            lead.reference,
            error_line(error),
        )
        return lead


async def deliver_due(
    store: LeadStore,
    destinations: Mapping[str, Destination],
    now: Optional[datetime] = None,
    *,
    ignore_backoff: bool = False,
) -> List[DeliveryResult]:
    """Claim and send the deliveries due at ``now`` (all pending ones with ``ignore_backoff``).

    Destinations are served concurrently, each lead in turn within a destination.
    A sending failure becomes a failed ``DeliveryResult``; only database errors raise.
    """
    now = now or utcnow()
    batches = await asyncio.gather(
        *(
            _deliver_destination(store, name, destination, now, ignore_backoff)
            for name, destination in destinations.items()
        )
    )
    return [result for batch in batches for result in batch]


def start_background_retry(
    store_factory: Callable[[], LeadStore], interval: float = 30
) -> "asyncio.Task[None]":
    """Start, once per event loop, the task that retries pending deliveries every ``interval`` s.

    Called by the action server after each submission; later calls return the running
    task. ``store_factory`` is called lazily in a worker thread, and again after a
    failure, so a database that is down at start-up does not stop the retries.
    """
    global _retry_task
    loop = asyncio.get_running_loop()
    if _retry_task is not None and not _retry_task.done() and _retry_task.get_loop() is loop:
        return _retry_task
    _retry_task = loop.create_task(_retry_forever(store_factory, interval), name="leads-retry")
    return _retry_task


async def _retry_forever(store_factory: Callable[[], LeadStore], interval: float) -> None:
    store: Optional[LeadStore] = None
    while True:
        await asyncio.sleep(interval)
        try:
            if store is None:
                store = await asyncio.to_thread(store_factory)
            await deliver_due(store, destinations_from_env())
        except Exception as error:  # noqa: BLE001 - a background task must survive anything.
            logger.error(
                "Nouvel essai des envois en échec, reprise dans %s s : %s",
                interval,
                error_line(error),
            )


async def _deliver_destination(
    store: LeadStore, name: str, destination: Destination, now: datetime, ignore_backoff: bool
) -> List[DeliveryResult]:
    leads = await asyncio.to_thread(
        store.claim_due, name, now, LEASE_SECONDS, ignore_backoff=ignore_backoff
    )
    return [await _send(store, name, destination, lead, now) for lead in leads]


async def _claim_and_send(
    store: LeadStore, name: str, destination: Destination, lead: Lead, now: datetime
) -> Optional[DeliveryResult]:
    if not await asyncio.to_thread(store.claim, lead.id, name, now, LEASE_SECONDS):
        return None
    return await _send(store, name, destination, lead, now)


async def _send(
    store: LeadStore, name: str, destination: Destination, lead: Lead, now: datetime
) -> DeliveryResult:
    """One attempt on a claimed delivery, recorded as sent or failed."""
    try:
        await destination.send(lead)
    except Exception as error:  # noqa: BLE001 - any failure of a destination means "retry later".
        reason = redact(_describe(error))
        delivery = lead.deliveries.get(name)
        attempts = delivery.attempts if delivery else 0
        next_attempt_at = now + retry_delay(attempts)
        await asyncio.to_thread(store.mark_failed, lead.id, name, reason, next_attempt_at)
        logger.warning(
            "Envoi du lead %s (%s) vers %s en échec (tentative %d), nouvel essai après %s : %s",
            lead.reference,
            mask_email(lead.email),
            name,
            attempts + 1,
            next_attempt_at.isoformat(timespec="seconds"),
            reason,
        )
        return DeliveryResult(lead.id, lead.reference, name, sent=False, error=reason)
    await asyncio.to_thread(store.mark_sent, lead.id, name)
    logger.info("Lead %s (%s) envoyé vers %s", lead.reference, mask_email(lead.email), name)
    return DeliveryResult(lead.id, lead.reference, name, sent=True)


def _describe(error: BaseException) -> str:
    """``error`` as one readable line, even for exceptions without a message (timeouts)."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
