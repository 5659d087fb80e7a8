"""Synthetic conversations stored as Rasa stores them, for the insights report.

Each conversation is a Rasa session of events shaped like those of the running
bot (checked against a real ``events`` table: user events with their full
``parse_data``, bot messages with ``metadata.utter_action``, the contact form's
actions and active loops). ``scripts/bench_insights.py`` fills stores of 100,000
conversations with them; the browser test of the report uses a few thousand.
The stores are created by the project's own classes (Rasa's table and index,
the lead store's tables).
"""

import csv
import io
import json
import random
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import sqlalchemy as sa

from actions.leads.store import LeadInput, LeadStore
from tests.support.databases import temporary_database
from tests.support.required import require_postgresql

Row = Tuple[str, str, float, Optional[str], Optional[str], str]
# (what the visitor types, intent, [(action, response sent by name or None)])
Turn = Tuple[str, str, List[Tuple[str, Optional[str]]]]
INTENTS = [
    "faq",
    "greet",
    "out_of_scope",
    "ami_calendrier",
    "request_contact",
    "thank",
    "affirm",
    "deny",
    "help",
    "goodbye",
]
QUESTIONS = [
    ("C'est quoi un PTCE ?", "ptce_definition"),
    ("quelles formes prend un ptce", "ptce_formes"),
    ("Combien y a-t-il de PTCE ?", "ptce_nombre"),
    ("ou lire la nouvelle charte", "charte"),
    ("vos accompagnements", "offres"),
    ("quelle est la vision du cabinet", "cabinet_vision"),
    ("qui a écrit le rapport relancer les ptce", "rapport_presentation"),
    ("les ptce sont reconnus par quelle loi", "ptce_loi"),
]
AMI = [
    ("jusqu'a quand deposer un dossier a l'AMI", "ami_calendrier"),
    ("c koi l'ami", "ami_presentation"),
]
OUT_OF_SCOPE = [
    "quel temps fait-il à Paris ?",
    "Quel temps fait il a Lyon",
    "vous recrutez ?",
    "est-ce que vous recrutez des stagiaires",
    "qui a gagné le match hier",
    "donne moi une recette de crêpes",
    "combien coûte un accompagnement ?",
    "combien coute votre accompagnement",
    "quels sont vos tarifs",
]
NOT_UNDERSTOOD = ["blorf", "euh", "???", "ok et donc", "jsp", "et pour la suite"]
SHEET_SEARCH = [
    "quels financements pour un ptce",
    "financement d'un PTCE ?",
    "qui finance les ptce",
    "un ptce peut il etre une scic",
]
UNHELPFUL = ["pas utile", "ça ne répond pas à ma question", "c pas ce que je demande"]
CONTACT_FIELDS = ["Camille Martin", "camille@exemple.fr", "/deny", "Commune de Vire"]
CONTACT_FIELDS += ["Collectivité", "Calvados", "Relancer un PTCE", "Nous voulons relancer."]
CHANNELS = (("socketio", 0.7), ("telegram", 0.2), ("rest", 0.1))
DESTINATIONS = ("email", "webhook")


@dataclass
class Events:
    """The rows of one conversation, built turn by turn, timestamps increasing."""

    sender: str
    clock: float
    channel: str
    rows: List[Row]

    def add(self, kind: str, data: Dict[str, Any], intent: str = None, action: str = None) -> None:
        self.clock += 0.01
        meta = {"model_id": "bench", "assistant_id": "ptce-fr-consultants"}
        body = {"event": kind, "timestamp": self.clock, "metadata": meta, **data}
        self.rows.append((self.sender, kind, self.clock, intent, action, json.dumps(body)))

    def action(self, name: str, response: Optional[str] = None) -> None:
        self.add("action", {"name": name, "policy": "RulePolicy", "confidence": 1.0}, action=name)
        if response:
            meta = {"utter_action": response, "model_id": "bench"}
            self.add("bot", {"text": f"Réponse {response}", "data": {}, "metadata": meta})

    def loop(self, name: Optional[str]) -> None:
        self.add("active_loop", {"name": name}, action=name)

    def user(self, text: str, intent: str, seconds: float) -> None:
        self.clock += seconds
        ranking = [{"name": name, "confidence": 0.1} for name in INTENTS]
        selector = {
            "response": {"intent_response_key": "faq/ptce_definition", "confidence": 0.9},
            "ranking": [
                {"intent_response_key": f"faq/{key}", "confidence": 0.1} for _, key in QUESTIONS
            ],
        }
        parse = {
            "intent": {"name": intent, "confidence": 0.93},
            "entities": [],
            "text": text,
            "message_id": uuid.uuid4().hex,
            "metadata": {},
            "intent_ranking": ranking,
            "response_selector": {"all_retrieval_intents": ["faq"], "faq": selector},
        }
        data = {"text": text, "parse_data": parse, "input_channel": self.channel}
        self.add("user", data, intent=intent)
        self.add("user_featurization", {"use_text_for_featurization": False})

    def turn(self, text: str, intent: str, actions: Sequence[Tuple[str, Optional[str]]]) -> None:
        self.user(text, intent, seconds=20)
        for name, response in actions:
            self.action(name, response)
        self.action("action_listen")


