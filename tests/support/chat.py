"""Talking to the Rasa server over its REST channel, as a visitor would."""

import hashlib
import ipaddress
import uuid
from typing import List, Optional

import requests

# IPv6's documentation prefix: one /64 network per test visitor.
VISITORS = ipaddress.ip_network("2001:db8::/32")


def address_of(sender: str) -> str:
    """The client address of the visitor behind ``sender``: one per conversation."""
    index = int.from_bytes(hashlib.sha256(sender.encode()).digest()[:4], "big")
    return str(VISITORS[(index << 64) + 1])


def say(rasa_url: str, message: str, sender: str = "", address: Optional[str] = None) -> List[dict]:
    """Send one message and return the bot's replies.

    The end-to-end servers trust 127.0.0.1 as a proxy (``TRUSTED_PROXIES``), so the
    test plays nginx: ``X-Forwarded-For`` names ``address``, by default one address per
    conversation, as if each came from its own visitor (the flood limits count them).
    """
    sender = sender or uuid.uuid4().hex
    response = requests.post(
        f"{rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": message},
        headers={"X-Forwarded-For": address or address_of(sender)},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


def text_of(replies: List[dict]) -> str:
    """The texts of the replies, one per line."""
    return "\n".join(reply.get("text", "") for reply in replies)
