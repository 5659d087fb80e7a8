"""The e-mail and webhook destinations against real servers on loopback."""

import asyncio
import hmac
import json
import smtplib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any, Callable, Mapping

import aiohttp
import pytest

from actions.leads.destinations import DeliveryError, EmailDestination, WebhookDestination
from actions.leads.store import LeadInput, LeadStore
from tests.support.leads import text_and_html
from tests.support.ports import free_port
from tests.support.servers import LoopbackHttpServer


def test_the_email_arrives_complete_and_escaped(
    smtp, sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    smtp.start()
    lead = sqlite_store.create(
        make_lead(
            organisation="Les <b>Pentes</b> & Cie",
            message="Bonjour <script>alert('x')</script> à bientôt",
        ),
        ["email"],
    )
    destination = EmailDestination.from_env(smtp.env())
    asyncio.run(destination.send(lead))

    [envelope] = smtp.envelopes
    assert envelope.mail_from == smtp.sender
    assert envelope.rcpt_tos == smtp.recipients
    [message] = smtp.messages
    assert message["Subject"] == "Nouveau contact PTCE : Les <b>Pentes</b> & Cie – Créer un PTCE"
    assert message["Reply-To"] == "jeanne.dupont@exemple.fr"
    assert message["Message-ID"] == f"<lead-{lead.id}@fr-consultants.test>"
    plain, html = text_and_html(message)
    for expected in (
        lead.reference,
        "Jeanne Dupont",
        "jeanne.dupont@exemple.fr",
        "+33612345678",
        "Association ou autre structure de l'ESS",
        "Lyon 1er",
        "Créer un PTCE",
        "faq/ptce_definition",
        "12/03/2025 à 14:05 (heure de Paris), version 2025-01",
        "Canal : socketio",
        "Visiteur : C'est quoi un PTCE ?",
        "Assistant : Un pôle territorial",
        "<script>alert('x')</script>",
    ):
        assert expected in plain
    assert "<script>" not in html and "<b>Pentes" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "Les &lt;b&gt;Pentes&lt;/b&gt; &amp; Cie" in html
    assert lead.reference in html and "Visiteur : C&#x27;est quoi un PTCE ?" in html


def test_the_subject_cannot_inject_headers(
    smtp, sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    smtp.start()
    lead = sqlite_store.create(
        make_lead(organisation="Acme\r\nBcc: victime@exemple.fr", need="inconnu"), ["email"]
    )
    asyncio.run(EmailDestination.from_env(smtp.env()).send(lead))

    [message] = smtp.messages
    assert message["Subject"] == "Nouveau contact PTCE : Acme Bcc: victime@exemple.fr – inconnu"
    assert message["Bcc"] is None
    assert smtp.envelopes[0].rcpt_tos == smtp.recipients


def test_a_closed_smtp_port_raises_to_the_outbox(
    smtp, sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    lead = sqlite_store.create(make_lead(), ["email"])
    with pytest.raises(ConnectionRefusedError):
        asyncio.run(EmailDestination.from_env(smtp.env()).send(lead))


def test_the_webhook_is_signed_and_idempotent(
    webhook, sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    webhook.start()
    lead = sqlite_store.create(make_lead(), ["webhook"])
    asyncio.run(WebhookDestination.from_env(webhook.env()).send(lead))

    [call] = webhook.calls
    assert call.signature_valid and call.status == 204
    assert call.idempotency_key == lead.id
    assert json.loads(call.body) == lead.as_dict()
    assert json.loads(call.body)["created_at"].endswith("+00:00")


@pytest.mark.parametrize(
    "status, delivered",
    [(200, True), (299, True), (300, False), (302, False), (404, False), (500, False)],
)
def test_only_a_2xx_answer_is_a_delivery(
    status: int,
    delivered: bool,
    webhook,
    sqlite_store: LeadStore,
    make_lead: Callable[..., LeadInput],
) -> None:
    webhook.status = status
    webhook.start()
    lead = sqlite_store.create(make_lead(), ["webhook"])
    send = WebhookDestination.from_env(webhook.env()).send
    if delivered:
        asyncio.run(send(lead))
    else:
        with pytest.raises(DeliveryError, match=f"HTTP {status}"):
            asyncio.run(send(lead))
    assert [call.status for call in webhook.calls] == [status]


def test_a_wrong_secret_is_refused_by_the_receiver(
    webhook, sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    webhook.start()
    lead = sqlite_store.create(make_lead(), ["webhook"])
    forger = WebhookDestination(url=webhook.url, secret="pas-le-bon")
    with pytest.raises(DeliveryError, match="HTTP 401"):
        asyncio.run(forger.send(lead))
    assert not webhook.calls[0].signature_valid


def test_a_slow_webhook_times_out(
    webhook, sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    webhook.delay = 1.0
    webhook.start()
    lead = sqlite_store.create(make_lead(), ["webhook"])
    impatient = WebhookDestination(url=webhook.url, secret=webhook.secret, timeout=0.2)
    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(impatient.send(lead))


def test_the_webhook_signs_the_time_of_sending(
    webhook, sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    webhook.start()
    lead = sqlite_store.create(make_lead(), ["webhook"])
    before = int(time.time())
    asyncio.run(WebhookDestination.from_env(webhook.env()).send(lead))

    [call] = webhook.calls
    assert call.timestamp is not None and before <= int(call.timestamp) <= time.time()
    signed = call.timestamp.encode() + b"." + call.body
    assert call.signature == hmac.new(webhook.secret.encode(), signed, "sha256").hexdigest()


@pytest.mark.parametrize("age, status", [(0, 204), (299, 204), (301, 401), (3600, 401)])
def test_the_receiver_refuses_a_replay_older_than_five_minutes(
    age: int,
    status: int,
    webhook,
    sqlite_store: LeadStore,
    make_lead: Callable[..., LeadInput],
) -> None:
    """Someone who captured a signed request replays it later, byte for byte."""
    webhook.start()
    lead = sqlite_store.create(make_lead(), ["webhook"])
    asyncio.run(WebhookDestination.from_env(webhook.env()).send(lead))
    [sent] = webhook.calls

    # The receiver's clock, ``age`` seconds after the signed timestamp: measured from
    # the wall clock, the second the signature truncates and the time the replay took
    # pushed a 299 s replay past 300 s on a loaded machine.
    webhook.clock = lambda: int(sent.timestamp) + age
    asyncio.run(_replay(webhook.url, sent.body, sent.headers))
    assert webhook.calls[-1].status == status
    assert webhook.calls[-1].signature_valid is (status == 204)


def test_the_receiver_refuses_a_timestamp_from_the_future_or_missing(
    webhook, sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    webhook.start()
    lead = sqlite_store.create(make_lead(), ["webhook"])
    destination = WebhookDestination.from_env(webhook.env())
    body = destination.body(lead)
    later = int(time.time()) + 600
    future = {"X-Signature-Timestamp": str(later)}
    future["X-Signature-SHA256"] = destination.signature(body, later)
    unsigned_time = {"X-Signature-SHA256": hmac.new(b"x", body, "sha256").hexdigest()}
    for headers in (future, unsigned_time):
        asyncio.run(_replay(webhook.url, body, headers))
    assert [call.status for call in webhook.calls] == [401, 401]


async def _replay(url: str, body: bytes, headers: Mapping[str, str]) -> None:
    """POST ``body`` with the signature headers as given, the way an attacker would resend it."""
    signed = {name: value for name, value in headers.items() if name.startswith("X-Signature")}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=body, headers=signed):
            pass


def test_the_webhook_says_its_body_is_utf8_json(
    webhook, sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    webhook.start()
    lead = sqlite_store.create(make_lead(), ["webhook"])
    asyncio.run(WebhookDestination.from_env(webhook.env()).send(lead))
    assert webhook.calls[0].content_type.lower() == "application/json; charset=utf-8"


class RedirectingServer(LoopbackHttpServer):
    """A receiver that answers every POST with a redirect to ``target``."""

    def __init__(self, port: int, target: str) -> None:
        super().__init__(port)
        self.target = target

    def start(self) -> None:
        target = self.target

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self.send_response(307)
                self.send_header("Location", target)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                """Quiet."""

        self.serve(Handler)


def test_a_redirect_is_refused_rather_than_followed(
    webhook, sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    """A lead goes only to the configured URL, never where a redirect points."""
    webhook.start()
    redirecting = RedirectingServer(free_port(), webhook.url)
    redirecting.start()
    try:
        lead = sqlite_store.create(make_lead(), ["webhook"])
        destination = WebhookDestination(
            url=f"http://127.0.0.1:{redirecting.port}/leads", secret="s"
        )
        with pytest.raises(DeliveryError, match="HTTP 307"):
            asyncio.run(destination.send(lead))
    finally:
        redirecting.stop()
    assert webhook.calls == []


def test_a_relay_that_never_answers_times_out(
    sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    """The connection is accepted but no greeting comes: the send gives up after its timeout.

    The socket is closed after 3 s whatever happens, so a send without a timeout fails
    this test instead of hanging the run."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    closer = threading.Timer(3, silent.close)
    closer.start()
    try:
        mute = EmailDestination(
            host="127.0.0.1",
            sender="a@b.fr",
            recipients=("c@d.fr",),
            port=silent.getsockname()[1],
            timeout=0.3,
        )
        lead = sqlite_store.create(make_lead(), ["email"])
        with pytest.raises(smtplib.SMTPServerDisconnected, match="timed out"):
            asyncio.run(mute.send(lead))
    finally:
        closer.cancel()
        silent.close()