def _question(rng: random.Random) -> Turn:
    """A visitor question and what the bot did, in realistic proportions."""
    roll = rng.random()
    if roll < 0.45:
        text, key = rng.choice(QUESTIONS)
        return text, "faq", [("utter_faq", f"utter_faq/{key}")]
    if roll < 0.55:
        text, intent = rng.choice(AMI)
        return text, intent, [("action_answer_ami", None)]
    if roll < 0.68:
        return _varied(rng, OUT_OF_SCOPE), "out_of_scope", [("utter_out_of_scope",) * 2]
    if roll < 0.78:
        return _varied(rng, NOT_UNDERSTOOD), "nlu_fallback", [("action_fallback", "utter_default")]
    if roll < 0.86:
        search = [("action_fallback", "utter_sheet_passage")]
        return _varied(rng, SHEET_SEARCH), "nlu_fallback", search
    if roll < 0.90:
        return rng.choice(UNHELPFUL), "not_helpful", [("utter_not_helpful",) * 2]
    return "bonjour", "greet", [("utter_greet",) * 2]


def _varied(rng: random.Random, texts: Sequence[str]) -> str:
    """One of ``texts``, sometimes with an address or a number typed after it."""
    text = rng.choice(texts)
    roll = rng.random()
    if roll < 0.05:
        return f"{text} mon mail est visiteur{rng.randrange(10_000)}@exemple.fr"
    if roll < 0.08:
        return f"{text} rappelez-moi au 06 {rng.randrange(10, 99)} 34 56 78"
    return text


def _contact(events: Events, rng: random.Random) -> bool:
    """The contact form; visitors drop out at each step. True when confirmed."""
    events.turn("je voudrais être recontacté", "request_contact", [("action_ask_consent",) * 2])
    if rng.random() < 0.3:
        events.turn("/deny", "deny", [("action_refuse_consent", "utter_consent_refused")])
        return False
    events.user("/affirm", "affirm", seconds=10)
    events.action("action_accept_consent", "utter_consent_accepted")
    events.action("lead_form")
    events.loop("lead_form")
    events.action("action_listen")
    for field in CONTACT_FIELDS:
        if rng.random() < 0.03:
            return False
        events.user(field, "nlu_fallback", seconds=15)
        events.action("lead_form", "utter_ask_lead_field")
        events.action("action_listen")
    events.loop(None)
    events.action("action_show_lead_summary", "utter_lead_summary")
    events.action("action_listen")
    if rng.random() < 0.15:
        return False
    events.turn("/affirm", "affirm", [("action_submit_lead", "utter_lead_submitted")])
    return True


def conversations(
    count: int, days: int, end: datetime, seed: int = 7, contact_share: float = 0.01
) -> Iterator[Tuple[List[Row], bool]]:
    """``count`` conversations spread over the ``days`` before ``end``: their rows, and
    whether each left a lead."""
    rng = random.Random(seed)
    start = (end - timedelta(days=days)).timestamp()
    names, weights = zip(*CHANNELS, strict=True)
    for number in range(count):
        clock = start + rng.random() * days * 86400
        channel = rng.choices(names, weights)[0]
        events = Events(f"visiteur-{number:07d}", clock, channel, [])
        events.action("action_session_start")
        events.add("session_started", {})
        events.action("action_listen")
        lead = False
        if rng.random() < contact_share:
            lead = _contact(events, rng)
        else:
            for _ in range(rng.choices((1, 2, 3), (0.6, 0.3, 0.1))[0]):
                events.turn(*_question(rng))
        yield events.rows, lead


