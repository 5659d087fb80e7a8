"""Failures a visitor must not notice: the action server down, PostgreSQL restarted."""

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest
import requests

from tests.support.chat import say, text_of
from tests.support.content import response_start, response_text
from tests.support.databases import POSTGRES, temporary_database
from tests.support.ports import free_port, reachable
from tests.support.processes import base_env, launch_rasa, stop

APOLOGY = response_text("utter_technical_problem")
# Rasa answers it alone, by a rule: no action server, no database read but the tracker's.
THANKS = response_start("utter_you_are_welcome")


@pytest.fixture(scope="module")
def without_actions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Rasa server whose action server is not running."""
    work = tmp_path_factory.mktemp("no-actions")
    env = dict(
        base_env(),
        ACTION_SERVER_URL=f"http://127.0.0.1:{free_port()}/webhook",
        TRACKER_STORE_URL=f"sqlite:///{work / 'conversations.db'}",
    )
    process, url = launch_rasa(work, env, "rasa-no-actions")
    yield url
    stop([process])


def test_with_the_action_server_down_the_visitor_gets_an_apology(without_actions: str) -> None:
    sender = uuid.uuid4().hex
    assert APOLOGY in text_of(say(without_actions, "/ami_calendrier", sender))
    assert APOLOGY in text_of(say(without_actions, "je voudrais être recontacté", sender))


def test_with_the_action_server_down_the_server_keeps_serving(without_actions: str) -> None:
    """Sheet answers go through the action server (actions/answers.py): they apologise
    too; what Rasa answers alone (small talk) still comes, turn after turn."""
    sender = uuid.uuid4().hex
    assert APOLOGY in text_of(say(without_actions, "C'est quoi un PTCE ?", sender))
    assert THANKS in text_of(say(without_actions, "merci beaucoup", sender))


def restart_postgres() -> None:
    cluster = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    deadline = time.monotonic() + 60
    while not reachable(POSTGRES):
        assert time.monotonic() < deadline, "PostgreSQL did not come back"
        time.sleep(0.5)


can_restart = (
    shutil.which("pg_ctlcluster") is not None
    and os.path.isdir("/etc/postgresql")
    and os.geteuid() == 0
)


@pytest.mark.usefixtures("needs_postgresql")
@pytest.mark.skipif(not can_restart, reason="needs root and pg_ctlcluster to restart PostgreSQL")
def test_after_a_database_restart_the_server_reconnects_and_the_conversation_goes_on(
    tmp_path: Path,
) -> None:
    with temporary_database("ptce_restart") as database:
        env = dict(
            base_env(),
            ACTION_SERVER_URL=f"http://127.0.0.1:{free_port()}/webhook",
            TRACKER_STORE_URL=database,
        )
        process, url = launch_rasa(
            tmp_path, env, "rasa-restart", ["--enable-api", "--auth-token", "t"]
        )
        sender = uuid.uuid4().hex
        try:
            assert response_start("utter_greet") in text_of(say(url, "bonjour", sender))
            restart_postgres()
            assert THANKS in text_of(say(url, "merci beaucoup", sender))
            events = requests.get(
                f"{url}/conversations/{sender}/tracker", params={"token": "t"}, timeout=10
            ).json()["events"]
            assert [e["text"] for e in events if e["event"] == "user"] == [
                "bonjour",
                "merci beaucoup",
            ]
        finally:
            stop([process])
