"""The e-mail and webhook destinations against real servers on loopback."""

import asyncio
import hashlib
import hmac
import json
import time
from email.utils import parsedate_to_datetime
from html import escape as html_escape
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, Tuple
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from actions.leads.destinations import (
    ConfigError,
    DeliveryError,
    EmailDestination,
    WebhookDestination,
    declared_destinations,
    destinations_from_env,
)
from actions.leads.store import LeadInput, LeadStore


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
        "conv-1 (socketio)",
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
    "status, delivered", [(200, True), (299, True), (302, False), (404, False), (500, False)]
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
        "Une simple ligne",
    ]
    lead = sqlite_store.create(make_lead(context=context), [])
    plain, html = _text_and_html(_message_for(lead))
    told = [
        "Visiteur : Bonjour",
        "Assistant : Bienvenue",
        "agent : Un humain",
        "? : Sans auteur",
        "Une simple ligne",
    ]
    assert plain.endswith(
        "\nDerniers messages de la conversation :\n" + "".join(f"- {line}\n" for line in told)
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
        "Conversation : conv-1 (socketio)",
    ]
    assert plain.splitlines()[2:14] == fields
    for line in fields:
        label, value = line.split(" : ", 1)
        row = f'<tr><th align="left">{html_escape(label)}</th><td>{html_escape(value)}</td></tr>'
        assert row in html
    assert f'<p style="white-space: pre-wrap">{html_escape(lead.message)}</p>' in html
    assert html.startswith('<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head>')
