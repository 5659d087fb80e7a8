"""The AMI answers follow today's date: future before an event, past after it."""

import asyncio
import re
from datetime import date
from typing import List

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.ami import MINISTRY_URL, ActionAnswerAmi

FUTURE = re.compile(r"\b(aura|sera|seront|gagneront|pourrez|prévoit)\b")
PAST = re.compile(r"\b(a eu lieu|ont gagné|ont été sélectionnés|avait annoncé|était programmée)\b")


def tracker_for(intent: str) -> Tracker:
    """A tracker whose latest message has the given intent."""
    return Tracker(
        sender_id="test",
        slots={},
        latest_message={"intent": {"name": intent, "confidence": 0.99}, "text": "…"},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def answer(intent: str, today: date) -> List[dict]:
    """The messages the action sends for ``intent`` on ``today``."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(
        ActionAnswerAmi(today=lambda: today).run(dispatcher, tracker_for(intent), {})
    )
    assert events == []
    return dispatcher.messages


@pytest.mark.parametrize("intent", ["ami_presentation", "ami_calendrier", "ami_laureats"])
@pytest.mark.parametrize(
    "today",
    [
        date(2021, 3, 1),
        date(2021, 6, 1),
        date(2021, 8, 15),
        date(2021, 9, 15),
        date(2022, 3, 1),
        date(2026, 11, 26),
    ],
)
def test_every_answer_points_to_the_ministry_with_buttons(intent: str, today: date) -> None:
    (message,) = answer(intent, today)
    assert MINISTRY_URL in message["text"]
    assert 2 <= len(message["buttons"]) <= 3


def test_before_the_first_wave_everything_is_future() -> None:
    text = answer("ami_calendrier", date(2021, 4, 1))[0]["text"]
    assert "aura lieu du 12 mai au 23 juin 2021" in text
    assert "seront sélectionnés" in text
    assert not PAST.search(text)


def test_during_the_submission_window_it_is_open_until_23_june() -> None:
    text = answer("ami_calendrier", date(2021, 6, 1))[0]["text"]
    assert "est ouvert jusqu'au 23 juin 2021" in text
    assert "seront sélectionnés" in text
    assert "permanent" in text


def test_during_the_selection_submissions_are_past_and_selection_ongoing() -> None:
    text = answer("ami_laureats", date(2021, 8, 15))[0]["text"]
    assert "a eu lieu du 12 mai au 23 juin 2021" in text
    assert "ont gagné un bouquet de services" in text
    assert "Jusqu'en novembre 2021, des projets sont sélectionnés" in text


def test_in_september_2021_new_submissions_are_open() -> None:
    text = answer("ami_calendrier", date(2021, 9, 15))[0]["text"]
    assert "Depuis septembre 2021" in text
    assert "La prochaine vague sera programmée en 2022" in text


def test_in_2022_the_wave_is_this_year() -> None:
    text = answer("ami_calendrier", date(2022, 3, 1))[0]["text"]
    assert "Une nouvelle vague est programmée en 2022" in text
    assert "ont été sélectionnés" in text


@pytest.mark.parametrize("intent", ["ami_presentation", "ami_calendrier", "ami_laureats"])
def test_after_the_calendar_nothing_is_told_as_future(intent: str) -> None:
    text = answer(intent, date(2026, 11, 26))[0]["text"]
    assert not FUTURE.search(text), text
    assert PAST.search(text)
    assert "pour le calendrier à jour" in text


def test_calendar_after_2022_says_the_ami_is_permanent_and_names_every_date() -> None:
    text = answer("ami_calendrier", date(2026, 11, 26))[0]["text"]
    for fact in (
        "permanent",
        "12 mai au 23 juin 2021",
        "juillet à novembre 2021",
        "septembre 2021",
        "2022",
    ):
        assert fact in text


def test_presentation_names_the_ministry_and_emerging_ptce() -> None:
    text = answer("ami_presentation", date(2026, 11, 26))[0]["text"]
    assert "Ministère de l'Économie, des Finances et de la Relance" in text
    assert "PTCE émergents" in text


def test_unknown_intent_falls_back_to_the_presentation() -> None:
    text = answer("greet", date(2026, 11, 26))[0]["text"]
    assert "appel à manifestation d'intérêt" in text


def test_default_clock_is_todays_date_in_paris() -> None:
    action = ActionAnswerAmi()
    assert abs((action.today() - date.today()).days) <= 1