def fill_events(engine: sa.engine.Engine, rows: Iterator[Row], batch: int = 20_000) -> int:
    """Append rows to the ``events`` table Rasa created; COPY on PostgreSQL. How many rows."""
    columns = "sender_id, type_name, timestamp, intent_name, action_name, data"
    total = 0
    chunk: List[Row] = []

    def flush() -> None:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            if engine.dialect.name == "postgresql":
                buffer = io.StringIO()
                csv.writer(buffer).writerows(chunk)
                buffer.seek(0)
                cursor.copy_expert(f"COPY events ({columns}) FROM STDIN WITH CSV", buffer)
            else:
                cursor.executemany(f"INSERT INTO events ({columns}) VALUES (?,?,?,?,?,?)", chunk)
            raw.commit()
        finally:
            raw.close()

    for row in rows:
        chunk.append(row)
        if len(chunk) >= batch:
            flush()
            total += len(chunk)
            chunk = []
    if chunk:
        flush()
        total += len(chunk)
    return total


def lead_input(number: int) -> LeadInput:
    """A lead as the form would store it (made-up visitor)."""
    return LeadInput(
        conversation_id=f"visiteur-{number:07d}",
        channel="socketio",
        name="Camille Martin",
        email=f"visiteur{number}@exemple.fr",
        organisation="Commune de Vire",
        organisation_type="collectivite",
        territory="Calvados",
        need="relancer_ptce",
        message="Nous voulons relancer notre PTCE.",
        consent_at=datetime.now(timezone.utc),
        consent_version="bench",
    )


def fill_leads(store: LeadStore, count: int, pending_every: int = 5) -> None:
    """``count`` leads for both destinations; every ``pending_every``-th one's webhook
    is still pending."""
    for number in range(count):
        lead = store.create(lead_input(number), list(DESTINATIONS))
        store.mark_sent(lead.id, "email")
        if number % pending_every:
            store.mark_sent(lead.id, "webhook")


def fill_stores(
    tracker_url: str, leads_url: str, count: int, days: int, end: Optional[datetime] = None
) -> int:
    """Create Rasa's ``events`` table and the lead store, fill both; how many events."""
    from rasa.core.tracker_store import SQLTrackerStore  # Rasa's own table, index included.

    engine = sa.create_engine(tracker_url, future=True)
    SQLTrackerStore.Base.metadata.create_all(engine)
    confirmed = []

    def rows() -> Iterator[Row]:
        for conversation, lead in conversations(count, days, end or datetime.now(timezone.utc)):
            confirmed.append(lead)
            yield from conversation

    try:
        total = fill_events(engine, rows())
    finally:
        engine.dispose()
    store = LeadStore(leads_url)
    try:
        fill_leads(store, sum(confirmed))
    finally:
        store.dispose()
    return total


def store_typed(tracker_url: str, typed: Dict[str, Tuple[datetime, Sequence[str]]]) -> None:
    """Conversations in Rasa's ``events`` table: for each sender, what the visitor
    typed and when (one user event per text), for the erasure and purge tests."""
    from rasa.core.tracker_store import SQLTrackerStore  # Rasa's own table, index included.

    engine = sa.create_engine(tracker_url, future=True)
    SQLTrackerStore.Base.metadata.create_all(engine)
    rows = (
        (sender, "user", when.timestamp(), "faq", None, json.dumps({"event": "user", "text": text}))
        for sender, (when, texts) in typed.items()
        for text in texts
    )
    try:
        fill_events(engine, rows)
    finally:
        engine.dispose()


def senders(tracker_url: str) -> List[str]:
    """The conversations stored in Rasa's ``events`` table, sorted."""
    engine = sa.create_engine(tracker_url, future=True)
    try:
        with engine.connect() as connection:
            query = sa.text("SELECT DISTINCT sender_id FROM events ORDER BY sender_id")
            return list(connection.execute(query).scalars())
    finally:
        engine.dispose()


@contextmanager
def conversations_database(backend: str, tmp_path: Path, prefix: str) -> Iterator[str]:
    """An empty conversations database for one test, ``sqlite`` (a file in ``tmp_path``)
    or ``postgresql`` (a database of the machine's server, dropped afterwards)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'conversations.db'}"
        return
    require_postgresql()
    with temporary_database(prefix) as url:
        yield url
