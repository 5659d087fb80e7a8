"""The lock store named by ``LOCK_STORE_URL``: Redis for replicas, in memory otherwise.

Rasa builds a custom lock store as ``Class(endpoint_config=…)`` and accepts only
a class, so ``EnvLockStore`` is a class whose constructor returns the real store.

Rasa 3.6's ``RedisLockStore`` keeps each conversation's ticket queue as one
serialised value that it reads, changes and writes back without any Redis
transaction: two replicas receiving messages of one conversation at the same
time overwrite each other's tickets, and a message then fails with
"Could not acquire lock" (tests/e2e/test_replicas.py showed it; Rasa's fix, a
concurrent lock store, is only in Rasa Pro). ``AtomicRedisLockStore`` keeps
Rasa's ticket logic and runs each read-change-write under a short Redis mutex
(redis-py's ``Lock``: SET NX PX, released by a Lua script).
"""

import os
from contextlib import contextmanager
from typing import Any, Iterator
from urllib.parse import unquote, urlparse

from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockStore, RedisLockStore

KEY_PREFIX = "ptce"
MUTEX_SECONDS = 5


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store, with its ticket updates atomic across processes."""

    @contextmanager
    def _mutex(self, conversation_id: str) -> Iterator[None]:
        with self.red.lock(
            f"{self.key_prefix}{conversation_id}:mutex",
            timeout=MUTEX_SECONDS,
            blocking_timeout=MUTEX_SECONDS,
        ):
            yield

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)


def lock_store_from_url(url: str) -> LockStore:
    """``redis://[:password@]host[:port][/db]`` → Redis; empty or ``memory://`` → in memory."""
    if not url or url.startswith("memory://"):
        return InMemoryLockStore()
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "rediss"):
        raise ValueError(f"LOCK_STORE_URL must be redis://… or memory://, not {parsed.scheme}://")
    return AtomicRedisLockStore(
        host=parsed.hostname or "localhost",
        port=parsed.port or 6379,
        db=int(parsed.path.lstrip("/") or 0),
        username=unquote(parsed.username) if parsed.username else None,
        password=unquote(parsed.password) if parsed.password else None,
        use_ssl=parsed.scheme == "rediss",
        key_prefix=KEY_PREFIX,
    )


class EnvLockStore(LockStore):
    """Placeholder class for endpoints.yml; constructing it returns the real store."""

    def __new__(cls, *args: Any, **kwargs: Any) -> LockStore:  # type: ignore[misc]
        return lock_store_from_url(os.environ.get("LOCK_STORE_URL", ""))
