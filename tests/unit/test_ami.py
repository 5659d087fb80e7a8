"""The AMI answers follow today's date in France: future before a date, past after it."""

from datetime import date, datetime, timedelta, timezone
from typing import Dict, List
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet

from actions.ami import (
    ANSWERS,
    CALENDAR,
    FIRST_WAVE,
    NEXT_WAVE,
    REOPENING,
    SELECTION,
    ActionAnswerAmi,
    Milestone,
    calendar_is_over,
)
from actions.topics import TOPIC_SLOT
from tests.support.actions import run_action
from tests.support.content import response_text, sheet_links

MINISTRY_URL = next(link for link in sheet_links() if "economie.gouv.fr" in link)
PARIS = ZoneInfo("Europe/Paris")
INTENTS = ["ami_presentation", "ami_calendrier", "ami_vagues", "ami_laureats"]
TENSES = ("future", "ongoing", "past")


def tracker_for(intent: str) -> Tracker:
    """A tracker whose latest message has the given intent."""
    latest = {"intent": {"name": intent, "confidence": 0.99}, "text": "Et l'AMI ?"}
    return Tracker("test", {}, latest, [], False, None, {}, "action_listen")


def answer_at(intent: str, instant: datetime) -> Dict:
    """The one message the action sends for ``intent`` at ``instant``."""
    events, (message,) = run_action(ActionAnswerAmi(clock=lambda: instant), tracker_for(intent))
    # The topic answered is remembered for follow-ups (actions/follow_ups.py); another
    # intent means another action handed the turn over, and it ends there.
    if intent in ANSWERS:
        assert events == [SlotSet(TOPIC_SLOT, intent)]
    else:
        assert events == [SlotSet(TOPIC_SLOT, "ami_presentation"), FollowupAction("action_listen")]
    return message


def answer(intent: str, today: date) -> str:
    """The answer's text at noon in Paris on ``today``."""
    noon = datetime(today.year, today.month, today.day, 12, tzinfo=PARIS)
    return answer_at(intent, noon)["text"]


def sentence(milestone: Milestone, tense: str) -> str:
    return response_text(f"utter_ami_{milestone.name}_{tense}")


def tense_told(milestone: Milestone, text: str) -> str:
    """Which of the milestone's three sentences ``text`` holds (exactly one)."""
    (told,) = [tense for tense in TENSES if sentence(milestone, tense) in text]
    return told


@pytest.mark.parametrize("intent", INTENTS)
@pytest.mark.parametrize(
    "today",
    [date(2021, 3, 1), date(2021, 6, 1), date(2021, 8, 15), date(2021, 9, 15), date(2022, 3, 1)]
    + [date(2026, 11, 26)],
)
def test_every_answer_points_to_the_ministry_with_buttons(intent: str, today: date) -> None:
    message = answer_at(intent, datetime(today.year, today.month, today.day, 12, tzinfo=PARIS))
    assert MINISTRY_URL in message["text"]
    assert 2 <= len(message["buttons"]) <= 3


def test_before_the_first_wave_everything_is_future() -> None:
    text = answer("ami_calendrier", date(2021, 4, 1))
    assert tense_told(FIRST_WAVE, text) == "future"
    assert tense_told(SELECTION, text) == "future"
    assert "12 mai au 23 juin 2021" in text


def test_during_the_submission_window_it_is_open_until_23_june() -> None:
    text = answer("ami_calendrier", date(2021, 6, 1))
    assert tense_told(FIRST_WAVE, text) == "ongoing"
    assert "23 juin 2021" in text
    assert tense_told(SELECTION, text) == "future"


def test_in_september_2021_new_submissions_are_open_and_the_next_wave_is_ahead() -> None:
    text = answer("ami_vagues", date(2021, 9, 15))
    assert tense_told(REOPENING, text) == "ongoing"
    assert tense_told(NEXT_WAVE, text) == "future"
    assert response_text("utter_ami_permanent_current") in text


@pytest.mark.parametrize("intent", INTENTS)
def test_after_the_calendar_nothing_is_told_as_current(intent: str) -> None:
    text = answer(intent, date(2026, 11, 26))
    for milestone in CALENDAR:
        assert sentence(milestone, "future") not in text
        assert sentence(milestone, "ongoing") not in text
    assert response_text("utter_ami_permanent_current") not in text
    assert response_text("utter_ami_pointer_past") in text


def test_the_deadline_in_2026_says_first_that_the_sheet_gives_none_then_2021_then_the_link() -> (
    None
):
    text = answer("ami_calendrier", date(2026, 11, 26))
    opening = response_text("utter_ami_no_current_deadline")
    assert text.startswith(opening)
    assert text.index("12 mai au 23 juin 2021") < text.index(MINISTRY_URL)
    assert "permanent" not in text.split("\n")[0]


def test_sentences_are_separate_paragraphs() -> None:
    """The widget's Markdown would join sentences that one line break separates."""
    text = answer("ami_calendrier", date(2026, 11, 26))
    assert "\n" not in text.replace("\n\n", "")


