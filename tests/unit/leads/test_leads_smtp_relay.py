"""The e-mail destination with production's defaults: STARTTLS and a login, for real.

Every other e-mail test turns both off; here the relay (tests/support/secure_smtp.py)
refuses mail without them, so removing either from the destination fails a test.
"""

import asyncio
import smtplib
import ssl
from typing import Callable

import pytest

from actions.leads.destinations import EmailDestination, destinations_from_env
from actions.leads.outbox import deliver_due, submit
from actions.leads.store import LeadInput, LeadStore
from tests.support.secure_smtp import SMTP_USER, SecureSmtpServer


def test_the_defaults_are_starttls_and_a_login(secure_smtp: SecureSmtpServer) -> None:
    destination = EmailDestination.from_env(secure_smtp.env())
    assert "LEADS_SMTP_STARTTLS" not in secure_smtp.env()
    assert (destination.starttls, destination.user) == (True, SMTP_USER)


def test_the_email_goes_over_tls_after_the_login(
    secure_smtp: SecureSmtpServer, sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    lead = sqlite_store.create(make_lead(), ["email"])
    asyncio.run(EmailDestination.from_env(secure_smtp.env()).send(lead))

    assert secure_smtp.sessions == [{"tls": True, "login": SMTP_USER}]
    [message] = secure_smtp.messages
    assert message["Message-ID"] == f"<lead-{lead.id}@fr-consultants.test>"


def test_a_wrong_password_leaves_the_lead_pending_until_it_is_fixed(
    secure_smtp: SecureSmtpServer,
    sqlite_store: LeadStore,
    make_lead: Callable[..., LeadInput],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {**secure_smtp.env(), "LEADS_SMTP_PASSWORD": "pas-le-bon"}.items():
        monkeypatch.setenv(name, value)

    lead = asyncio.run(submit(sqlite_store, make_lead()))

    delivery = lead.deliveries["email"]
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error.startswith("SMTPAuthenticationError: (535")
    assert sqlite_store.get(lead.id) == lead and secure_smtp.messages == []

    monkeypatch.setenv("LEADS_SMTP_PASSWORD", secure_smtp.env()["LEADS_SMTP_PASSWORD"])
    [result] = asyncio.run(deliver_due(sqlite_store, destinations_from_env(), ignore_backoff=True))
    assert (result.lead_id, result.sent) == (lead.id, True)
    assert sqlite_store.get(lead.id).deliveries["email"].status == "sent"
    assert secure_smtp.sessions == [{"tls": True, "login": SMTP_USER}]


def test_a_relay_whose_certificate_is_not_trusted_gets_nothing(
    secure_smtp: SecureSmtpServer,
    sqlite_store: LeadStore,
    make_lead: Callable[..., LeadInput],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The certificate is verified: a relay that cannot prove who it is never sees the lead."""
    monkeypatch.delenv("SSL_CERT_FILE")
    lead = sqlite_store.create(make_lead(), ["email"])
    with pytest.raises(ssl.SSLCertVerificationError):
        asyncio.run(EmailDestination.from_env(secure_smtp.env()).send(lead))
    assert secure_smtp.sessions == []


def test_a_user_without_password_tries_an_empty_one(
    secure_smtp: SecureSmtpServer, sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    env = {k: v for k, v in secure_smtp.env().items() if k != "LEADS_SMTP_PASSWORD"}
    lead = sqlite_store.create(make_lead(), ["email"])
    with pytest.raises(smtplib.SMTPAuthenticationError):
        asyncio.run(EmailDestination.from_env(env).send(lead))
    assert set(secure_smtp.logins) == {(SMTP_USER.encode(), b"")}  # each mechanism smtplib tries
