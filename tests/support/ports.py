"""Loopback ports for the servers the tests and the benchmark start, and whether one answers."""

import socket
from urllib.parse import urlparse


def free_port() -> int:
    """A TCP port nothing listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reachable(url: str) -> bool:
    """True when something accepts TCP connections at ``url``'s host and port.

    Tests that need the machine's PostgreSQL or Redis skip, saying why, when it is not.
    """
    parsed = urlparse(url)
    default_port = {"postgresql": 5432, "redis": 6379}.get(parsed.scheme, 80)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False
