"""The few Bot API calls the channel makes, over aiohttp.

The stock channel's bug is a session bound to a loop that later closes; here the
session is created inside the running loop on first use (and re-created if the
loop changed), and every call has a timeout.
"""

import asyncio
from typing import Any, Dict, Optional

import aiohttp

DEFAULT_API_BASE_URL = "https://api.telegram.org"
REQUEST_TIMEOUT_SECONDS = 10.0


class TelegramApiError(Exception):
    """A Bot API call that failed: Telegram said no, or the call did not complete."""

    def __init__(self, method: str, description: str, error_code: Optional[int] = None) -> None:
        super().__init__(f"{method} failed ({error_code or 'no answer'}): {description}")
        self.method = method
        self.description = description
        self.error_code = error_code


class BotApiClient:
    """The few Bot API calls the channel makes, over aiohttp with a timeout each.

    The session is created lazily inside the running loop and re-created if the
    loop changed: binding a session to a loop that later closes is the very bug of
    the stock channel.
    """

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_API_BASE_URL,
        timeout_seconds: float = REQUEST_TIMEOUT_SECONDS,
    ) -> None:
        self._token = token
        self._base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: Optional[aiohttp.ClientSession] = None
        self._session_loop: Optional[asyncio.AbstractEventLoop] = None

    async def call(self, method: str, params: Dict[str, Any]) -> Any:
        """Call ``method`` with JSON ``params``; return its ``result`` or raise TelegramApiError."""
        url = f"{self._base_url}/bot{self._token}/{method}"
        try:
            session = await self._current_session()
            async with session.post(url, json=params) as answer:
                body = await answer.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise TelegramApiError(
                method, self._redact(f"{type(error).__name__}: {error}")
            ) from error
        if not isinstance(body, dict) or not body.get("ok"):
            body = body if isinstance(body, dict) else {}
            raise TelegramApiError(
                method, str(body.get("description", "unexpected answer")), body.get("error_code")
            )
        return body.get("result")

    async def close(self) -> None:
        """Close the session (on server stop); the next call opens a new one."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def _current_session(self) -> aiohttp.ClientSession:
        """The session of the running loop, made on first use in that loop.

        A session left by a loop that has since closed is closed without touching
        that loop (aiohttp skips the transports of a closed loop) and replaced.
        """
        loop = asyncio.get_running_loop()
        if self._session is not None and self._session_loop is not loop:
            stale, self._session = self._session, None
            await stale.close()
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
            self._session_loop = loop
        return self._session

    def _redact(self, text: str) -> str:
        """Keep the bot token (part of every URL) out of logs."""
        return text.replace(self._token, "<token>") if self._token else text
