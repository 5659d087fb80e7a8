"""Every figure of the report, computed in one pass over a stream of events.

Events arrive conversation by conversation (``insights.events``). A conversation
is one Rasa session of one visitor (a new ``session_started`` starts another)
with at least one visitor message; its day and channel are those of its first
message, its day in Paris time. What a visitor message led to is read from the
actions and responses between it and the next message (``insights.outcomes``).

Nothing personal leaves this module: question texts are masked
(``actions.leads.validation.redact``) as soon as they are read, messages typed
while the contact form runs are never kept, and conversation ids are dropped.
"""

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Dict, Iterable, List, Optional

from actions.leads.store import PARIS
from actions.leads.validation import redact
from insights.events import Event
from insights.grouping import Question, normalise
from insights.outcomes import (
    ANSWERED,
    FUNNEL_ACTIONS,
    LEAD_FORM,
    OTHER,
    UNANSWERED,
    UNHELPFUL,
    channel_label,
    first_by_priority,
    outcome_of,
)

# The topic a "not helpful" counts against when no answer came before it.
NO_ANSWER_BEFORE = "none"


@dataclass
class Figures:
    """What the report shows, for one period."""

    conversations_per_day: Dict[date, Counter] = field(default_factory=dict)
    conversations_per_channel: Counter = field(default_factory=Counter)
    messages: int = 0
    messages_per_conversation: List[int] = field(default_factory=list)
    minutes_per_conversation: List[float] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    topics: Counter = field(default_factory=Counter)
    unhelpful: Counter = field(default_factory=Counter)
    questions: Dict[str, Question] = field(default_factory=dict)
    funnel: Counter = field(default_factory=Counter)
    first_seen: Optional[float] = None
    last_seen: Optional[float] = None

    @property
    def conversations(self) -> int:
        return len(self.messages_per_conversation)

    @property
    def median_messages(self) -> float:
        """Visitor messages in the median conversation (0 without conversations)."""
        return statistics.median(self.messages_per_conversation or [0])

    @property
    def median_minutes(self) -> float:
        """Minutes from first to last event of the median conversation."""
        return statistics.median(self.minutes_per_conversation or [0.0])


@dataclass
class _Message:
    text: str
    timestamp: float
    intent: Optional[str]
    in_form: bool
    outcome: str = OTHER
    topic: Optional[str] = None


@dataclass
class _Conversation:
    """The state of the conversation being read."""

    sender: str
    channel: Optional[str] = None
    start: Optional[float] = None
    end: Optional[float] = None
    messages: int = 0
    form_active: bool = False
    steps: set = field(default_factory=set)
    last_answer: str = NO_ANSWER_BEFORE
    pending: Optional[_Message] = None


class _Tally:
    """Adds events to ``Figures`` one at a time."""

    def __init__(self) -> None:
        self.figures = Figures()
        self.current: Optional[_Conversation] = None

    def add(self, event: Event) -> None:
        current = self.current
        if current is None or event.sender != current.sender or event.kind == "session_started":
            self.close()
            self.current = _Conversation(event.sender)
        conversation = self.current
        if event.kind == "user":
            self._finish_message(conversation)
            self._start_message(conversation, event)
        elif event.kind == "active_loop":
            conversation.form_active = event.action == LEAD_FORM
        elif event.kind == "action" and event.action in FUNNEL_ACTIONS:
            conversation.steps.add(event.action)
        if conversation.messages:
            conversation.end = event.timestamp
        name = event.response if event.kind == "bot" else event.action
        if event.kind in ("bot", "action") and conversation.pending is not None:
            self._record(conversation.pending, name)

    def _start_message(self, conversation: _Conversation, event: Event) -> None:
        figures = self.figures
        if conversation.messages == 0:
            conversation.channel, conversation.start = event.channel, event.timestamp
        conversation.messages += 1
        figures.messages += 1
        figures.first_seen = min(figures.first_seen or event.timestamp, event.timestamp)
        figures.last_seen = max(figures.last_seen or event.timestamp, event.timestamp)
        conversation.pending = _Message(
            text=event.text or "",
            timestamp=event.timestamp,
            intent=event.intent,
            in_form=conversation.form_active,
        )

    @staticmethod
    def _record(message: _Message, name: Optional[str]) -> None:
        """Note what the bot did after ``message``: its outcome and answered topic."""
        outcome = outcome_of(name)
        if outcome is None:
            return
        message.outcome = first_by_priority(outcome, message.outcome)
        if outcome == ANSWERED and message.topic is None:
            # A sheet answer's topic is its response key; an AMI answer's, the intent.
            is_response = name.startswith("utter_")
            message.topic = name[len("utter_") :] if is_response else message.intent

    def _finish_message(self, conversation: _Conversation) -> None:
        message, conversation.pending = conversation.pending, None
        if message is None:
            return
        figures = self.figures
        figures.outcomes[message.outcome] += 1
        if message.outcome == UNHELPFUL:
            figures.unhelpful[conversation.last_answer] += 1
            return
        if message.outcome == ANSWERED:
            figures.topics[message.topic] += 1
            conversation.last_answer = message.topic or ANSWERED
        elif message.outcome != OTHER:
            conversation.last_answer = message.outcome
        if message.outcome in UNANSWERED and _is_question(message):
            self._count_question(message)

    def _count_question(self, message: _Message) -> None:
        masked = redact(message.text.strip())
        key = normalise(masked)
        if not key:
            return
        question = self.figures.questions.get(key)
        if question is None:
            question = self.figures.questions[key] = Question(masked, message.timestamp)
        question.add(message.timestamp, message.outcome)

    def close(self) -> None:
        """End the conversation being read and count it."""
        conversation, self.current = self.current, None
        if conversation is None:
            return
        self._finish_message(conversation)
        if not conversation.messages:
            return
        figures = self.figures
        day = datetime.fromtimestamp(conversation.start, PARIS).date()
        channel = channel_label(conversation.channel)
        figures.conversations_per_day.setdefault(day, Counter())[channel] += 1
        figures.conversations_per_channel[channel] += 1
        figures.messages_per_conversation.append(conversation.messages)
        figures.minutes_per_conversation.append((conversation.end - conversation.start) / 60)
        figures.funnel.update(conversation.steps)


def _is_question(message: _Message) -> bool:
    """Typed by the visitor outside the contact form: button payloads start with ``/``."""
    return not message.in_form and not message.text.startswith("/")


def compute(events: Iterable[Event]) -> Figures:
    """The figures of a stream of events ordered by conversation, then by time."""
    tally = _Tally()
    for event in events:
        tally.add(event)
    tally.close()
    return tally.figures
