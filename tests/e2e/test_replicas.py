"""Two Rasa servers, one action server, the machine's PostgreSQL and Redis.

The scale-out path is Rasa's own: stateless servers sharing the SQL tracker
store (stores/tracker_store.py) and the Redis lock store (stores/lock_store.py).
Skipped, saying why, only when PostgreSQL or Redis cannot be reached (failed in CI).
"""

import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest
import requests

from tests.support.blind import fact
from tests.support.chat import say, text_of
from tests.support.content import response_start
from tests.support.databases import REDIS, temporary_database
from tests.support.leads import REFERENCE
from tests.support.processes import base_env, launch_actions, launch_rasa, stop

API_TOKEN = "jeton-de-test-replicas"


pytestmark = pytest.mark.usefixtures("needs_postgresql", "needs_redis")


class Cluster:
    """Two replicas of the Rasa server, started with the same environment."""

    def __init__(self, work: Path, env: Dict[str, str]) -> None:
        self.work, self.env = work, env
        self.replicas: List[Tuple[subprocess.Popen, str]] = []

    def start_replica(self, name: str) -> str:
        process, url = launch_rasa(
            self.work, self.env, name, ["--enable-api", "--auth-token", API_TOKEN]
        )
        self.replicas.append((process, url))
        return url

    def events(self, url: str, sender: str) -> List[dict]:
        response = requests.get(
            f"{url}/conversations/{sender}/tracker", params={"token": API_TOKEN}, timeout=10
        )
        response.raise_for_status()
        return response.json()["events"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    work = tmp_path_factory.mktemp("replicas")
    with temporary_database("ptce_replicas") as database:
        env = dict(
            base_env(),
            TRACKER_STORE_URL=database,
            LOCK_STORE_URL=REDIS,
            LEADS_DATABASE_URL=database,
        )
        actions, env["ACTION_SERVER_URL"] = launch_actions(work, env)
        cluster = Cluster(work, env)
        try:
            with ThreadPoolExecutor(2) as pool:  # both replicas start at once
                list(pool.map(cluster.start_replica, ["replica-a", "replica-b"]))
            yield cluster
        finally:
            stop([actions] + [process for process, _ in cluster.replicas])


TURNS = [
    ("bonjour", response_start("utter_greet")),
    ("c'est quoi un ptce ?", fact("definition_regroupement")),
    ("je voudrais être recontacté par un consultant", response_start("utter_ask_consent")),
    ("/affirm", response_start("utter_ask_lead_name")),
    ("Camille Martin", response_start("utter_ask_lead_email")),
    ("camille.martin@exemple.fr", response_start("utter_ask_lead_phone")),
    ("au fait, c'est quoi l'AMI ?", response_start("utter_ami_what")),
    ("/deny", response_start("utter_ask_lead_organisation")),
]


def normalised(replies: List[dict]) -> str:
    return REFERENCE.sub("PTCE-…", text_of(replies))


def test_a_conversation_alternating_between_replicas_is_the_same_as_on_one(
    cluster: Cluster,
) -> None:
    one, alternating = uuid.uuid4().hex, uuid.uuid4().hex
    urls = [url for _, url in cluster.replicas]
    for index, (message, expected) in enumerate(TURNS):
        on_one = normalised(say(urls[0], message, one))
        across = normalised(say(urls[index % 2], message, alternating))
        assert expected in across, (message, across)
        assert across == on_one
    assert [e["event"] for e in cluster.events(urls[0], alternating)] == [
        e["event"] for e in cluster.events(urls[1], alternating)
    ]


def test_concurrent_messages_to_both_replicas_are_neither_lost_nor_interleaved(
    cluster: Cluster,
) -> None:
    sender = uuid.uuid4().hex
    urls = [url for _, url in cluster.replicas]
    # Each message and the response its reply must carry.
    expected = {
        "bonjour": "utter_greet",
        "c'est quoi un ptce": "utter_faq/ptce_definition",
        "merci": "utter_you_are_welcome",
        "qui a écrit le rapport relancer les ptce": "utter_faq/rapport_presentation",
        "la charte ptce": "utter_faq/charte",
        "t'es un robot ?": "utter_iamabot",
        "les offres du cabinet": "utter_faq/offres",
        "au revoir": "utter_goodbye",
    }
    messages = list(expected)
    with ThreadPoolExecutor(len(messages)) as pool:
        replies = list(
            pool.map(lambda pair: say(urls[pair[0] % 2], pair[1], sender), enumerate(messages))
        )
    for message, reply in zip(messages, replies, strict=True):
        assert response_start(expected[message]) in text_of(reply), (message, reply)
    events = cluster.events(urls[0], sender)
    users = [e["text"] for e in events if e["event"] == "user"]
    assert sorted(users) == sorted(messages)
    # Under the lock, each turn runs whole: every user message is followed by its
    # bot answer before the next user message is processed.
    kinds = [e["event"] for e in events if e["event"] in ("user", "bot")]
    turns = "".join("u" if kind == "user" else "b" for kind in kinds)
    assert "uu" not in turns and turns.startswith("u"), turns


def test_a_replica_killed_mid_form_the_other_carries_on(cluster: Cluster) -> None:
    sender = uuid.uuid4().hex
    (first, first_url), (_, second_url) = cluster.replicas
    for message, expected in TURNS[2:5]:
        assert expected in text_of(say(first_url, message, sender))
    first.kill()
    first.wait(timeout=20)
    for message, expected in TURNS[5:6] + TURNS[7:]:
        assert expected in text_of(say(second_url, message, sender))


def test_the_http_api_needs_its_token(cluster: Cluster) -> None:
    url = cluster.replicas[-1][1]
    assert requests.get(f"{url}/status", timeout=10).status_code == 401
    assert requests.get(f"{url}/status", params={"token": API_TOKEN}, timeout=10).status_code == 200
