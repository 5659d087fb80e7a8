"""Tests that need a service of the machine: skipped without it, failed when CI requires it.

A developer without PostgreSQL, Redis or tmux still runs every other test, and
``pytest -rs`` says which were skipped and why. CI has them all, so
there a missing one means a broken machine or a broken test: ``.ci/run`` sets
``REQUIRE_SERVICES=1`` and each of these skips becomes a failure, instead of a
green run that tested less than it claims.

The fixtures are a pytest plugin (``pytest_plugins`` in ``tests/conftest.py``):
``pytest.mark.usefixtures("needs_redis")`` on a test or a module, or
``require_postgresql()`` inside a fixture that builds on the database. (Chromium
is never skipped: the widget test fails without it, in CI and on a laptop alike.)
"""

import os
import shutil
from typing import NoReturn

import pytest

from tests.support.databases import POSTGRES, REDIS
from tests.support.ports import reachable


def services_required() -> bool:
    """True when a missing service must fail the run (``REQUIRE_SERVICES`` set, not ``0``)."""
    return os.environ.get("REQUIRE_SERVICES", "").strip() not in ("", "0")


def missing(reason: str) -> NoReturn:
    """Skip the test for ``reason``, or fail it with that reason when services are required."""
    if services_required():
        pytest.fail(f"REQUIRE_SERVICES is set, and {reason}", pytrace=False)
    pytest.skip(reason)


def require_postgresql() -> None:
    if not reachable(POSTGRES):
        missing(f"PostgreSQL is not reachable at {POSTGRES} (TEST_POSTGRES_URL)")


def require_redis() -> None:
    if not reachable(REDIS):
        missing(f"Redis is not reachable at {REDIS} (TEST_REDIS_URL)")


def require_tmux() -> None:
    if shutil.which("tmux") is None:
        missing("tmux is not installed (make system-tools installs it)")


# Session-wide: checked once, and set up before any module fixture that starts servers on them.
@pytest.fixture(scope="session")
def needs_postgresql() -> None:
    require_postgresql()


@pytest.fixture(scope="session")
def needs_redis() -> None:
    require_redis()


@pytest.fixture(scope="session")
def needs_tmux() -> None:
    require_tmux()
