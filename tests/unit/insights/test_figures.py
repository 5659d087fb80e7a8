"""Every figure of the report, computed on small event lists written here."""

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import List, Optional

from insights.events import Event
from insights.figures import NO_ANSWER_BEFORE, compute
from insights.outcomes import ANSWERED, FALLBACK, OTHER, OUT_OF_SCOPE, SHEET_SEARCH, UNHELPFUL

# 2026-03-10 12:00 UTC, a Tuesday.
NOON = datetime(2026, 3, 10, 12, tzinfo=timezone.utc).timestamp()


@dataclass
class Chat:
    """One visitor's events, ten seconds apart."""

    sender: str = "a"
    channel: str = "socketio"
    clock: float = NOON
    events: List[Event] = field(default_factory=list)

    def _add(self, kind: str, **values: Optional[str]) -> "Chat":
        self.clock += 10
        self.events.append(Event(self.sender, kind, self.clock, **values))
        return self

    def session(self) -> "Chat":
        return self._add("session_started")

    def says(self, text: str, intent: str = "faq") -> "Chat":
        return self._add("user", intent=intent, text=text, channel=self.channel)

    def runs(self, action: str) -> "Chat":
        return self._add("action", action=action)

    def utters(self, response: Optional[str]) -> "Chat":
        return self._add("bot", response=response)

    def loop(self, name: Optional[str]) -> "Chat":
        return self._add("active_loop", action=name)

    def answers(self, key: str) -> "Chat":
        return self.runs("utter_faq").utters(f"utter_faq/{key}").runs("action_listen")


def test_conversations_per_day_and_channel_in_paris_time() -> None:
    late = datetime(2026, 3, 31, 22, 30, tzinfo=timezone.utc).timestamp()  # 00:30 in Paris
    events = (
        Chat("a", "socketio").says("bonjour", "greet").events
        + Chat("b", "telegram").says("bonjour", "greet").events
        + Chat("c", "socketio", clock=late).says("bonjour", "greet").events
        + Chat("d", "cmdline").says("salut", "greet").events
        + Chat("e", "rest").says("salut", "greet").events
    )
    figures = compute(events)
    assert figures.conversations == 5
    assert figures.conversations_per_day == {
        date(2026, 3, 10): {"Widget web": 1, "Telegram": 1, "Terminal ou REST": 2},
        date(2026, 4, 1): {"Widget web": 1},
    }
    assert figures.conversations_per_channel == {
        "Widget web": 2,
        "Telegram": 1,
        "Terminal ou REST": 2,
    }


def test_a_new_session_is_a_new_conversation_and_silent_sessions_do_not_count() -> None:
    chat = Chat().session().says("bonjour", "greet").runs("utter_greet")
    chat.session().says("re", "greet").says("merci", "thank").session()
    figures = compute(chat.events + Chat("b").session().events)
    assert figures.conversations == 2
    assert figures.messages == 3
    assert sorted(figures.messages_per_conversation) == [1, 2]


def test_median_length_in_messages_and_minutes() -> None:
    one = Chat("a").says("bonjour", "greet")
    three = Chat("b").says("a", "greet").says("b", "greet").says("c", "greet").runs("x")
    five = Chat("c")
    for _ in range(5):
        five.says("?", "greet")
    figures = compute(one.events + three.events + five.events)
    assert figures.median_messages == 3
    # b: from its first message to its last event, 30 s.
    assert figures.median_minutes == 0.5


def test_what_each_message_led_to() -> None:
    chat = Chat()
    chat.says("c'est quoi un ptce").answers("ptce_definition")
    chat.says("le calendrier", "ami_calendrier").runs("action_answer_ami").utters(None)
    chat.says("quel temps fait-il", "out_of_scope").runs("utter_out_of_scope")
    chat.utters("utter_out_of_scope")
    chat.says("blorf", "nlu_fallback").runs("action_two_stage_fallback")
    chat.loop("action_two_stage_fallback").utters("utter_ask_which_topic")
    # A topic picked from the fallback's buttons: the loop ends, then the answer.
    chat.says("C'est quoi un PTCE ?").runs("action_two_stage_fallback").loop(None)
    chat.answers("ptce_definition")
    # The sheet search runs the fallback action, then answers with a passage.
    chat.says("qui finance", "nlu_fallback").runs("action_fallback")
    chat.utters("utter_sheet_passage")
    chat.says("zzz", "nlu_fallback").runs("action_fallback").utters("utter_fallback_nothing")
    chat.says("bonjour", "greet").runs("utter_greet").utters("utter_greet")
    figures = compute(chat.events)
    assert figures.outcomes == {
        ANSWERED: 3,
        OUT_OF_SCOPE: 1,
        FALLBACK: 2,
        SHEET_SEARCH: 1,
        OTHER: 1,
    }
    assert figures.topics == {"faq/ptce_definition": 2, "ami_calendrier": 1}


