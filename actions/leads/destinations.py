"""Where a lead is sent: the team's mailbox (SMTP) and a webhook (CRM, automation).

Each destination is a thin client configured from the environment, with a 10 s
timeout, whose ``send`` raises on failure; the outbox decides what a failure means.
A destination whose variables are absent is simply not configured (development and
CI run without any), while a half-filled configuration is a ``ConfigError``.
"""

import asyncio
import hashlib
import hmac
import html
import json
import os
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, ClassVar, Dict, List, Mapping, Optional, Protocol, Tuple
from urllib.parse import urlsplit

import aiohttp

from actions.leads.store import PARIS, Lead
from actions.leads.validation import NEEDS, ORGANISATION_TYPES

TIMEOUT_SECONDS = 10.0
SENDERS = {"user": "Visiteur", "bot": "Assistant"}


class ConfigError(ValueError):
    """A destination's environment variables are incomplete or malformed."""


class DeliveryError(RuntimeError):
    """A destination answered, but refused the lead."""


class Destination(Protocol):
    """Anything the outbox can hand a lead to."""

    name: str

    async def send(self, lead: Lead) -> None:
        """Deliver ``lead``, or raise."""


@dataclass(frozen=True)
class EmailDestination:
    """The team's mailbox, through an SMTP relay (STARTTLS and login when configured)."""

    name: ClassVar[str] = "email"

    host: str
    sender: str
    recipients: Tuple[str, ...]
    port: int = 587
    user: Optional[str] = None
    password: Optional[str] = field(default=None, repr=False)
    starttls: bool = True
    timeout: float = TIMEOUT_SECONDS

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Optional["EmailDestination"]:
        """The destination described by the ``LEADS_SMTP_*``/``LEADS_EMAIL_*`` variables."""
        host = env.get("LEADS_SMTP_HOST", "").strip()
        if not host:
            return None
        sender = env.get("LEADS_EMAIL_FROM", "").strip()
        recipients = tuple(
            address.strip()
            for address in env.get("LEADS_EMAIL_TO", "").split(",")
            if address.strip()
        )
        if not sender or not recipients:
            raise ConfigError(
                "LEADS_SMTP_HOST is set: LEADS_EMAIL_FROM and LEADS_EMAIL_TO are required"
            )
        port_text = env.get("LEADS_SMTP_PORT", "587").strip() or "587"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ConfigError(f"LEADS_SMTP_PORT must be a port number, not {port_text!r}")
        return cls(
            host=host,
            sender=sender,
            recipients=recipients,
            port=int(port_text),
            user=env.get("LEADS_SMTP_USER") or None,
            password=env.get("LEADS_SMTP_PASSWORD") or None,
            starttls=_boolean(env.get("LEADS_SMTP_STARTTLS", "true"), "LEADS_SMTP_STARTTLS"),
        )

    async def send(self, lead: Lead) -> None:
        """Send the lead's e-mail from a worker thread: smtplib blocks."""
        await asyncio.to_thread(self._send_blocking, self.build_message(lead))

    def _send_blocking(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)

    def build_message(self, lead: Lead) -> EmailMessage:
        """The French e-mail: plain text, an HTML alternative, a stable Message-ID.

        The Message-ID comes from the lead id, so a retry after a lost answer from the
        relay is the same message, which mail systems can recognise as a duplicate.
        """
        message = EmailMessage()
        message["Subject"] = _single_line(
            f"Nouveau contact PTCE : {lead.organisation} – {NEEDS.get(lead.need, lead.need)}"
        )
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message["Reply-To"] = _single_line(lead.email)
        message["Date"] = format_datetime(lead.created_at)
        domain = self.sender.rpartition("@")[2].strip(" >") or "localhost"
        message["Message-ID"] = f"<lead-{lead.id}@{domain}>"
        fields = _fields(lead)
        # Quoted-printable keeps the French text 7-bit clean for any relay.
        message.set_content(_plain_text(lead, fields), cte="quoted-printable")
        message.add_alternative(_html(lead, fields), subtype="html", cte="quoted-printable")
        return message


