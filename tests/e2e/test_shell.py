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

from tests.conftest import ROOT
from tests.e2e.conftest import START_TIMEOUT, Servers
from tests.e2e.test_leads import export
from tests.servers import free_port
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
    assert "Bonjour ! Je suis l'assistant de Fr Consultants" in screen
    assert "1. C'est quoi un PTCE ?" in screen
    terminal.say("1", "regroupe plusieurs acteurs")

    terminal.say("je voudrais être recontacté par un consultant", "Acceptez-vous")
    terminal.say("1", "Quel est votre nom")
    terminal.say("Camille Martin", "adresse e-mail")
    terminal.say("camille.martin@exemple.fr", "téléphone")
    terminal.say("06 12 34 56 78", "nom de votre organisation")
    terminal.say("Commune de Vire", "type d'organisation")
    terminal.say("3", "territoire")
    terminal.say("Calvados", "besoin")
    terminal.say("6", "votre projet")
    terminal.say("Relancer le PTCE du bocage.", "Voici votre demande")
    screen = terminal.say("1", "référence PTCE-")

    reference = screen.split("référence ")[-1].split(".")[0].strip()
    (lead,) = [lead for lead in export(servers) if lead["reference"] == reference]
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
