"""The project's servers as processes: started with a quiet environment, waited for, stopped.

The end-to-end tests and the benchmark run the real ``rasa run`` and ``rasa run
actions`` commands on loopback ports, each logging to a file that is quoted when
a server does not come up.
"""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Sequence, Tuple

import requests

from tests.support.content import ROOT
from tests.support.ports import free_port

BIN = Path(sys.executable).parent
START_TIMEOUT = 180
MODEL = "models/ptce.tar.gz"
# The deployments' endpoints: the stores and the action server from the environment.
DEPLOY_ENDPOINTS = "deploy/endpoints.yml"


def base_env() -> Dict[str, str]:
    """The environment every server starts with: quiet, no telemetry."""
    return dict(
        os.environ,
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        TF_CPP_MIN_LOG_LEVEL="2",
        RASA_TELEMETRY_ENABLED="false",
    )


def start(
    command: Sequence[str], log: Path, env: Dict[str, str], cwd: Path = ROOT
) -> subprocess.Popen:
    """Start ``command`` in ``cwd`` (the project by default), its output going to ``log``."""
    return subprocess.Popen(
        list(command), cwd=cwd, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env
    )


def stop(processes: Sequence[subprocess.Popen]) -> None:
    """Terminate, then kill what does not stop."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    """Wait until ``url`` answers; fail with the end of ``log`` if the process dies or hangs."""
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


def rasa_run_command(
    port: int, model: str = MODEL, endpoints: str = DEPLOY_ENDPOINTS, extra: Sequence[str] = ()
) -> List[str]:
    """``rasa run`` on 127.0.0.1:``port`` with ``model`` and ``endpoints``."""
    return [
        str(BIN / "rasa"),
        "run",
        "--model",
        model,
        "--interface",
        "127.0.0.1",
        "--port",
        str(port),
        "--endpoints",
        endpoints,
        *extra,
    ]


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
    command = rasa_run_command(port, extra=["--credentials", "credentials.yml", *extra])
    process = start(command, log, env)
    wait_until_up(f"http://127.0.0.1:{port}/", process, log)
    return process, f"http://127.0.0.1:{port}"


@contextmanager
def serving_demo_page(port: int, log: Path, env: Dict[str, str]) -> Iterator[str]:
    """The demo page (web/, scripts/serve_web.py) on 127.0.0.1:``port``; its URL."""
    url = f"http://127.0.0.1:{port}"
    process = start(
        [sys.executable, "scripts/serve_web.py", "--port", str(port), "--quiet"], log, env
    )
    try:
        wait_until_up(f"{url}/", process, log)
        yield url
    finally:
        stop([process])
