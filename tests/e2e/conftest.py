"""Start the real action server and Rasa server once for the end-to-end tests.

The action server stores leads in a SQLite file of the session and delivers them
to a real SMTP server (aiosmtpd) and a real webhook receiver, both on loopback.
The Telegram channel talks to a fake Bot API server (tests/fake_telegram.py).
"""

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Sequence, Tuple

import pytest
import requests

from tests.conftest import ROOT
from tests.fake_telegram import FakeTelegram
from tests.servers import SmtpServer, WebhookServer, free_port

BIN = Path(sys.executable).parent
START_TIMEOUT = 180


@dataclass
class Servers:
    """What the end-to-end tests talk to and inspect."""

    rasa_url: str
    smtp: SmtpServer
    webhook: WebhookServer
    env: Dict[str, str]
    telegram: FakeTelegram


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{url} exited with {process.returncode}:\n{log.read_text()[-3000:]}"
            )
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not start within {START_TIMEOUT} s:\n{log.read_text()[-3000:]}")


def base_env() -> Dict[str, str]:
    """The environment every server of the tests starts with: quiet, no telemetry."""
    return dict(
        os.environ,
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        TF_CPP_MIN_LOG_LEVEL="2",
        RASA_TELEMETRY_ENABLED="false",
    )


def start(command: List[str], log: Path, env: Dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env
    )


def launch_actions(work: Path, env: Dict[str, str]) -> Tuple[subprocess.Popen, str]:
    """A running action server on loopback, and its webhook URL."""
    port = free_port()
    log = work / "actions.log"
    process = start(
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
        log,
        dict(env, SANIC_HOST="127.0.0.1"),
    )
    wait_until_up(f"http://127.0.0.1:{port}/health", process, log)
    return process, f"http://127.0.0.1:{port}/webhook"


def launch_rasa(
    work: Path, env: Dict[str, str], name: str = "rasa", extra: Sequence[str] = ()
) -> Tuple[subprocess.Popen, str]:
    """A running Rasa server on loopback with the project's files, and its URL."""
    port = free_port()
    log = work / f"{name}.log"
    process = start(
        [
            str(BIN / "rasa"),
            "run",
            "--model",
            "models/ptce.tar.gz",
            "--interface",
            "127.0.0.1",
            "--port",
            str(port),
            "--endpoints",
            "deploy/endpoints.yml",
            "--credentials",
            "credentials.yml",
            *extra,
        ],
        log,
        env,
    )
    wait_until_up(f"http://127.0.0.1:{port}/", process, log)
    return process, f"http://127.0.0.1:{port}"


def stop(processes: Sequence[subprocess.Popen]) -> None:
    """Terminate, then kill what does not stop."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    work = tmp_path_factory.mktemp("servers")
    smtp, webhook = SmtpServer(free_port()), WebhookServer(free_port())
    smtp.start()
    webhook.start()
    telegram = FakeTelegram()
    telegram.start()
    env = dict(
        base_env(),
        LEADS_DATABASE_URL=f"sqlite:///{work / 'leads.db'}",
        TRACKER_STORE_URL=f"sqlite:///{work / 'conversations.db'}",
        # The demo page (fixture demo_page_url) is served from this origin;
        # socket.io accepts only it.
        WEBCHAT_ALLOWED_ORIGINS=f"http://127.0.0.1:{free_port()}",
        **smtp.env(),
        **webhook.env(),
        **telegram.env(),
    )
    processes: List[subprocess.Popen] = []
    try:
        actions, env["ACTION_SERVER_URL"] = launch_actions(work, env)
        processes.append(actions)
        rasa, rasa_url = launch_rasa(work, env, extra=["--cors", env["WEBCHAT_ALLOWED_ORIGINS"]])
        processes.append(rasa)
        yield Servers(rasa_url, smtp, webhook, env, telegram)
    finally:
        stop(processes)
        smtp.stop()
        webhook.stop()
        telegram.stop()


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
    origin = servers.env["WEBCHAT_ALLOWED_ORIGINS"]
    log = tmp_path_factory.mktemp("web") / "serve_web.log"
    process = start(
        [sys.executable, "scripts/serve_web.py", "--port", origin.rsplit(":", 1)[1], "--quiet"],
        log,
        servers.env,
    )
    try:
        wait_until_up(f"{origin}/", process, log)
        yield f"{origin}/?socket={servers.rasa_url}"
    finally:
        process.terminate()
        process.wait(timeout=10)
