"""Fixtures of the end-to-end tests: the session's servers and the demo page."""

from typing import Iterator

import pytest

from tests.support.content import ROOT
from tests.support.personal_data import found_in
from tests.support.processes import serving_demo_page
from tests.support.session import Servers, running_servers


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """The action server, the Rasa server and what they call (tests/support/session.py).

    After the last end-to-end test, their logs must hold no test visitor's e-mail
    address or phone number, in any format (tests/support/personal_data.py).
    """
    with running_servers(tmp_path_factory.mktemp("servers")) as running:
        yield running
    leaked = found_in(running.work)
    assert leaked == [], f"personal data in the servers' logs: {leaked}"


@pytest.fixture(scope="session")
def rasa_url(servers: Servers) -> str:
    """The base URL of the Rasa server on loopback."""
    return servers.rasa_url


@pytest.fixture(scope="session")
def demo_page_url(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo page (web/, scripts/serve_web.py) on the allowed origin.

    It talks to the test Rasa server."""
    if not (ROOT / "web" / "static" / "webchat.js").is_file():
        pytest.fail("web/static/webchat.js is missing: run `npm ci && npm run build` in web/")
    port = int(servers.env["WEBCHAT_ALLOWED_ORIGINS"].rsplit(":", 1)[1])
    log = tmp_path_factory.mktemp("web") / "serve_web.log"
    with serving_demo_page(port, log, servers.env) as origin:
        yield f"{origin}/?socket={servers.rasa_url}"
