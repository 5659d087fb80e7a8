"""What the outbox logs of each lead and each attempt, with the visitor always masked."""

import asyncio
import logging
from typing import Any, Callable, Dict

import pytest

from actions.leads.destinations import destinations_from_env
from actions.leads.outbox import _describe, deliver_due, submit
from actions.leads.store import LeadInput, LeadStore
from tests.support.outbox import configure, outbox_logs


def test_logs_never_show_the_visitor_in_clear(
    smtp: Any,
    webhook: Any,
    sqlite_store: LeadStore,
    make_lead: Callable[..., LeadInput],
    visitor: Dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    # The relay refuses the message and quotes the visitor, as real relays do.
    smtp.reply_to_data = f"554 5.7.1 refus pour {visitor['email']} tel {visitor['phone']}"
    webhook.status = 500
    smtp.start()
    webhook.start()
    configure(monkeypatch, smtp, webhook)

    lead = asyncio.run(submit(sqlite_store, make_lead()))
    assert lead.deliveries["email"].status == "pending"
    smtp.reply_to_data = None
    webhook.status = 200
    results = asyncio.run(deliver_due(sqlite_store, destinations_from_env(), ignore_backoff=True))
    assert all(result.sent for result in results) and len(results) == 2

    ours = [r.getMessage() for r in caplog.records if r.name.startswith("actions")]
    assert any("554" in line and "j***@e***.fr" in line for line in ours)
    assert any("envoyé" in line for line in ours)
    clear = (visitor["email"], visitor["phone"], "0612345678", "06 12 34 56 78", "612345678")
    everything = "\n".join(r.getMessage() for r in caplog.records if r.name != "mail.log")
    for secret in clear:
        assert secret not in everything
    stored_errors = [d.last_error or "" for d in lead.deliveries.values()]
    assert not any(secret in error for error in stored_errors for secret in clear)


def test_a_misconfigured_destination_is_logged_and_the_lead_queued_quietly(
    store: LeadStore,
    make_lead: Callable[..., LeadInput],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    monkeypatch.setenv("LEADS_SMTP_HOST", "127.0.0.1")  # LEADS_EMAIL_FROM/TO forgotten
    lead = asyncio.run(submit(store, make_lead()))
    assert outbox_logs(caplog) == [
        (
            "ERROR",
            "Destinations mal configurées, envoi reporté : LEADS_SMTP_HOST is set: "
            "LEADS_EMAIL_FROM and LEADS_EMAIL_TO are required",
        ),
        ("INFO", f"Lead {lead.reference} enregistré pour j***@e***.fr"),
    ]


def test_a_lead_without_destination_is_logged_as_only_stored(
    store: LeadStore, make_lead: Callable[..., LeadInput], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    lead = asyncio.run(submit(store, make_lead()))
    assert outbox_logs(caplog)[-1] == (
        "WARNING",
        f"Aucune destination configurée : le lead {lead.reference} est seulement enregistré",
    )


def test_given_destinations_are_tried_and_each_attempt_logged(
    smtp: Any,
    sqlite_store: LeadStore,
    make_lead: Callable[..., LeadInput],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    destinations = destinations_from_env(smtp.env())
    failed = asyncio.run(submit(sqlite_store, make_lead(), destinations))  # the relay is down
    delivery = failed.deliveries["email"]
    level, message = outbox_logs(caplog)[-1]
    assert level == "WARNING" and message.startswith(
        f"Envoi du lead {failed.reference} (j***@e***.fr) vers email en échec (tentative 1), "
        f"nouvel essai après {delivery.next_attempt_at.isoformat(timespec='seconds')} : "
        "ConnectionRefusedError: [Errno 111]"
    )
    smtp.start()
    sent = asyncio.run(submit(sqlite_store, make_lead(), destinations))
    assert sent.deliveries["email"].status == "sent"
    assert outbox_logs(caplog)[-1] == (
        "INFO",
        f"Lead {sent.reference} (j***@e***.fr) envoyé vers email",
    )


def test_errors_are_described_on_one_line_with_their_type() -> None:
    assert _describe(ConnectionError("refus\n  du   relais")) == "ConnectionError: refus du relais"
    assert _describe(asyncio.TimeoutError()) == "TimeoutError"


def test_a_database_failure_after_storing_is_logged_redacted_and_the_lead_returned(
    smtp: Any,
    sqlite_store: LeadStore,
    make_lead: Callable[..., LeadInput],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The lead is committed; a database error while claiming it only defers the sending."""

    def claim_fails(*_: Any) -> bool:
        raise RuntimeError("base en panne pour jeanne.dupont@exemple.fr")

    monkeypatch.setattr(sqlite_store, "claim", claim_fails)
    lead = asyncio.run(submit(sqlite_store, make_lead(), destinations_from_env(smtp.env())))
    assert lead.deliveries["email"].status == "pending"
    assert outbox_logs(caplog)[-1] == (
        "ERROR",
        f"Lead {lead.reference} enregistré, envoi immédiat interrompu : "
        "base en panne pour j***@e***.fr",
    )
