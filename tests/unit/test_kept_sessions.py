"""Rasa's calls to an endpoint reuse one session and its open connection."""

import asyncio
from contextlib import asynccontextmanager
from typing import AsyncIterator, List, Tuple

import pytest
from aiohttp import web
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

import components  # noqa: F401  (installs the patch, as loading the model does)


@asynccontextmanager
async def webhook() -> AsyncIterator[Tuple[str, List[int]]]:
    """A real HTTP server on loopback: its URL, and the client port of each request."""
    ports: List[int] = []

    async def answer(request: web.Request) -> web.Response:
        ports.append(request.transport.get_extra_info("peername")[1])
        return web.json_response({"events": [], "responses": [], "echo": await request.json()})

    app = web.Application()
    app.router.add_post("/webhook", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/webhook", ports
    finally:
        await runner.cleanup()


def test_calls_share_one_session_and_one_connection() -> None:
    async def scenario() -> None:
        async with webhook() as (url, ports):
            endpoint = EndpointConfig(url)
            answers = [await endpoint.request(json={"turn": turn}) for turn in range(5)]
            assert [answer["echo"]["turn"] for answer in answers] == list(range(5))
            assert len(ports) == 5 and len(set(ports)) == 1  # one connection, kept
            async with endpoint.session() as first, endpoint.session() as second:
                assert first is second and not first.closed
            await first.close()

    asyncio.run(scenario())


def test_the_session_stays_usable_after_an_error() -> None:
    """A 404 raises Rasa's error as before, and the next call still works."""

    async def scenario() -> None:
        async with webhook() as (url, _):
            endpoint = EndpointConfig(url.replace("/webhook", "/missing"))
            with pytest.raises(ClientResponseError):
                await endpoint.request(json={})
            endpoint.url = url
            assert (await endpoint.request(json={"turn": 1}))["echo"] == {"turn": 1}
            async with endpoint.session() as session:
                await session.close()

    asyncio.run(scenario())


def test_a_closed_session_is_replaced() -> None:
    async def scenario() -> None:
        endpoint = EndpointConfig("http://127.0.0.1:9/webhook")
        async with endpoint.session() as session:
            await session.close()
        async with endpoint.session() as replacement:
            assert replacement is not session and not replacement.closed
        await replacement.close()

    asyncio.run(scenario())


def test_each_event_loop_gets_its_own_session() -> None:
    """A session belongs to its loop: a second loop (a test's, a shell's) gets a new one."""
    endpoint = EndpointConfig("http://127.0.0.1:9/webhook")

    async def enter() -> object:
        async with endpoint.session() as session:
            return session

    first_loop, second_loop = asyncio.new_event_loop(), asyncio.new_event_loop()
    try:
        first = first_loop.run_until_complete(enter())
        second = second_loop.run_until_complete(enter())
        assert first is not second
        assert first_loop.run_until_complete(enter()) is first
        first_loop.run_until_complete(first.close())
        second_loop.run_until_complete(second.close())
    finally:
        first_loop.close()
        second_loop.close()
