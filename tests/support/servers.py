"""Real servers the tests send to: SMTP (aiosmtpd) and a CRM webhook, on loopback.

Nothing is mocked: e-mails go through smtplib to aiosmtpd, and webhooks over HTTP
to a server that checks the HMAC signature and its timestamp the way a CRM's
receiver should (the README documents that check).
"""

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Mapping, Optional

from aiosmtpd.controller import Controller

WEBHOOK_SECRET = "secret-de-test-webhook"
WEBHOOK_TOLERANCE_SECONDS = 300
EMAIL_FROM = "assistant@fr-consultants.test"
EMAIL_TO = ["equipe@fr-consultants.test", "direction@fr-consultants.test"]


class LoopbackHttpServer:
    """A threaded ``http.server`` on 127.0.0.1: subclasses build the handler in ``start``."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._server: Optional[ThreadingHTTPServer] = None

    def serve(self, handler: type) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 that keeps what it receives; start it when needed."""

    sender = EMAIL_FROM
    recipients = EMAIL_TO

    def __init__(self, port: int) -> None:
        self.port = port
        self.envelopes: List[Any] = []
        self.reply_to_data: Optional[str] = None
        self._controller: Optional[Controller] = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reply_to_data:
            return self.reply_to_data
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> List[EmailMessage]:
        return [message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]

    def env(self) -> Dict[str, str]:
        return {
            "LEADS_SMTP_HOST": "127.0.0.1",
            "LEADS_SMTP_PORT": str(self.port),
            "LEADS_SMTP_STARTTLS": "false",
            "LEADS_EMAIL_FROM": EMAIL_FROM,
            "LEADS_EMAIL_TO": ", ".join(EMAIL_TO),
        }

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@dataclass
class WebhookCall:
    idempotency_key: Optional[str]
    body: bytes
    signature_valid: bool
    status: int
    headers: Dict[str, str]

    @property
    def timestamp(self) -> Optional[str]:
        return self.headers.get("X-Signature-Timestamp")

    @property
    def signature(self) -> Optional[str]:
        return self.headers.get("X-Signature-SHA256")

    @property
    def content_type(self) -> Optional[str]:
        return next((v for k, v in self.headers.items() if k.lower() == "content-type"), None)


def signature_is_valid(
    secret: str, headers: Mapping[str, str], body: bytes, now: float, tolerance: int
) -> bool:
    """The receiver's check, written apart from the sender's code so a shared bug shows.

    The timestamp must be signed with the body and within ``tolerance`` seconds of
    ``now`` either way: older is a replay, much newer a forged or broken clock.
    """
    timestamp = headers.get("X-Signature-Timestamp", "")
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance:
        return False
    signed = timestamp.encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers.get("X-Signature-SHA256", ""))


class WebhookServer(LoopbackHttpServer):
    """An HTTP server that checks the signature and its age, like a CRM's receiver should.

    ``clock`` is the receiver's time: a test moves it forward to replay a request late.
    """

    def __init__(self, port: int, secret: str = WEBHOOK_SECRET) -> None:
        super().__init__(port)
        self.secret = secret
        self.calls: List[WebhookCall] = []
        self.status = 204
        self.delay = 0.0
        self.clock: Callable[[], float] = time.time

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/leads"

    @property
    def accepted(self) -> List[WebhookCall]:
        return [call for call in self.calls if 200 <= call.status < 300]

    def env(self) -> Dict[str, str]:
        return {"LEADS_WEBHOOK_URL": self.url, "LEADS_WEBHOOK_SECRET": WEBHOOK_SECRET}

    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = dict(self.headers.items())
                valid = signature_is_valid(  # self.headers: names compared case-insensitively
                    owner.secret, self.headers, body, owner.clock(), WEBHOOK_TOLERANCE_SECONDS
                )
                status = owner.status if valid else 401
                owner.calls.append(
                    WebhookCall(self.headers.get("Idempotency-Key"), body, valid, status, headers)
                )
                time.sleep(owner.delay)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                """Quiet: the test reads ``calls``."""

        self.serve(Handler)