def test_unanswered_questions_are_masked_and_counted_with_first_and_last_time() -> None:
    chat = Chat()
    first = chat.says("Quel temps fait-il ?", "out_of_scope").clock
    chat.utters("utter_out_of_scope")
    last = chat.says("quel temps fait il", "out_of_scope").clock
    chat.utters("utter_out_of_scope")
    chat.says("écrivez à jeanne.dupont@exemple.fr", "nlu_fallback").utters("utter_default")
    chat.says("appelez le 06 12 34 56 78", "nlu_fallback").utters("utter_default")
    questions = compute(chat.events).questions
    assert set(questions) == {"quel temps fait il", "ecrivez a", "appelez le 06"}
    weather = questions["quel temps fait il"]
    assert (weather.count, weather.first, weather.last) == (2, first, last)
    assert weather.example == "Quel temps fait-il ?"
    assert questions["ecrivez a"].example == "écrivez à j***@e***.fr"
    assert questions["appelez le 06"].example == "appelez le 06 ******78"
    assert "jeanne" not in str(questions) and "34 56" not in str(questions)


def test_button_payloads_and_messages_typed_in_the_contact_form_are_never_listed() -> None:
    chat = Chat()
    chat.says("/out_of_scope", "out_of_scope").runs("action_two_stage_fallback")
    chat.utters("utter_ask_rephrase")
    chat.says("je voudrais être recontacté", "request_contact").runs("action_ask_consent")
    chat.says("/affirm", "affirm").runs("action_accept_consent").runs("lead_form")
    chat.loop("lead_form").utters("utter_ask_lead_name")
    chat.says("Jeanne Dupont", "nlu_fallback").runs("action_two_stage_fallback")
    chat.utters("utter_ask_which_topic")
    figures = compute(chat.events)
    assert figures.outcomes[FALLBACK] == 2
    assert figures.questions == {}


def test_a_not_helpful_counts_against_the_answer_it_follows() -> None:
    chat = Chat()
    chat.says("pas utile", "not_helpful").utters("utter_not_helpful")
    chat.says("c'est quoi un ptce").answers("ptce_definition")
    chat.says("merci", "thank").utters("utter_you_are_welcome")
    chat.says("ça ne répond pas à ma question", "not_helpful").utters("utter_not_helpful")
    chat.says("la météo", "out_of_scope").utters("utter_out_of_scope")
    chat.says("pas utile", "not_helpful").utters("utter_not_helpful")
    figures = compute(chat.events + Chat("b").says("nul", "not_helpful").runs("x").events)
    assert figures.unhelpful == {"faq/ptce_definition": 1, OUT_OF_SCOPE: 1, NO_ANSWER_BEFORE: 1}
    assert figures.outcomes[UNHELPFUL] == 3
    # A "not helpful" is not a question nor an answer.
    assert figures.questions.keys() == {"la meteo"}


def test_the_contact_funnel_counts_each_conversation_once_per_step() -> None:
    full = Chat("a")
    full.says("rappel", "request_contact").runs("action_ask_consent")
    full.says("/affirm", "affirm").runs("action_accept_consent")
    full.says("x", "nlu_fallback").runs("action_show_lead_summary")
    # A correction shows the summary again: still one conversation at that step.
    full.says("/lead_correct", "lead_correct").runs("action_show_lead_summary")
    refused = Chat("b").says("rappel", "request_contact").runs("action_ask_consent")
    refused.says("/deny", "deny").runs("action_refuse_consent")
    figures = compute(full.events + refused.events)
    assert figures.funnel == {
        "action_ask_consent": 2,
        "action_accept_consent": 1,
        "action_show_lead_summary": 1,
    }


def test_no_events_no_conversation() -> None:
    figures = compute([])
    assert (figures.conversations, figures.messages, figures.median_messages) == (0, 0, 0)
    assert figures.first_seen is None and figures.questions == {}
