"""Rasa's HTTP calls to its endpoints, over connections kept open between calls.

Rasa 3.6 opens a new ``aiohttp.ClientSession`` for every request to an
endpoint (``EndpointConfig.request``), so every call to the action server pays
for a new session, a new TCP connection on both sides, and its teardown. Every
sheet answer goes through the action server, so that cost is paid on most
turns (BENCHMARKS.md, « Stop 18 »).

``install`` makes ``EndpointConfig.session`` hand out one session per endpoint
and per event loop, kept for the life of the process; Rasa's ``async with``
around it no longer closes it. Requests are built by Rasa as before, with the
same headers, authentication and overall timeout. Idle connections are dropped
after ``KEEPALIVE_SECONDS``, before the action server's own keep-alive timeout
(Sanic's 5 s) closes them, so a request never reuses a connection the server is
closing. Rasa 3.6 offers no hook for this (3.6.21 is its last open-source
release): hence a patch, installed with the project's components and tested in
tests/unit/test_kept_sessions.py.
"""

import asyncio
import weakref
from types import TracebackType
from typing import Optional, Type

import aiohttp
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.utils.endpoints import EndpointConfig

KEEPALIVE_SECONDS = 2.0


class KeptSession:
    """What ``async with endpoint.session()`` enters: the kept session, left open on exit."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        return None


def _new_session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """Rasa's session for this endpoint, with idle connections kept for a short while."""
    auth = None
    if endpoint.basic_auth:
        auth = aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
    return aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
    )


def kept_session(self: EndpointConfig) -> KeptSession:
    """``EndpointConfig.session``: this endpoint's session for the running loop, made once.

    A session belongs to one event loop, so each loop (the server's, or a test's)
    gets its own; a closed one is replaced.
    """
    sessions = self.__dict__.setdefault("_kept_sessions", weakref.WeakKeyDictionary())
    loop = asyncio.get_running_loop()
    session = sessions.get(loop)
    if session is None or session.closed:
        session = sessions[loop] = _new_session(self)
    return KeptSession(session)


def install() -> None:
    """Makes every Rasa endpoint reuse its session and connections."""
    EndpointConfig.session = kept_session  # type: ignore[method-assign]
