"""The environment-configured stores: SQL conversations (SQLite, PostgreSQL) and locks."""

import asyncio
import gc
import os
from pathlib import Path
from typing import Any, Iterator, List

import pytest
import sqlalchemy as sa
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from stores.conversations import events as events_table
from stores.lock_store import AtomicRedisLockStore, EnvLockStore, lock_store_from_url
from stores.tracker_store import ERASURE_SLOT, EnvTrackerStore, event_class
from tests.support.databases import REDIS, temporary_database
from tests.support.required import require_postgresql


@pytest.fixture(params=["sqlite", "postgresql"])
def tracker_store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[EnvTrackerStore]:
    if request.param == "sqlite":
        monkeypatch.setenv(
            "TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'nested' / 'conversations.db'}"
        )
        yield EnvTrackerStore(Domain.empty())
        return
    require_postgresql()
    with temporary_database("ptce_stores_test") as url:
        monkeypatch.setenv("TRACKER_STORE_URL", url)
        store = EnvTrackerStore(Domain.empty())
        yield store
        store.engine.dispose()


def conversation(sender: str, *last_actions: str) -> DialogueStateTracker:
    events = [
        ActionExecuted("action_listen"),
        UserUttered("bonjour", {"name": "greet"}),
        ActionExecuted("utter_greet"),
        BotUttered("Bonjour !"),
        ActionExecuted("action_listen"),
    ]
    events += [ActionExecuted(name) for name in last_actions]
    return DialogueStateTracker.from_events(sender, events)


def test_conversations_are_saved_and_read_back(tracker_store: EnvTrackerStore) -> None:
    asyncio.run(tracker_store.save(conversation("visiteur-1")))
    tracker = asyncio.run(tracker_store.retrieve("visiteur-1"))
    assert tracker.latest_message.text == "bonjour"


def later_turn(tracker: DialogueStateTracker, text: str) -> None:
    """What Rasa adds to a tracker during one turn."""
    for event in (
        UserUttered(text, {"name": "faq", "confidence": 0.9}),
        ActionExecuted("utter_faq"),
        BotUttered(f"réponse à {text}"),
        ActionExecuted("action_listen"),
    ):
        tracker.update(event)


def test_events_read_back_are_those_rasa_itself_rebuilds(tracker_store: EnvTrackerStore) -> None:
    """The faster rebuilding of events gives exactly Rasa's events and state."""
    domain = Domain.from_dict(
        {
            "slots": {"lead_name": {"type": "text", "mappings": [{"type": "custom"}]}},
            "forms": {"lead_form": {"required_slots": ["lead_name"]}},
        }
    )
    tracker_store.domain = domain
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered(
            "je veux être recontacté",
            {"name": "request_contact", "confidence": 0.98},
            [{"entity": "lead_field", "value": "email"}],
            message_id="m1",
        ),
        ActionExecuted("lead_form"),
        ActiveLoop("lead_form"),
        SlotSet("requested_slot", "lead_name"),
        SlotSet("lead_name", "Camille"),
        BotUttered("Votre nom ?", {"buttons": []}, {"utter_action": "x"}),
        ActionExecuted("action_listen"),
    ]
    asyncio.run(
        tracker_store.save(DialogueStateTracker.from_events("visiteur-1", events, domain.slots))
    )

    read = asyncio.run(tracker_store.retrieve("visiteur-1"))
    rasa_way = asyncio.run(SQLTrackerStore._retrieve(tracker_store, "visiteur-1", False))
    assert len(read.events) == len(events) - 1  # from the session start on, as Rasa reads
    assert list(read.events) == list(rasa_way.events)
    assert read.current_state() == rasa_way.current_state()


def test_two_replicas_taking_turns_store_every_event_once(tracker_store: EnvTrackerStore) -> None:
    """A second store on the same database stands for a second replica."""
    other = EnvTrackerStore(Domain.empty())
    stores = [tracker_store, other, other, tracker_store, tracker_store]
    asyncio.run(tracker_store.save(conversation("visiteur-1")))
    for turn, store in enumerate(stores):
        tracker = asyncio.run(store.retrieve("visiteur-1"))
        later_turn(tracker, f"question {turn}")
        asyncio.run(store.save(tracker))
    other.engine.dispose()

    texts = [
        event.text
        for event in asyncio.run(tracker_store.retrieve("visiteur-1")).events
        if isinstance(event, UserUttered)
    ]
    assert texts == ["bonjour"] + [f"question {turn}" for turn in range(len(stores))]


