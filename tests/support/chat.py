"""Talking to the Rasa server over its REST channel, as a visitor would."""

import uuid
from typing import List

import requests


def say(rasa_url: str, message: str, sender: str = "") -> List[dict]:
    """Send one message and return the bot's replies."""
    response = requests.post(
        f"{rasa_url}/webhooks/rest/webhook",
        json={"sender": sender or uuid.uuid4().hex, "message": message},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


def text_of(replies: List[dict]) -> str:
    """The texts of the replies, one per line."""
    return "\n".join(reply.get("text", "") for reply in replies)
