"""The blind conversations (tests/dialogues/) played on the running bot.

Written from the sheet and the personas alone by someone who never saw the
training data, each conversation is played over REST as one new visitor
(tests/support/dialogues.py). No turn may crash or go unanswered, and the share
of checked turns that pass may not fall below what the bot reached.
"""

from functools import partial

import pytest

from tests.e2e.test_blind import save
from tests.support.chat import say
from tests.support.dialogues import evaluate

# The issue asks 85 % of the checked turns. Each gate sits three to four points under
# the level the current model reaches on its set (README, "Understanding"): a
# retraining alone moves a set by up to four points, and the same commit scores up to
# about four points apart on two processors, while a regression of the actions moves
# every set the same way. The figures behind each value, stop by stop:
# docs/understanding-history.md.
CHECKED_TURNS_MINIMUM = {
    "blind": 0.85,
    "fresh": 0.81,
    "third": 0.84,
    "fourth": 0.81,
    "fifth": 0.74,
    "sixth": 0.78,
    "seventh": 0.78,
    "eighth": 0.77,
}
REPORTS = {
    "blind": "dialogues.txt",
    "fresh": "dialogues_fresh.txt",
    "third": "dialogues_third.txt",
    "fourth": "dialogues_fourth.txt",
    "fifth": "dialogues_fifth.txt",
    "sixth": "dialogues_sixth.txt",
    "seventh": "dialogues_seventh.txt",
    "eighth": "dialogues_eighth.txt",
}


@pytest.mark.parametrize("name", sorted(CHECKED_TURNS_MINIMUM))
def test_the_blind_conversations_pass_their_checks_and_never_break(
    rasa_url: str, name: str
) -> None:
    report = evaluate(partial(say, rasa_url), name)
    path = save(
        REPORTS[name],
        f"{report.summary()}\n\n{report.per_conversation()}\n\n{report.failures()}\n",
    )
    print(report.summary(), f"(failures in {path})")
    assert report.broken == [], report.failures()
    assert report.share() >= CHECKED_TURNS_MINIMUM[name], report.summary()
