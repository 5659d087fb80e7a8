"""The e-mail and webhook destinations against real servers on loopback."""

import asyncio
import json
from typing import Any, Callable, Dict, Tuple

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


@pytest.mark.parametrize("status", [500, 302, 404])
def test_a_non_2xx_answer_is_a_failure(
    status: int, webhook, sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    webhook.status = status
    webhook.start()
    lead = sqlite_store.create(make_lead(), ["webhook"])
    with pytest.raises(DeliveryError, match=f"HTTP {status}"):
        asyncio.run(WebhookDestination.from_env(webhook.env()).send(lead))


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
