"""The Rasa servers' secret, ``WEBCHAT_SESSION_SECRET``: it signs the widget's session
ids (``channels/sessions.py``) and keys the visitor pseudonyms of the flood limits
(``channels/visitor.py``), each use under a key of its own derived from it.

Every replica must have the same secret, or an id signed by one is refused by the
other and a visitor counts as a different one on each. The compose file requires
it. Unset (``make run``, the tests), each process draws its own at start-up and
logs a warning: sessions then last as long as the process, which is fine on one
development server. A secret shorter than 32 characters stops the server.
"""

import hashlib
import hmac
import logging
import os
import secrets
from functools import lru_cache

logger = logging.getLogger(__name__)

SECRET_VARIABLE = "WEBCHAT_SESSION_SECRET"
MIN_SECRET_LENGTH = 32


@lru_cache(maxsize=1)
def server_secret() -> bytes:
    """The secret of this deployment, or one for this process when none is set."""
    value = os.environ.get(SECRET_VARIABLE, "").strip()
    if not value:
        logger.warning(
            "%s is not set: this process signs with a secret of its own, so widget sessions "
            "end when it stops and replicas do not share visitors. Set it in production "
            "(the same value on every replica).",
            SECRET_VARIABLE,
        )
        return secrets.token_bytes(32)
    if len(value) < MIN_SECRET_LENGTH:
        raise ValueError(
            f"{SECRET_VARIABLE} must hold at least {MIN_SECRET_LENGTH} characters "
            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)."
        )
    return value.encode("utf-8")


def keyed_digest(purpose: str, message: str) -> str:
    """HMAC-SHA256 of ``message`` under the key derived for ``purpose``, in hex."""
    key = hmac.new(server_secret(), purpose.encode("utf-8"), hashlib.sha256).digest()
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()
