"""`make shell` in a real terminal (tmux): French prompt, numbered buttons, a lead sent.

The shell runs scripts/run.sh shell, exactly what `make shell` runs, with its own
action server and Rasa server, and the session's SMTP server and lead store.
"""

import shlex
import subprocess
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from actions.topics import TOPICS
from tests.support.blind import fact
from tests.support.content import ROOT, response_start
from tests.support.leads import REFERENCE, export_leads, form_turns
from tests.support.ports import free_port
from tests.support.processes import START_TIMEOUT
from tests.support.session import Servers
from tests.support.terminal import Terminal

pytestmark = pytest.mark.usefixtures("needs_tmux")


@pytest.fixture
def terminal(servers: Servers, tmp_path: Path) -> Iterator[Terminal]:
    name = f"ptce-{uuid.uuid4().hex[:8]}"
    env = {
        key: value
        for key, value in servers.env.items()
        if key.startswith(("LEADS_", "RASA_TELEMETRY"))
    }
    env.update(RASA_PORT=str(free_port()), ACTIONS_PORT=str(free_port()))
    env.pop("ACTION_SERVER_URL", None)
    exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
    command = (
        f"cd {shlex.quote(str(ROOT))} && env -u ACTION_SERVER_URL {exports} "
        f"scripts/run.sh shell 2>{tmp_path}/stderr.log"
    )
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", name, "-x", "160", "-y", "50", command], check=True
    )
    terminal = Terminal(name)
    try:
        terminal.wait_for(
            "Vous ->", timeout=START_TIMEOUT
        )  # the prompt, not "Bot loaded": input typed earlier is lost
        yield terminal
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def test_shell_conversation_in_french_with_numbered_buttons_ends_with_a_lead(
    servers: Servers, terminal: Terminal
) -> None:
    screen = terminal.say("bonjour", "Vous ->")
    assert response_start("utter_greet") in screen
    assert f"1. {TOPICS['faq/ptce_definition'].title}" in screen
    terminal.say("1", fact("definition_regroupement"))

    terminal.say(
        "je voudrais être recontacté par un consultant", response_start("utter_ask_consent")
    )
    # Numbers pick a button: accept, a local authority, to revive a PTCE (the
    # organisation's name does not say its type, which is asked).
    answers = ["1", "Camille Martin", "camille.martin@exemple.fr", "06 12 34 56 78"]
    answers += ["Syndicat mixte du Bocage", "3", "Calvados", "6", "Relancer le PTCE du bocage."]
    for answer, question in form_turns(answers):
        terminal.say(answer, question)
    screen = terminal.say("1", response_start("utter_lead_submitted"))

    reference = REFERENCE.findall(screen)[-1]
    (lead,) = [lead for lead in export_leads(servers.env) if lead["reference"] == reference]
    assert lead["channel"] == "cmdline"
    assert (lead["phone"], lead["organisation_type"], lead["need"]) == (
        "+33612345678",
        "collectivite",
        "relancer_ptce",
    )
    deadline = time.monotonic() + 15
    while not any(reference in m.get_body(("plain",)).get_content() for m in servers.smtp.messages):
        assert time.monotonic() < deadline, "the lead's e-mail never reached the SMTP server"
        time.sleep(0.2)
