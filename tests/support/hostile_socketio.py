"""A socket.io server that plays a hostile Rasa server, for the widget's browser tests.

The demo page's ``?socket=`` (or a compromised server) can point the widget at a
server that sends whatever it likes. This one confirms any session id and answers
every visitor message with ``messages``, the way Rasa's socket.io channel emits
``bot_uttered``. It runs python-socketio on aiohttp in a thread of its own, on
loopback, and records what the page sent it.
"""

import asyncio
import threading
import uuid
from typing import Any, Dict, List, Optional

import socketio
from aiohttp import web


class HostileSocketServer:
    """socket.io on 127.0.0.1:``port`` answering each ``user_uttered`` with ``messages``."""

    def __init__(self, port: int, messages: List[Dict[str, Any]]) -> None:
        self.port = port
        self.messages = messages
        self.received: List[Any] = []
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._runner: Optional[web.AppRunner] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _server(self) -> socketio.AsyncServer:
        sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            # Any id is taken back, as Rasa does with its own: a reload keeps the history.
            given = data.get("session_id") if isinstance(data, dict) else None
            await sio.emit("session_confirm", {"session_id": given or uuid.uuid4().hex}, to=sid)

        @sio.on("user_uttered")
        async def user_uttered(sid: str, data: Any) -> None:
            self.received.append(data)
            for message in self.messages:
                await sio.emit("bot_uttered", message, to=sid)

        return sio

    async def _start(self) -> None:
        app = web.Application()
        self._server().attach(app)
        # The page's WebSocket may still be open at the end: do not wait a minute for it.
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def _stop(self) -> None:
        """Close the server, then end the tasks socket.io left running (its pings)."""
        if self._runner is not None:
            await self._runner.cleanup()
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def start(self) -> None:
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, daemon=True).start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)

    def stop(self) -> None:
        if self._loop is None:
            return
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._loop = None
