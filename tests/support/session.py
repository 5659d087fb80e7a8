"""The servers of an end-to-end session: the project's two servers and what they call.

The action server stores leads in a SQLite file of the session and delivers them
to a real SMTP server (aiosmtpd) and a real webhook receiver, both on loopback.
The Rasa server's Telegram channel talks to a fake Bot API server. Started once a
session, they are shared by every end-to-end test file.
"""

import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List

from tests.support.fake_telegram import FakeTelegram
from tests.support.ports import free_port
from tests.support.processes import base_env, launch_actions, launch_rasa, stop
from tests.support.servers import SmtpServer, WebhookServer


@dataclass
class Servers:
    """What the end-to-end tests talk to and inspect."""

    rasa_url: str
    smtp: SmtpServer
    webhook: WebhookServer
    env: Dict[str, str]
    telegram: FakeTelegram
    # The servers' output (actions.log, rasa.log): a test can check what they logged.
    work: Path


@contextmanager
def running_servers(work: Path) -> Iterator[Servers]:
    """Start everything, with the files of the session in ``work``; stop it all afterwards."""
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
        # The tests play nginx: X-Forwarded-For names each test visitor (tests/support/chat.py).
        TRUSTED_PROXIES="127.0.0.1",
        # The seven sets of blind conversations leave over thirty leads in one session,
        # the default site-wide limit of an hour (30): the later lead tests were refused.
        # That limit is tested in tests/unit/test_lead_limits.py; the per-visitor one,
        # left at its default, on these servers (tests/e2e/test_flood.py).
        LEADS_MAX_PER_HOUR="1000",
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
        yield Servers(rasa_url, smtp, webhook, env, telegram, work)
    finally:
        stop(processes)
        smtp.stop()
        webhook.stop()
        telegram.stop()
