"""Start the real action server and Rasa server once for the end-to-end tests."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator, List

import pytest
import requests

from tests.conftest import ROOT

BIN = Path(sys.executable).parent
START_TIMEOUT = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not start within {START_TIMEOUT} s:\n{log.read_text()[-3000:]}")


def start(command: List[str], log: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)


@pytest.fixture(scope="session")
def rasa_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a Rasa server on loopback, with its action server."""
    work = tmp_path_factory.mktemp("servers")
    actions_port, rasa_port = free_port(), free_port()
    endpoints = work / "endpoints.yml"
    endpoints.write_text(f"action_endpoint:\n  url: http://127.0.0.1:{actions_port}/webhook\n")
    env = dict(os.environ, SQLALCHEMY_SILENCE_UBER_WARNING="1", TF_CPP_MIN_LOG_LEVEL="2")
    processes = [
        start([str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(actions_port)],
              work / "actions.log", env),
        start([str(BIN / "rasa"), "run", "--model", "models/ptce.tar.gz", "--interface", "127.0.0.1",
               "--port", str(rasa_port), "--endpoints", str(endpoints), "--credentials", "credentials.yml"],
              work / "rasa.log", env),
    ]
    try:
        wait_until_up(f"http://127.0.0.1:{actions_port}/health", processes[0], work / "actions.log")
        wait_until_up(f"http://127.0.0.1:{rasa_port}/", processes[1], work / "rasa.log")
        yield f"http://127.0.0.1:{rasa_port}"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
