"""An SMTP relay like the firm's: STARTTLS required, then a login, on loopback.

Production sends leads with STARTTLS and a login (``EmailDestination``'s
defaults); a plain test server would let both be removed unnoticed. This one is
aiosmtpd with a certificate the test makes for 127.0.0.1, and refuses any mail
before TLS and a good login. The destination trusts that certificate through
``SSL_CERT_FILE``, which ``ssl.create_default_context()`` reads: the code path
under test is production's own, certificate and host name verified.
"""

import ipaddress
import ssl
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Tuple

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.servers import SmtpServer

SMTP_USER = "assistant-ptce"
SMTP_PASSWORD = "mot-de-passe-du-relais"


class Certificate(NamedTuple):
    """A PEM certificate for 127.0.0.1 and its private key."""

    cert: Path
    key: Path


def make_certificate(folder: Path) -> Certificate:
    """A self-signed certificate valid for 127.0.0.1 and localhost, one day long."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "relais-de-test.local")])
    now = datetime.now(timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    paths = Certificate(folder / "relais.pem", folder / "relais.key")
    paths.cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


class SecureSmtpServer(SmtpServer):
    """``SmtpServer`` that requires STARTTLS, then ``SMTP_USER``'s login, before any mail.

    ``sessions`` records, for each message accepted, whether it came over TLS and
    who had logged in; ``logins`` every (user, password) tried.
    """

    def __init__(self, port: int, certificate: Certificate) -> None:
        super().__init__(port)
        self.certificate = certificate
        self.sessions: List[Dict[str, Any]] = []
        self.logins: List[Tuple[bytes, bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        login = session.auth_data.login.decode() if session.authenticated else None
        self.sessions.append({"tls": session.ssl is not None, "login": login})
        return await super().handle_DATA(server, session, envelope)

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        """Accept only ``SMTP_USER`` with ``SMTP_PASSWORD`` (aiosmtpd's authenticator)."""
        if isinstance(auth_data, LoginPassword):
            self.logins.append((auth_data.login, auth_data.password))
        good = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            SMTP_USER.encode(),
            SMTP_PASSWORD.encode(),
        )
        return AuthResult(success=good, handled=False, auth_data=auth_data)

    def env(self) -> Dict[str, str]:
        """Production's settings: STARTTLS left to its default (on), a user and password."""
        env = {key: value for key, value in super().env().items() if key != "LEADS_SMTP_STARTTLS"}
        return {**env, "LEADS_SMTP_USER": SMTP_USER, "LEADS_SMTP_PASSWORD": SMTP_PASSWORD}

    def start(self) -> None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certificate.cert, self.certificate.key)
        self._controller = Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=context,
            require_starttls=True,
            auth_required=True,
            auth_require_tls=True,
            authenticator=self.authenticate,
        )
        self._controller.start()