def test_the_waves_in_2026_tell_every_later_date_in_the_past() -> None:
    text = answer("ami_vagues", date(2026, 11, 26))
    for fact in ("permanent", "septembre 2021", "2022", "l'instruction en cours"):
        assert fact in text
    assert "liens opérationnels" in text


# Each date of the calendar, the day before, the day of and the day after, late in
# the evening and just after midnight in Paris: the tense changes at midnight in
# France, whatever the time in UTC (a visitor at 00:30 in Paris is at 22:30 or 23:30 UTC).
BOUNDARIES = sorted({day for milestone in CALENDAR for day in (milestone.start, milestone.end)})


def expected_tense(milestone: Milestone, today: date) -> str:
    if today < milestone.start:
        return "future"
    return "ongoing" if today <= milestone.end else "past"


@pytest.mark.parametrize("boundary", BOUNDARIES, ids=str)
@pytest.mark.parametrize("shift", [-1, 0, 1])
@pytest.mark.parametrize("hour, minute", [(23, 30), (0, 30)])
def test_tenses_change_at_midnight_in_paris(
    boundary: date, shift: int, hour: int, minute: int
) -> None:
    day = boundary + timedelta(days=shift)
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)
    instant = local.astimezone(timezone.utc)
    text = answer_at("ami_calendrier", instant)["text"] + answer_at("ami_vagues", instant)["text"]
    for milestone in CALENDAR:
        assert tense_told(milestone, text) == expected_tense(milestone, day), milestone.name


@pytest.mark.parametrize(
    "milestone, start, end",
    [
        ("first_wave", date(2021, 5, 12), date(2021, 6, 23)),
        ("selection", date(2021, 7, 1), date(2021, 11, 30)),
        ("reopening", date(2021, 9, 1), date(2021, 9, 30)),
        ("next_wave", date(2022, 1, 1), date(2022, 12, 31)),
    ],
)
def test_the_calendar_has_the_sheets_dates(milestone: str, start: date, end: date) -> None:
    (found,) = [m for m in CALENDAR if m.name == milestone]
    assert (found.start, found.end) == (start, end)


def test_the_calendar_is_over_only_once_every_date_is_past() -> None:
    assert not calendar_is_over(date(2022, 12, 31))
    assert calendar_is_over(date(2023, 1, 1))
    # One milestone still ahead is enough to keep the calendar open.
    assert not calendar_is_over(date(2021, 12, 15))


def test_every_sentence_of_every_tense_is_a_response() -> None:
    names: List[str] = [f"utter_ami_{m.name}_{tense}" for m in CALENDAR for tense in TENSES]
    assert all(response_text(name) for name in names)


def test_before_the_calendar_ends_no_answer_says_there_is_no_deadline() -> None:
    for today in (date(2021, 6, 1), date(2022, 12, 31)):
        text = answer("ami_calendrier", today)
        assert response_text("utter_ami_no_current_deadline") not in text


def test_an_answer_is_its_sentences_one_paragraph_each() -> None:
    names = [
        "utter_ami_no_current_deadline",
        "utter_ami_first_wave_past",
        "utter_ami_selection_past",
        "utter_ami_permanent_past",
        "utter_ami_pointer_past",
    ]
    text = answer("ami_calendrier", date(2026, 11, 26))
    assert text.split("\n\n") == [response_text(name) for name in names]


def test_another_intent_gets_the_presentation() -> None:
    noon = datetime(2026, 11, 26, 12, tzinfo=PARIS)
    assert answer_at("greet", noon) == answer_at("ami_presentation", noon)


def test_the_default_clock_is_the_current_instant_with_its_time_zone() -> None:
    now = ActionAnswerAmi().clock()
    assert now.utcoffset() == timedelta(0)
    assert abs((datetime.now(timezone.utc) - now).total_seconds()) < 5


def test_the_winners_are_told_no_results_only_once_the_calendar_is_over() -> None:
    no_results = response_text("utter_ami_no_results")
    assert no_results in answer("ami_laureats", date(2026, 11, 26))
    assert no_results not in answer("ami_laureats", date(2021, 6, 1))


@pytest.mark.parametrize(
    ("text", "topic", "answered"),
    [
        # The NLU's ami_calendrier at 0.57 for a poem: nothing of the AMI in it.
        ("écris-moi un poème sur l'automne", None, False),
        ("quelles étaient les dates ?", None, True),
        ("et les lauréats ?", None, True),
        ("et ensuite il se passait quoi ?", "ami_calendrier", True),
    ],
)
def test_an_ami_answer_needs_the_ami_named_a_date_or_an_ami_answer_before(
    text: str, topic: str, answered: bool
) -> None:
    latest = {"intent": {"name": "ami_calendrier", "confidence": 0.57}, "text": text}
    asked = Tracker("test", {TOPIC_SLOT: topic}, latest, [], False, None, {}, "action_listen")
    events, messages = run_action(
        ActionAnswerAmi(clock=lambda: datetime(2026, 11, 26, 12, tzinfo=timezone.utc)), asked
    )
    if answered:
        assert len(messages) == 1 and SlotSet(TOPIC_SLOT, "ami_calendrier") in events
    else:
        assert (events, messages) == ([FollowupAction("action_answer_out_of_scope")], [])
