"""The flood limits' counters (stores/counters.py), in memory and on the machine's Redis."""

import threading
import uuid
from typing import Callable, List

import pytest

from stores.counters import Counters, MemoryCounters, RedisCounters, counters_from_url
from tests.support.databases import REDIS
from tests.support.required import require_redis

WINDOW = 3600.0


def memory(clock: Callable[[], float]) -> Counters:
    return MemoryCounters(clock)


def on_redis(clock: Callable[[], float]) -> Counters:
    require_redis()
    counters = counters_from_url(REDIS)
    assert isinstance(counters, RedisCounters)
    counters.clock = clock
    return counters


BACKENDS = [pytest.param(memory, id="memory"), pytest.param(on_redis, id="redis")]


@pytest.fixture
def name() -> str:
    """A counter of this test alone (Redis keeps other runs' counters for an hour)."""
    return f"test:{uuid.uuid4().hex}"


@pytest.mark.parametrize("make", BACKENDS)
def test_events_are_counted_until_the_limit_then_the_window_slides(make, name: str) -> None:
    now = [1_000_000.0]
    counters = make(lambda: now[0])
    assert [counters.allow([(name, 3)], WINDOW) for _ in range(4)] == [None, None, None, 0]
    now[0] += WINDOW - 1
    assert counters.allow([(name, 3)], WINDOW) == 0  # the first three are still in the window
    now[0] += 2
    assert counters.allow([(name, 3)], WINDOW) is None


@pytest.mark.parametrize("make", BACKENDS)
def test_the_first_limit_reached_is_named_and_nothing_is_counted_then(make, name: str) -> None:
    counters = make(lambda: 1_000_000.0)
    address, overall = f"{name}:address", f"{name}:all"
    assert counters.allow([(address, 5), (overall, 2)], WINDOW) is None
    assert counters.allow([(address, 5), (overall, 2)], WINDOW) is None
    assert counters.allow([(address, 5), (overall, 2)], WINDOW) == 1
    assert counters.allow([(address, 1), (overall, 9)], WINDOW) == 0
    # The refused calls took no slot: two events on each counter.
    assert counters.allow([(address, 3)], WINDOW) is None
    assert counters.allow([(address, 3)], WINDOW) == 0


@pytest.mark.usefixtures("needs_redis")
def test_replicas_share_the_counts_and_never_give_one_slot_twice(name: str) -> None:
    """Two replicas, each with its own connection, and 24 visitors racing for 3 slots."""
    replicas = [counters_from_url(REDIS) for _ in range(2)]
    allowed: List[bool] = []
    barrier = threading.Barrier(24)

    def submit(index: int) -> None:
        barrier.wait()
        allowed.append(replicas[index % 2].allow([(name, 3)], WINDOW) is None)

    threads = [threading.Thread(target=submit, args=(index,)) for index in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 3


def test_counters_follow_the_lock_store_url() -> None:
    assert isinstance(counters_from_url(""), MemoryCounters)
    assert isinstance(counters_from_url("memory://"), MemoryCounters)
    assert isinstance(counters_from_url("redis://127.0.0.1:6379/9"), RedisCounters)
    with pytest.raises(ValueError):
        counters_from_url("postgresql://x")
