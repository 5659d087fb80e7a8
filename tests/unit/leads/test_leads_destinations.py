"""The e-mail and webhook destinations against real servers on loopback."""

import asyncio
import hashlib
import hmac
import io
import json
import smtplib
import socket
import threading
import time
from email.utils import parsedate_to_datetime
from html import escape as html_escape
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, Tuple
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from actions.leads.cli import write_csv
from actions.leads.destinations import (
    ConfigError,
    DeliveryError,
    EmailDestination,
    WebhookDestination,
    declared_destinations,
    destinations_from_env,
)
from actions.leads.store import LeadInput, LeadStore
from tests.support.ports import free_port
from tests.support.servers import LoopbackHttpServer


def _text_and_html(message: Any) -> Tuple[str, str]:
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return plain, html


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
    plain, html = _text_and_html(message)
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


def test_configuration_from_the_environment() -> None:
    assert destinations_from_env({}) == {}
    assert declared_destinations({}) == []
    env = {
        "LEADS_SMTP_HOST": "smtp.exemple.fr",
        "LEADS_SMTP_USER": "robot",
        "LEADS_SMTP_PASSWORD": "mot-de-passe",
        "LEADS_EMAIL_FROM": "robot@exemple.fr",
        "LEADS_EMAIL_TO": " a@exemple.fr, ,b@exemple.fr ",
        "LEADS_WEBHOOK_URL": "https://crm.exemple.fr/hooks/leads",
        "LEADS_WEBHOOK_SECRET": "s",
    }
    found = destinations_from_env(env)
    assert sorted(found) == ["email", "webhook"]
    email = found["email"]
    assert isinstance(email, EmailDestination)
    assert (email.port, email.starttls, email.timeout) == (587, True, 10.0)
    assert email.recipients == ("a@exemple.fr", "b@exemple.fr")
    assert found["webhook"].timeout == 10.0
    assert not EmailDestination.from_env({**env, "LEADS_SMTP_STARTTLS": "false"}).starttls