@dataclass(frozen=True)
class WebhookDestination:
    """An HTTPS endpoint that receives the lead as signed JSON."""

    name: ClassVar[str] = "webhook"

    url: str
    secret: str = field(repr=False)
    timeout: float = TIMEOUT_SECONDS

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Optional["WebhookDestination"]:
        """The destination described by ``LEADS_WEBHOOK_URL`` and ``LEADS_WEBHOOK_SECRET``."""
        url = env.get("LEADS_WEBHOOK_URL", "").strip()
        if not url:
            return None
        if urlsplit(url).scheme not in ("http", "https"):
            raise ConfigError("LEADS_WEBHOOK_URL must be an http(s) URL")
        secret = env.get("LEADS_WEBHOOK_SECRET", "")
        if not secret:
            raise ConfigError("LEADS_WEBHOOK_URL is set: LEADS_WEBHOOK_SECRET is required to sign")
        return cls(url=url, secret=secret)

    def body(self, lead: Lead) -> bytes:
        """The exact bytes sent and signed."""
        return json.dumps(lead.as_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8")

    def signature(self, body: bytes, timestamp: int) -> str:
        """Hex HMAC-SHA256 of ``"<timestamp>.<body>"``, the receiver recomputes it.

        The time of sending is signed with the body so that a receiver refusing old
        timestamps (five minutes in the README) cannot be fed a captured request later:
        a replayer can neither reuse the old time nor put a new one without the secret.
        """
        signed = str(timestamp).encode("ascii") + b"." + body
        return hmac.new(self.secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()

    async def send(self, lead: Lead) -> None:
        """POST the lead; any status outside 2xx (redirects included) is a failure."""
        body = self.body(lead)
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Signature-Timestamp": str(timestamp),
            "X-Signature-SHA256": self.signature(body, timestamp),
            "Idempotency-Key": lead.id,
        }
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(
                self.url, data=body, headers=headers, allow_redirects=False
            ) as response:
                if not 200 <= response.status < 300:
                    raise DeliveryError(f"webhook answered HTTP {response.status}")


def declared_destinations(env: Optional[Mapping[str, str]] = None) -> List[str]:
    """The destinations whose main variable is set, even if the rest is wrong.

    A lead is queued for these, so that fixing the configuration later delivers it.
    """
    env = os.environ if env is None else env
    names = []
    if env.get("LEADS_SMTP_HOST", "").strip():
        names.append(EmailDestination.name)
    if env.get("LEADS_WEBHOOK_URL", "").strip():
        names.append(WebhookDestination.name)
    return names


def destinations_from_env(env: Optional[Mapping[str, str]] = None) -> Dict[str, Destination]:
    """The configured destinations by name (``email``, ``webhook``); may be empty."""
    env = os.environ if env is None else env
    found: Dict[str, Destination] = {}
    for kind in (EmailDestination, WebhookDestination):
        destination = kind.from_env(env)
        if destination is not None:
            found[kind.name] = destination
    return found


def _boolean(text: str, variable: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on", "oui"):
        return True
    if value in ("0", "false", "no", "off", "non"):
        return False
    raise ConfigError(f"{variable} must be true or false, not {text!r}")


def _single_line(text: str) -> str:
    """``text`` on one line: CR/LF (and other line breaks) could inject a header."""
    return " ".join(str(text).splitlines()).strip()


def _paris(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%d/%m/%Y à %H:%M (heure de Paris)")


def _fields(lead: Lead) -> List[Tuple[str, str]]:
    """The lead's fields as (French label, text), in reading order."""
    return [
        ("Référence", lead.reference),
        ("Reçu le", _paris(lead.created_at)),
        ("Nom", lead.name),
        ("E-mail", lead.email),
        ("Téléphone", lead.phone or "non communiqué"),
        ("Structure", lead.organisation),
        (
            "Type de structure",
            ORGANISATION_TYPES.get(lead.organisation_type, lead.organisation_type),
        ),
        ("Territoire", lead.territory),
        ("Besoin", NEEDS.get(lead.need, lead.need)),
        ("Sujet de la conversation", lead.topic or "non précisé"),
        ("Consentement", f"donné le {_paris(lead.consent_at)}, version {lead.consent_version}"),
        ("Canal", lead.channel),
    ]


def _context_lines(context: List[Any]) -> List[str]:
    """The last messages as "Visiteur : …" lines, whatever shape the form stored."""
    lines = []
    for item in context:
        if isinstance(item, Mapping):
            sender = SENDERS.get(str(item.get("sender", "")), str(item.get("sender", "?")))
            lines.append(f"{sender} : {item.get('text', '')}")
        else:
            lines.append(str(item))
    return lines


def _plain_text(lead: Lead, fields: List[Tuple[str, str]]) -> str:
    parts = ["Nouveau contact reçu par l'assistant PTCE.", ""]
    parts += [f"{label} : {value}" for label, value in fields]
    parts += ["", "Message :", lead.message]
    context = _context_lines(lead.context)
    if context:
        parts += ["", "Derniers messages de la conversation :"]
        parts += [f"- {line}" for line in context]
    return "\n".join(parts) + "\n"


def _html(lead: Lead, fields: List[Tuple[str, str]]) -> str:
    """The HTML part; every value from the visitor goes through ``html.escape``."""
    escape = html.escape
    rows = "\n".join(
        f'<tr><th align="left">{escape(label)}</th><td>{escape(value)}</td></tr>'
        for label, value in fields
    )
    context = "".join(f"<li>{escape(line)}</li>" for line in _context_lines(lead.context))
    context_block = (
        f"<h3>Derniers messages de la conversation</h3><ul>{context}</ul>" if context else ""
    )
    return (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head><body>'
        "<p>Nouveau contact reçu par l'assistant PTCE.</p>"
        f"<table>{rows}</table>"
        "<h3>Message</h3>"
        f'<p style="white-space: pre-wrap">{escape(lead.message)}</p>'
        f"{context_block}</body></html>\n"
    )
