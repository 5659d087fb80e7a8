"""Sliding-window counters shared by the replicas: Redis when ``LOCK_STORE_URL`` is a
Redis URL (the lock store's own server), in memory otherwise (one process, ``make run``).

The flood limits use them: messages per visitor in the channels, leads per visitor
and overall in the action server. A visitor is named in each message's metadata,
under ``VISITOR_METADATA_KEY``, by the channel that received it (an HMAC of the
client address, never the address itself: ``channels/visitor.py``).

``allow`` checks several limits at once and counts the event in all of them only
when none is reached, atomically: a Lua script in Redis (two replicas checking
the last free slot at the same moment cannot both take it), a lock in memory.
"""

import os
import threading
import time
import uuid
from collections import defaultdict, deque
from typing import Callable, Deque, Dict, Optional, Sequence, Tuple

import redis

VISITOR_METADATA_KEY = "visitor"
KEY_PREFIX = "ptce:limit:"
REDIS_TIMEOUT_SECONDS = 2
# KEYS: one sorted set per limit; ARGV: now, window, then one limit per key, then a member.
ALLOW_SCRIPT = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
for index, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= tonumber(ARGV[2 + index]) then return index end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[#ARGV])
  redis.call('EXPIRE', key, math.ceil(window))
end
return 0
"""

Limit = Tuple[str, int]  # (counter name, most events allowed in the window)


class MemoryCounters:
    """Counters of one process."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.events: Dict[str, Deque[float]] = defaultdict(deque)
        self.lock = threading.Lock()

    def allow(self, limits: Sequence[Limit], window: float) -> Optional[int]:
        """Count one event under every limit, or return the index of the first reached."""
        now = self.clock()
        with self.lock:
            for index, (name, most) in enumerate(limits):
                times = self.events[name]
                while times and times[0] <= now - window:
                    times.popleft()
                if len(times) >= most:
                    return index
            for name, _ in limits:
                self.events[name].append(now)
        return None


class RedisCounters:
    """Counters in Redis, shared by every process that uses the same server."""

    def __init__(self, client: "redis.Redis", clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.clock = clock
        self.script = client.register_script(ALLOW_SCRIPT)

    def allow(self, limits: Sequence[Limit], window: float) -> Optional[int]:
        """As ``MemoryCounters.allow``; raises ``redis.RedisError`` when Redis fails."""
        keys = [KEY_PREFIX + name for name, _ in limits]
        args = [self.clock(), window, *(most for _, most in limits), uuid.uuid4().hex]
        reached = int(self.script(keys=keys, args=args))
        return reached - 1 if reached else None


Counters = MemoryCounters | RedisCounters


def counters_from_url(url: str) -> Counters:
    """``redis://…`` or ``rediss://…`` → Redis; empty or ``memory://`` → this process."""
    if not url or url.startswith("memory://"):
        return MemoryCounters()
    if not url.startswith(("redis://", "rediss://")):
        raise ValueError("LOCK_STORE_URL must be redis://… or memory://")
    return RedisCounters(
        redis.Redis.from_url(
            url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
    )


def counters_from_env() -> Counters:
    """The counters of this deployment, from ``LOCK_STORE_URL``."""
    return counters_from_url(os.environ.get("LOCK_STORE_URL", ""))