def test_only_the_tracker_just_read_skips_rasas_count(tracker_store: EnvTrackerStore) -> None:
    """Only the tracker object last read skips the count: any other is counted by Rasa."""
    asyncio.run(tracker_store.save(conversation("visiteur-1")))
    turn = asyncio.run(tracker_store.retrieve("visiteur-1"))
    asyncio.run(tracker_store.retrieve("visiteur-1"))  # e.g. the HTTP API reading the conversation
    later_turn(turn, "première")
    asyncio.run(tracker_store.save(turn))
    assert list(asyncio.run(tracker_store.retrieve("visiteur-1")).events) == list(turn.events)

    turn = asyncio.run(tracker_store.retrieve("visiteur-1"))
    later_turn(turn, "deuxième")
    asyncio.run(tracker_store.save(turn))
    asyncio.run(tracker_store.save(turn))  # saved twice: nothing is stored twice
    assert list(asyncio.run(tracker_store.retrieve("visiteur-1")).events) == list(turn.events)

    other = EnvTrackerStore(Domain.empty())  # another replica goes on with the conversation
    asyncio.run(tracker_store.retrieve("visiteur-1"))
    turn = asyncio.run(other.retrieve("visiteur-1"))
    later_turn(turn, "troisième")
    asyncio.run(other.save(turn))
    turn = asyncio.run(other.retrieve("visiteur-1"))
    later_turn(turn, "quatrième")
    asyncio.run(tracker_store.save(turn))  # not the tracker this store read: counted
    other.engine.dispose()
    assert list(asyncio.run(tracker_store.retrieve("visiteur-1")).events) == list(turn.events)


def test_saving_the_tracker_just_read_runs_no_count_query(tracker_store: EnvTrackerStore) -> None:
    """The saving that skips Rasa's count really skips it.

    The tests above check that the result stays correct."""
    asyncio.run(tracker_store.save(conversation("visiteur-1")))
    statements: List[str] = []
    sa.event.listen(
        tracker_store.engine,
        "before_cursor_execute",
        lambda _conn, _cursor, statement, *_: statements.append(statement.lower()),
    )
    turn = asyncio.run(tracker_store.retrieve("visiteur-1"))
    later_turn(turn, "première")
    asyncio.run(tracker_store.save(turn))
    assert sum("count(" in statement for statement in statements) == 0
    asyncio.run(tracker_store.save(conversation("visiteur-2")))  # a new tracker: Rasa counts
    assert sum("count(" in statement for statement in statements) == 1


def test_each_event_class_is_looked_up_once(
    tracker_store: EnvTrackerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    lookups: List[str] = []
    resolve = Event.resolve_by_type
    monkeypatch.setattr(
        Event, "resolve_by_type", lambda name, default=None: lookups.append(name) or resolve(name)
    )
    event_class.cache_clear()
    asyncio.run(tracker_store.save(conversation("visiteur-1")))
    for _ in range(3):
        asyncio.run(tracker_store.retrieve("visiteur-1"))
    event_class.cache_clear()  # later tests look classes up with Rasa's own method again
    assert sorted(lookups) == ["action", "bot", "user"]


def test_a_tracker_read_and_dropped_leaves_nothing_behind(tracker_store: EnvTrackerStore) -> None:
    asyncio.run(tracker_store.save(conversation("visiteur-1")))
    asyncio.run(
        tracker_store.retrieve("visiteur-1")
    )  # read, never saved (an API read, a failed turn)
    gc.collect()
    assert "visiteur-1" not in tracker_store._read


def test_the_sqlite_file_is_in_wal_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'conversations.db'}")
    store = EnvTrackerStore(Domain.empty())
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    store.engine.dispose()


def typed(sender: str, *texts: str, **slots: Any) -> DialogueStateTracker:
    """A conversation in which the visitor typed ``texts``; ``slots`` set by actions."""
    events: List[Event] = [ActionExecuted("action_listen")]
    for text in texts:
        events += [UserUttered(text, {"name": "faq"}), ActionExecuted("action_listen")]
    events += [SlotSet(name, value) for name, value in slots.items()]
    return DialogueStateTracker.from_events(sender, events, ERASURE_DOMAIN.slots)


ERASURE_DOMAIN = Domain.from_dict(
    {
        "slots": {
            name: {"type": "any", "mappings": [{"type": "custom"}]}
            for name in (ERASURE_SLOT, "lead_email")
        }
    }
)


def stored(store: EnvTrackerStore) -> List[str]:
    with store.engine.connect() as connection:
        query = sa.select(sa.distinct(events_table.c.sender_id)).order_by(events_table.c.sender_id)
        return list(connection.execute(query).scalars())


