"""Answers about the AMI PTCE, told relative to today's date.

The resource sheet was written in 2021 and gives the AMI calendar in the future
tense. Each dated fact is therefore a :class:`Milestone` with one response per
tense (``data/responses/ami.yml``), and an answer is composed of the sentences
that fit the day the visitor asks, in Europe/Paris time.
"""

import re
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any, Callable, Dict, FrozenSet, List, NamedTuple, Optional, Text, Tuple
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.responses import listen_if, response_text
from actions.safety import guarded
from actions.topics import TOPIC_SLOT, next_buttons, points_to_offer
from components.french import fold, stems

PARIS = ZoneInfo("Europe/Paris")
# What the sheet does not give of the AMI today (its state, winners, amounts).
AMI_TODAY = "faq/limite_ami_actuel"
# Declines a message out of scope, unless it asks whether the last answer still holds.
OUT_OF_SCOPE = "action_answer_out_of_scope"
# The words of a message about the AMI. « L'aide de l'État pour un contrat PEC, c'est
# combien en ce moment ? » got what the sheet does not give of the AMI (its amounts
# today), and the 2021 facts with it: a State aid in general is out of scope.
ABOUT_THE_AMI = re.compile(
    r"\b(ami|appel|manifestation|ministere|bercy|laureats?|gagnants?|vainqueurs?|candid\w*|"
    r"postul\w*|dossiers?|vagues?|ptce|poles?|selection\w*|depo\w*|relance)\b"
)
ASKS_A_DATE = re.compile(
    r"\b(dates?|quand|qd|kan|délai|delai|deadline|clôture|cloture|calendrier)\b",
    re.IGNORECASE,
)


class Milestone(NamedTuple):
    """A dated fact of the AMI: its responses ``utter_ami_<name>_<tense>``."""

    start: date
    end: date
    name: str

    def response(self, today: date) -> str:
        """The response whose tense fits ``today``: future, ongoing or past."""
        if today < self.start:
            tense = "future"
        elif today <= self.end:
            tense = "ongoing"
        else:
            tense = "past"
        return f"utter_ami_{self.name}_{tense}"


FIRST_WAVE = Milestone(date(2021, 5, 12), date(2021, 6, 23), "first_wave")
# What the best files of the first wave were to win: told with the first wave.
WINNERS = Milestone(date(2021, 5, 12), date(2021, 6, 23), "winners")
SELECTION = Milestone(date(2021, 7, 1), date(2021, 11, 30), "selection")
REOPENING = Milestone(date(2021, 9, 1), date(2021, 9, 30), "reopening")
NEXT_WAVE = Milestone(date(2022, 1, 1), date(2022, 12, 31), "next_wave")
CALENDAR = (FIRST_WAVE, SELECTION, REOPENING, NEXT_WAVE)


def calendar_is_over(today: date) -> bool:
    """True once every dated fact of the sheet lies in the past."""
    return all(today > milestone.end for milestone in CALENDAR)


def current_or_past(today: date, name: str) -> str:
    """``utter_ami_<name>_past`` once the calendar is over, else ``…_current``."""
    return f"utter_ami_{name}_{'past' if calendar_is_over(today) else 'current'}"


def presentation(today: date) -> List[str]:
    """What the AMI is, that it was permanent, its first wave, where its current state is."""
    return [
        "utter_ami_what",
        current_or_past(today, "permanent"),
        FIRST_WAVE.response(today),
        current_or_past(today, "pointer"),
    ]


def calendar(today: date) -> List[str]:
    """The deadline first (none current once the calendar is over), then the 2021 dates."""
    opening = ["utter_ami_no_current_deadline"] if calendar_is_over(today) else []
    return opening + [
        FIRST_WAVE.response(today),
        SELECTION.response(today),
        current_or_past(today, "permanent"),
        current_or_past(today, "pointer"),
    ]


