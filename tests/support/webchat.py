"""Talking to the widget's socket.io channel as rasa-webchat does, without a browser.

python-socketio's ``AsyncClient`` with the page's ``Origin``, over long-polling
(python-engineio 4.15's WebSocket client needs aiohttp 3.10, Rasa pins 3.9):
``session_request`` with the stored id, ``session_confirm``, then ``user_uttered``
with ``customData``, and the ``bot_uttered`` messages that come back. The browser
tests check what the widget itself does; these tests send what a script can (huge
metadata, non-text messages, forged session ids).
"""

import asyncio
import json
from typing import Any, Dict, List, Optional

import socketio

QUIET_SECONDS = 0.6


class Utf8Json:
    """JSON as browsers send it, UTF-8 rather than ``\\u`` escapes (python-socketio's
    ``json`` option takes any object with ``dumps`` and ``loads``)."""

    @staticmethod
    def dumps(value: Any, **options: Any) -> str:
        return json.dumps(value, ensure_ascii=False, **options)

    @staticmethod
    def loads(text: str, **options: Any) -> Any:
        return json.loads(text, **options)


REPLY_TIMEOUT = 30.0


def conversation(session_id: str) -> str:
    """The conversation (tracker sender id) a signed session id names: its first part."""
    return session_id.split(".")[0]


class WebchatClient:
    """One socket.io connection to the Rasa server, in one session."""

    def __init__(self, rasa_url: str, origin: str) -> None:
        self.rasa_url, self.origin = rasa_url, origin
        self.sio = socketio.AsyncClient(reconnection=False, json=Utf8Json)
        self.replies: "asyncio.Queue[Dict[str, Any]]" = asyncio.Queue()
        self.confirmed: "asyncio.Queue[Any]" = asyncio.Queue()
        self.session_id: Optional[str] = None
        self.sio.on("bot_uttered", self.replies.put_nowait)
        self.sio.on("session_confirm", self.confirmed.put_nowait)

    async def connect(self, session_id: Optional[str] = None) -> str:
        """Connect and ask for ``session_id``; the session id the server confirms."""
        await self.sio.connect(
            self.rasa_url,
            headers={"Origin": self.origin},
            transports=["polling"],
            socketio_path="/socket.io",
        )
        await self.sio.emit("session_request", {"session_id": session_id})
        confirmed = await asyncio.wait_for(self.confirmed.get(), REPLY_TIMEOUT)
        self.session_id = confirmed.get("session_id") if isinstance(confirmed, dict) else confirmed
        return self.session_id

    async def send(self, data: Any) -> List[Dict[str, Any]]:
        """Emit ``user_uttered`` with ``data`` as is; the replies until the bot is quiet."""
        await self.sio.emit("user_uttered", data)
        replies = [await asyncio.wait_for(self.replies.get(), REPLY_TIMEOUT)]
        while True:
            try:
                replies.append(await asyncio.wait_for(self.replies.get(), QUIET_SECONDS))
            except asyncio.TimeoutError:
                return replies

    async def say(self, text: Any, custom_data: Any = None) -> List[Dict[str, Any]]:
        """A message as the widget sends it, in this client's session."""
        data = {"message": text, "session_id": self.session_id}
        if custom_data is not None:
            data["customData"] = custom_data
        return await self.send(data)

    async def close(self) -> None:
        """Close the Engine.IO connection (the server then ends the socket.io session)
        without waiting up to 25 s for the pending long-poll, as ``sio.disconnect`` does."""
        await self.sio.eio.disconnect(abort=True)
