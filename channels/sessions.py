"""The widget's session ids: issued by the server and signed, so nobody picks one.

rasa-webchat keeps the id the server confirms in ``session_confirm`` (in the
tab's sessionStorage) and sends it back in ``session_request`` after a reload,
which is how the conversation survives reloads. Rasa's stock channel takes back
any id it is given, so whoever knows or guesses another visitor's id continues
that conversation. Here an id is ``<conversation>.<signature>``: a random
``uuid4().hex`` (the conversation's sender id in the tracker store) and an HMAC of
it keyed by ``WEBCHAT_SESSION_SECRET`` (``channels/secret.py``). An id that does
not verify (unsigned, altered, signed by another deployment's secret) gets a new
conversation and a new id. The signature never reaches the tracker store: only
the conversation part is the sender id.
"""

import hmac
import re
import uuid
from typing import Any, Optional

from channels.secret import keyed_digest

SIGNATURE_LENGTH = 32
SESSION_ID = re.compile(r"^([0-9a-f]{32})\.([0-9a-f]{%d})$" % SIGNATURE_LENGTH)


def sign(conversation: str) -> str:
    """The session id of ``conversation``, signed with this deployment's secret."""
    return f"{conversation}.{keyed_digest('webchat-session', conversation)[:SIGNATURE_LENGTH]}"


def issue() -> str:
    """A new session id for a new conversation."""
    return sign(uuid.uuid4().hex)


def conversation_of(session_id: Any) -> Optional[str]:
    """The conversation a session id names, or None when this deployment did not issue it."""
    match = SESSION_ID.match(session_id) if isinstance(session_id, str) else None
    if match is None or not hmac.compare_digest(session_id, sign(match[1])):
        return None
    return match[1]