def waves(today: date) -> List[str]:
    """After the first wave: a permanent AMI, new submissions, the next wave."""
    return [
        current_or_past(today, "permanent"),
        REOPENING.response(today),
        NEXT_WAVE.response(today),
        current_or_past(today, "pointer"),
    ]


def winners(today: date) -> List[str]:
    """What the winners of the AMI were to get."""
    return [
        FIRST_WAVE.response(today),
        WINNERS.response(today),
        SELECTION.response(today),
        *(["utter_ami_no_results"] if calendar_is_over(today) else []),
        current_or_past(today, "pointer"),
    ]


ANSWERS: Dict[str, Callable[[date], List[str]]] = {
    "ami_presentation": presentation,
    "ami_calendrier": calendar,
    "ami_vagues": waves,
    "ami_laureats": winners,
}


def about_the_ami(text: str, remembered: Optional[str]) -> bool:
    """Whether ``text`` is about the AMI: in its words, or right after an AMI answer."""
    return bool(ABOUT_THE_AMI.search(fold(text))) or remembered in (*ANSWERS, AMI_TODAY)


def about_it(text: str, tracker: Tracker, domain: Dict[Text, Any]) -> bool:
    """Whether ``text``, which the NLU took for a question on the AMI, is one: it names
    the AMI, asks a date, follows an AMI answer, or shares a word with the AMI's
    sentences (« 23 juin », « septembre », « aides financières »)."""
    if about_the_ami(text, tracker.get_slot(TOPIC_SLOT)) or ASKS_A_DATE.search(text):
        return True
    responses = domain.get("responses") or {}
    sentences = tuple(
        item[0]["text"] for name, item in sorted(responses.items()) if name.startswith("utter_ami_")
    )
    return bool(set(stems(text)) & vocabulary(sentences))


@lru_cache(maxsize=4)
def vocabulary(sentences: Tuple[str, ...]) -> FrozenSet[str]:
    """The stems of ``sentences``, computed once per domain: 16 ms a call otherwise."""
    return frozenset(stem for sentence in sentences for stem in stems(sentence))


def utc_now() -> datetime:
    """The current instant, time zone included."""
    return datetime.now(timezone.utc)


def paris_date(instant: datetime) -> date:
    """The date in France at ``instant``: the sheet's dates are French calendar days."""
    return instant.astimezone(PARIS).date()


def ami_answer(intent: str, today: date, domain: Dict[Text, Any]) -> str:
    """The answer to one of the four AMI intents on ``today``, composed of its dated sentences."""
    return "\n\n".join(response_text(domain, name) for name in ANSWERS[intent](today))


@guarded
class ActionAnswerAmi(Action):
    """Answers the four AMI intents, or the AMI answer another action put in the topic
    slot before handing over (``action_answer_faq`` for a date asked about the AMI
    today); the clock is injectable for tests."""

    def __init__(self, clock: Optional[Callable[[], datetime]] = None) -> None:
        self.clock = clock or utc_now

    def name(self) -> Text:
        return "action_answer_ami"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if points_to_offer(tracker.get_slot(TOPIC_SLOT), tracker.latest_message.get("text") or ""):
            # « Il vise quoi, cet accompagnement ? » after an offer: its words sound like
            # the AMI's, but it asks more about that offer.
            return [FollowupAction("action_answer_follow_up")]
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        handed_over = intent not in ANSWERS
        text = tracker.latest_message.get("text") or ""
        if not (handed_over or tracker.active_loop_name or about_it(text, tracker, domain)):
            # « écris-moi un poème sur l'automne » got the calendar (ami_calendrier 0.57);
            # the out-of-scope action tells it from a question on the last answer.
            return [FollowupAction(OUT_OF_SCOPE)]
        if handed_over:
            topic = tracker.get_slot(TOPIC_SLOT)
            intent = topic if topic in ANSWERS else "ami_presentation"
        answer = ami_answer(intent, paris_date(self.clock()), domain)
        dispatcher.utter_message(text=answer, buttons=next_buttons(intent))
        return [SlotSet(TOPIC_SLOT, intent), *listen_if(handed_over)]
