"""Plain Rasa commands work in the project with nothing set in the environment.

A Rasa developer who activates the venv and types `rasa run actions` in one
terminal and `rasa run` or `rasa shell` in another gets the bot: endpoints.yml
needs no variable (the action server on localhost:5055), and the stores fall
back to their local defaults. Only PATH, HOME and the telemetry switch are kept (nothing may
call the internet).
"""

import os
import subprocess
import uuid
from pathlib import Path
from typing import Dict, Iterator

import pytest

from tests.support.blind import fact
from tests.support.chat import say, text_of
from tests.support.content import ROOT, response_start
from tests.support.ports import free_port
from tests.support.processes import BIN, start, stop, wait_until_up
from tests.support.terminal import Terminal

GREETING = response_start("utter_greet")
# The action server's port in endpoints.yml, which plain commands read.
ACTIONS_PORT = 5055


def empty_environment() -> Dict[str, str]:
    """What a fresh terminal has: a PATH with the venv first, a HOME, telemetry off."""
    return {
        "PATH": f"{BIN}:{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", "/root"),
        "RASA_TELEMETRY_ENABLED": "false",
    }


@pytest.fixture
def plain_actions(tmp_path: Path) -> Iterator[None]:
    """`rasa run actions` as typed: the port endpoints.yml names (5055)."""
    log = tmp_path / "actions.log"
    process = start(["rasa", "run", "actions"], log, empty_environment())
    try:
        wait_until_up(f"http://127.0.0.1:{ACTIONS_PORT}/health", process, log)
        yield
    finally:
        stop([process])


@pytest.fixture
def plain_rasa_run(tmp_path: Path, plain_actions: None) -> Iterator[str]:
    port = free_port()
    log = tmp_path / "rasa.log"
    command = ["rasa", "run", "--port", str(port), "--interface", "127.0.0.1"]
    process = start(command, log, empty_environment())
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop([process])


def test_rasa_run_with_an_empty_environment_answers(plain_rasa_run: str) -> None:
    assert GREETING in text_of(say(plain_rasa_run, "bonjour"))
    answer = text_of(say(plain_rasa_run, "Qu'est-ce qu'un PTCE ?"))
    assert fact("definition_regroupement") in answer


@pytest.mark.usefixtures("needs_tmux", "plain_actions")
def test_rasa_shell_with_an_empty_environment_answers(tmp_path: Path) -> None:
    name = f"plain-{uuid.uuid4().hex[:8]}"
    exports = " ".join(f"{key}='{value}'" for key, value in empty_environment().items())
    command = f"cd '{ROOT}' && env -i {exports} rasa shell --port {free_port()} 2>{tmp_path}/err"
    subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "160", "-y", "50", command])
    terminal = Terminal(name)
    try:
        terminal.wait_for("Your input ->", timeout=180)
        terminal.type("bonjour")
        terminal.wait_for(GREETING)
        # A sheet answer, sent by the action server that `rasa run actions` started.
        terminal.type("Qu'est-ce qu'un PTCE ?")
        terminal.wait_for("regroupements de plusieurs acteurs")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