def test_deleting_my_data_erases_the_conversation_and_only_it(
    tracker_store: EnvTrackerStore,
) -> None:
    asyncio.run(tracker_store.save(conversation("visiteur-1")))
    asyncio.run(tracker_store.save(conversation("visiteur-2")))
    asyncio.run(
        tracker_store.save(typed("visiteur-1", "supprimez mes données", **{ERASURE_SLOT: []}))
    )
    assert stored(tracker_store) == ["visiteur-2"]


def test_erasure_takes_every_conversation_where_the_address_was_typed(
    tracker_store: EnvTrackerStore,
) -> None:
    """The address stands alone, in any case, in a message or a slot; longer ones stay."""
    tracker_store.domain = ERASURE_DOMAIN
    for tracker in (
        typed("a-typed", "mon mail c'est Jeanne.Dupont@Exemple.fr."),
        typed("b-slot", "bonjour", lead_email="jeanne.dupont@exemple.fr"),
        typed("c-longer", "écrivez à marie.jeanne.dupont@exemple.fr"),
        typed("d-domain", "ou jeanne.dupont@exemple.fr.net"),
        typed("e-other", "paul@exemple.fr, et 100 % de _jokers_"),
    ):
        asyncio.run(tracker_store.save(tracker))
    erasing = typed("f-now", "supprimez", **{ERASURE_SLOT: ["JEANNE.DUPONT@exemple.fr"]})
    asyncio.run(tracker_store.save(erasing))
    assert stored(tracker_store) == ["c-longer", "d-domain", "e-other"]


def insecure_sqlite(connection: Any, _record: Any) -> None:
    connection.execute("PRAGMA secure_delete=OFF")


def test_erased_text_is_in_neither_the_database_nor_its_wal_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The raw bytes of both files: SQLite keeps deleted rows in free pages and in -wal."""
    path = tmp_path / "conversations.db"
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{path}")
    store = EnvTrackerStore(ERASURE_DOMAIN)
    # As on a SQLite built without SECURE_DELETE (Debian's, here, has it on by default).
    sa.event.listen(store.engine, "connect", insecure_sqlite, insert=True)
    store.engine.dispose()
    secret = "jeanne.secret@exemple.fr"
    asyncio.run(store.save(typed("visiteur-1", f"mon mail est {secret}", "x" * 5000)))
    with store.engine.connect() as connection:  # some pages in the file, others in -wal
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    asyncio.run(store.save(typed("visiteur-2", f"je redis {secret}", "y" * 5000)))
    asyncio.run(store.save(typed("visiteur-3", "bonjour")))
    asyncio.run(store.save(typed("visiteur-4", "effacez", **{ERASURE_SLOT: [secret]})))
    files = [path, path.with_name(path.name + "-wal")]
    assert secret.encode() not in b"".join(f.read_bytes() for f in files if f.exists())
    assert stored(store) == ["visiteur-3"]
    store.engine.dispose()


def test_default_lock_store_is_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOCK_STORE_URL", raising=False)
    assert isinstance(EnvLockStore(endpoint_config=None), InMemoryLockStore)


def test_a_redis_url_gives_rasas_redis_lock_store_with_its_database() -> None:
    store = lock_store_from_url("redis://:s3cret@cache.example:6380/4")
    assert isinstance(store, AtomicRedisLockStore)
    kwargs = store.red.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"], kwargs["password"]) == (
        "cache.example",
        6380,
        4,
        "s3cret",
    )


@pytest.mark.usefixtures("needs_redis")
def test_the_redis_lock_store_locks_in_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCK_STORE_URL", REDIS)
    store = EnvLockStore(endpoint_config=None)

    async def hold() -> bool:
        async with store.lock("visiteur-verrou"):
            return bool(store.red.keys("ptce*visiteur-verrou"))

    assert asyncio.run(hold()), "the lock was not written to Redis"
    assert store.get_lock("visiteur-verrou") is None  # released and deleted after the turn


def test_an_unknown_scheme_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="redis://"):
        lock_store_from_url("mysql://somewhere")


@pytest.mark.usefixtures("needs_redis")
def test_tickets_issued_at_once_by_two_replicas_are_all_kept() -> None:
    """Two store instances stand for two replicas; Rasa's own store loses tickets here."""
    from concurrent.futures import ThreadPoolExecutor

    replicas = [lock_store_from_url(REDIS) for _ in range(2)]
    conversation = f"visiteur-concurrent-{os.getpid()}"
    replicas[0].delete_lock(conversation)
    with ThreadPoolExecutor(16) as pool:
        tickets = list(pool.map(lambda i: replicas[i % 2].issue_ticket(conversation), range(40)))
    lock = replicas[0].get_lock(conversation)
    assert sorted(tickets) == list(range(40))
    assert sorted(ticket.number for ticket in lock.tickets) == list(range(40))
    replicas[0].delete_lock(conversation)
