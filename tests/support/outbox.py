"""The outbox as the tests drive it: destinations pointed at the test servers, its log read back."""

from typing import Any, List, Tuple

import pytest

from actions.leads import outbox


def configure(monkeypatch: pytest.MonkeyPatch, *servers: Any) -> None:
    """Set the ``LEADS_*`` variables of ``servers``, as the operator would for real ones."""
    for server in servers:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)


def outbox_logs(caplog: pytest.LogCaptureFixture) -> List[Tuple[str, str]]:
    """The outbox's log lines, as (level, message): what the operator reads, compared whole."""
    return [(r.levelname, r.getMessage()) for r in caplog.records if r.name == outbox.__name__]
