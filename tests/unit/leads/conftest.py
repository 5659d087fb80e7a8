"""Fixtures of the lead tests: real SMTP and webhook servers (tests/support/servers.py)
and the store on SQLite and on the machine's PostgreSQL (in a database created for
the session, then dropped).
"""

import os
from pathlib import Path
from typing import Callable, Dict, Iterator

import pytest
from sqlalchemy import text

from actions.leads.store import LeadInput, LeadStore
from tests.support.databases import temporary_database
from tests.support.leads import VISITOR_EMAIL, VISITOR_PHONE, lead_input
from tests.support.ports import free_port
from tests.support.required import require_postgresql
from tests.support.secure_smtp import Certificate, SecureSmtpServer, make_certificate
from tests.support.servers import SmtpServer, WebhookServer


@pytest.fixture
def visitor() -> Dict[str, str]:
    """The e-mail address and phone number of ``make_lead``'s visitor."""
    return {"email": VISITOR_EMAIL, "phone": VISITOR_PHONE}


@pytest.fixture
def make_lead() -> Callable[..., LeadInput]:
    """A valid ``LeadInput``; keyword arguments override its fields."""
    return lead_input


@pytest.fixture(autouse=True)
def _no_leads_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start every test without the developer's own ``LEADS_*`` variables."""
    for name in list(os.environ):
        if name.startswith("LEADS_"):
            monkeypatch.delenv(name)


@pytest.fixture
def unused_port() -> int:
    """A loopback port with nothing behind it: connections are refused."""
    return free_port()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """An SMTP server on a free port, not started: ``smtp.start()`` brings it up."""
    server = SmtpServer(free_port())
    yield server
    server.stop()


@pytest.fixture(scope="session")
def relay_certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """The relay's self-signed certificate for 127.0.0.1, made once per session."""
    return make_certificate(tmp_path_factory.mktemp("relay-tls"))


@pytest.fixture
def secure_smtp(
    relay_certificate: Certificate, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SecureSmtpServer]:
    """A started relay requiring STARTTLS and a login; its certificate trusted (SSL_CERT_FILE)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(relay_certificate.cert))
    server = SecureSmtpServer(free_port(), relay_certificate)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def webhook() -> Iterator[WebhookServer]:
    """A webhook receiver on a free port, not started: ``webhook.start()`` brings it up."""
    server = WebhookServer(free_port())
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of its own on the machine's PostgreSQL, dropped after the session."""
    require_postgresql()
    with temporary_database("ptce_leads_test") as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'leads.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    """An empty leads database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return sqlite_url
    url = request.getfixturevalue("postgres_url")
    cleaner = LeadStore(url)
    with cleaner.engine.begin() as connection:
        connection.execute(text("TRUNCATE leads CASCADE"))
    cleaner.dispose()
    return url


@pytest.fixture
def store(database: str) -> Iterator[LeadStore]:
    """A ``LeadStore`` on each backend."""
    lead_store = LeadStore(database)
    yield lead_store
    lead_store.dispose()


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[LeadStore]:
    """A ``LeadStore`` on SQLite only, for tests about something else than the database."""
    lead_store = LeadStore(sqlite_url)
    yield lead_store
    lead_store.dispose()