@pytest.mark.parametrize(
    "env, message",
    [
        ({"LEADS_SMTP_HOST": "h", "LEADS_EMAIL_FROM": "a@b.fr"}, "LEADS_EMAIL_TO"),
        ({"LEADS_SMTP_HOST": "h", "LEADS_EMAIL_TO": "a@b.fr"}, "LEADS_EMAIL_FROM"),
        (
            {
                "LEADS_SMTP_HOST": "h",
                "LEADS_EMAIL_FROM": "a@b.fr",
                "LEADS_EMAIL_TO": "c@d.fr",
                "LEADS_SMTP_PORT": "smtp",
            },
            "LEADS_SMTP_PORT",
        ),
        (
            {
                "LEADS_SMTP_HOST": "h",
                "LEADS_EMAIL_FROM": "a@b.fr",
                "LEADS_EMAIL_TO": "c@d.fr",
                "LEADS_SMTP_STARTTLS": "peut-être",
            },
            "LEADS_SMTP_STARTTLS",
        ),
        ({"LEADS_WEBHOOK_URL": "https://crm.exemple.fr"}, "LEADS_WEBHOOK_SECRET"),
        ({"LEADS_WEBHOOK_URL": "ftp://crm.exemple.fr", "LEADS_WEBHOOK_SECRET": "s"}, "http"),
    ],
)
def test_half_configured_destinations_are_config_errors(env: Dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        destinations_from_env(env)
    assert declared_destinations(env) in (["email"], ["webhook"])


SMTP_ENV = {
    "LEADS_SMTP_HOST": " smtp.exemple.fr ",
    "LEADS_EMAIL_FROM": "robot@exemple.fr",
    "LEADS_EMAIL_TO": "a@exemple.fr",
}


@pytest.mark.parametrize(
    "port, expected",
    [("", 587), (" 2525 ", 2525), ("1", 1), ("65535", 65535), ("0", None), ("65536", None)],
)
def test_the_smtp_port_is_a_port_number(port: str, expected: Any) -> None:
    env = {**SMTP_ENV, "LEADS_SMTP_PORT": port}
    if expected is None:
        with pytest.raises(ConfigError, match=f"not {port!r}"):
            EmailDestination.from_env(env)
    else:
        assert EmailDestination.from_env(env).port == expected


def test_smtp_settings_are_trimmed_and_empty_credentials_are_none() -> None:
    email = EmailDestination.from_env(
        {**SMTP_ENV, "LEADS_SMTP_USER": "", "LEADS_SMTP_PASSWORD": ""}
    )
    assert (email.host, email.sender, email.user, email.password) == (
        "smtp.exemple.fr",
        "robot@exemple.fr",
        None,
        None,
    )
    assert "mot-de-passe" not in repr(
        EmailDestination.from_env({**SMTP_ENV, "LEADS_SMTP_PASSWORD": "mot-de-passe"})
    )


@pytest.mark.parametrize("text", ["1", "true", " TRUE ", "yes", "on", "oui"])
def test_starttls_can_be_said_on_in_every_usual_way(text: str) -> None:
    assert EmailDestination.from_env({**SMTP_ENV, "LEADS_SMTP_STARTTLS": text}).starttls


@pytest.mark.parametrize("text", ["0", "false", "No", "off", "non"])
def test_starttls_can_be_said_off_in_every_usual_way(text: str) -> None:
    assert not EmailDestination.from_env({**SMTP_ENV, "LEADS_SMTP_STARTTLS": text}).starttls


def test_the_webhook_settings_are_trimmed_and_its_secret_hidden() -> None:
    webhook = WebhookDestination.from_env(
        {"LEADS_WEBHOOK_URL": " http://crm.exemple.fr/leads ", "LEADS_WEBHOOK_SECRET": "s3cret"}
    )
    assert (webhook.url, webhook.secret) == ("http://crm.exemple.fr/leads", "s3cret")
    assert "s3cret" not in repr(webhook)
    assert WebhookDestination.from_env({"LEADS_WEBHOOK_URL": "  "}) is None
    assert declared_destinations({"LEADS_SMTP_HOST": " ", "LEADS_WEBHOOK_URL": " "}) == []


def test_the_webhook_body_is_the_lead_in_sorted_utf8_json_and_signed_with_hmac_sha256(
    sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    lead = sqlite_store.create(make_lead(territory="Évreux"), [])
    webhook = WebhookDestination(url="https://crm.exemple.fr/leads", secret="s3cret")
    body = webhook.body(lead)
    assert body == json.dumps(lead.as_dict(), ensure_ascii=False, sort_keys=True).encode()
    assert "Évreux".encode() in body
    expected = hmac.new(b"s3cret", b"1767225600." + body, hashlib.sha256).hexdigest()
    assert webhook.signature(body, 1767225600) == expected


# The README's test vector: a CRM developer checks their receiver against it.
VECTOR_SECRET = "whsec-exemple-ptce"
VECTOR_TIMESTAMP = 1767225600  # 2026-01-01T00:00:00Z
VECTOR_BODY = b'{"id":"3f2b8c1e","reference":"PTCE-0001"}'
VECTOR_SIGNATURE = "1b0d4627676f915ccce5763034faeec0ea45b6e56f5c278b3feb21d087bedd77"


def test_the_signed_test_vector_and_the_readme_agree() -> None:
    webhook = WebhookDestination(url="https://crm.exemple.fr/leads", secret=VECTOR_SECRET)
    assert webhook.signature(VECTOR_BODY, VECTOR_TIMESTAMP) == VECTOR_SIGNATURE
    readme = (Path(__file__).parents[3] / "README.md").read_text(encoding="utf-8")
    for value in (VECTOR_SECRET, str(VECTOR_TIMESTAMP), VECTOR_BODY.decode(), VECTOR_SIGNATURE):
        assert value in readme


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

    webhook.clock = lambda: time.time() + age
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


def _message_for(lead: Any, sender: str = "Assistant PTCE <robot@exemple.fr>") -> Any:
    destination = EmailDestination(host="h", sender=sender, recipients=("a@b.fr", "c@d.fr"))
    return destination.build_message(lead)


def test_the_email_headers(sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]) -> None:
    lead = sqlite_store.create(make_lead(), [])
    message = _message_for(lead)
    assert message["From"] == "Assistant PTCE <robot@exemple.fr>"
    assert message["To"] == "a@b.fr, c@d.fr"
    assert message["Message-ID"] == f"<lead-{lead.id}@exemple.fr>"
    assert parsedate_to_datetime(message["Date"]) == lead.created_at.replace(microsecond=0)


def test_the_email_of_a_lead_without_phone_topic_or_context(
    sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    lead = sqlite_store.create(
        make_lead(phone=None, topic=None, context=[], organisation_type="autre_chose"), []
    )
    plain, html = _text_and_html(_message_for(lead))
    lines = plain.splitlines()
    assert lines[:2] == ["Nouveau contact reçu par l'assistant PTCE.", ""]
    assert "Téléphone : non communiqué" in lines
    assert "Sujet de la conversation : non précisé" in lines
    assert "Type de structure : autre_chose" in lines
    assert lines[-3:] == ["", "Message :", lead.message]
    assert "Derniers messages" not in plain and "Derniers messages" not in html


def test_the_context_is_told_whatever_shape_it_was_stored_in(
    sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    context = [
        {"sender": "user", "text": "Bonjour"},
        {"sender": "bot", "text": "Bienvenue"},
        {"sender": "agent", "text": "Un humain"},
        {"text": "Sans auteur"},
        {"sender": "user"},
        "Une simple ligne",
    ]
    lead = sqlite_store.create(make_lead(context=context), [])
    plain, html = _text_and_html(_message_for(lead))
    told = [
        "Visiteur : Bonjour",
        "Assistant : Bienvenue",
        "agent : Un humain",
        "? : Sans auteur",
        "Visiteur : ",
        "Une simple ligne",
    ]
    assert plain.endswith(
        f"\n{lead.message}\n\nDerniers messages de la conversation :\n"
        + "".join(f"- {line}\n" for line in told)
    )
    assert "<h3>Derniers messages de la conversation</h3><ul>" in html
    assert "".join(f"<li>{html_escape(line)}</li>" for line in told) in html


def test_the_email_text_gives_every_field_under_its_french_label(
    sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    lead = sqlite_store.create(make_lead(), [])
    received = lead.created_at.astimezone(ZoneInfo("Europe/Paris"))
    plain, html = _text_and_html(_message_for(lead))
    fields = [
        f"Référence : {lead.reference}",
        f"Reçu le : {received:%d/%m/%Y à %H:%M} (heure de Paris)",
        "Nom : Jeanne Dupont",
        "E-mail : jeanne.dupont@exemple.fr",
        "Téléphone : +33612345678",
        "Structure : Tiers-lieu des Pentes",
        "Type de structure : Association ou autre structure de l'ESS",
        "Territoire : Lyon 1er",
        "Besoin : Créer un PTCE",
        "Sujet de la conversation : faq/ptce_definition",
        "Consentement : donné le 12/03/2025 à 14:05 (heure de Paris), version 2025-01",
        "Canal : socketio",
    ]
    assert plain.splitlines()[2:14] == fields
    for line in fields:
        label, value = line.split(" : ", 1)
        row = f'<tr><th align="left">{html_escape(label)}</th><td>{html_escape(value)}</td></tr>'
        assert row in html
    assert f'<p style="white-space: pre-wrap">{html_escape(lead.message)}</p>' in html
    assert html.startswith('<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head>')


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


@pytest.mark.parametrize(
    "env, message",
    [
        (
            {"LEADS_SMTP_HOST": "h", "LEADS_EMAIL_FROM": "a@b.fr"},
            "LEADS_SMTP_HOST is set: LEADS_EMAIL_FROM and LEADS_EMAIL_TO are required",
        ),
        (
            {**SMTP_ENV, "LEADS_SMTP_PORT": "smtp"},
            "LEADS_SMTP_PORT must be a port number, not 'smtp'",
        ),
        (
            {**SMTP_ENV, "LEADS_SMTP_STARTTLS": "peut-être"},
            "LEADS_SMTP_STARTTLS must be true or false, not 'peut-être'",
        ),
        (
            {"LEADS_WEBHOOK_URL": "https://crm.exemple.fr"},
            "LEADS_WEBHOOK_URL is set: LEADS_WEBHOOK_SECRET is required to sign",
        ),
        (
            {"LEADS_WEBHOOK_URL": "ftp://crm.exemple.fr", "LEADS_WEBHOOK_SECRET": "s"},
            "LEADS_WEBHOOK_URL must be an http(s) URL",
        ),
    ],
)
def test_configuration_errors_say_what_to_fix_in_words_the_operator_reads(
    env: Dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        destinations_from_env(env)
    assert str(caught.value) == message


def test_the_email_html_is_the_fields_table_then_the_message(
    sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    lead = sqlite_store.create(make_lead(context=[]), [])
    message = _message_for(lead)
    plain, html = _text_and_html(message)
    rows = "\n".join(
        f'<tr><th align="left">{html_escape(label)}</th><td>{html_escape(value)}</td></tr>'
        for label, value in (line.split(" : ", 1) for line in plain.splitlines()[2:14])
    )
    assert html == (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head><body>'
        "<p>Nouveau contact reçu par l'assistant PTCE.</p>"
        f"<table>{rows}</table>"
        "<h3>Message</h3>"
        f'<p style="white-space: pre-wrap">{html_escape(lead.message)}</p>'
        "</body></html>\n"
    )
    # Quoted-printable keeps the French text 7-bit clean for any relay, and readable.
    assert [part["Content-Transfer-Encoding"] for part in message.iter_parts()] == [
        "quoted-printable",
        "quoted-printable",
    ]


def test_the_message_id_is_on_the_domain_of_the_sender_address(
    sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    """The address's domain, not a word of the display name that holds an @."""
    lead = sqlite_store.create(make_lead(), [])
    message = _message_for(lead, sender='"PTCE @ Fr" <robot@Xyz.fr>')
    assert message["Message-ID"] == f"<lead-{lead.id}@Xyz.fr>"


def test_no_output_carries_the_conversation_id(
    sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    """Whoever holds a conversation id can continue or erase that conversation: the
    e-mail, the CRM body and the exports quote the lead's reference instead."""
    lead = sqlite_store.create(make_lead(conversation_id="c0nv-secrete-42"), [])
    email = EmailDestination(host="localhost", sender="a@b.fr", recipients=("c@d.fr",))
    webhook = WebhookDestination(url="https://crm.exemple.fr/leads", secret="s3cret")
    out = io.StringIO()
    write_csv(sqlite_store.export(), out)
    outputs = {
        "e-mail": "".join(_text_and_html(email.build_message(lead))),
        "webhook": webhook.body(lead).decode(),
        "csv": out.getvalue(),
        "json": json.dumps(sqlite_store.export()),
    }
    for name, text in outputs.items():
        assert lead.reference in text, name
        assert "c0nv-secrete-42" not in text, name
