"""Time the word checks that run on a message besides the models, in microseconds.

    .venv/bin/python scripts/bench_checks.py [--rounds 20]

Each check is a few regular expressions over the message: the other-language
classifier runs on every message (components/other_language.py); the contact and
price words and the follow-up words run in the actions that need them
(actions/contact_wish.py, actions/follow_ups.py, actions/answers.py), and the
fallback compares a short message with the answers near the topic last answered
(actions/in_context.py). Timed over every message of the
two blind sets, with the figure per message, to set against a turn's 10–15 ms;
then the slowest case found for each, on messages of the channels' longest
(1,000 characters) that repeat the words its patterns backtrack on.
"""

import argparse
import sys
import time
from datetime import date
from pathlib import Path
from typing import Callable, List

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rasa_sdk import Tracker  # noqa: E402

from actions.ami import about_it  # noqa: E402
from actions.answers import FOUNDS_A_COOPERATIVE, FUNDING  # noqa: E402
from actions.contact_wish import asks_for_contact, asks_for_price  # noqa: E402
from actions.fallback import told_by_words  # noqa: E402
from actions.follow_ups import aspect_in_words  # noqa: E402
from actions.in_context import answer_in_context  # noqa: E402
from actions.sheet_limits import silent_on  # noqa: E402
from components.french import fold  # noqa: E402
from components.other_language import in_another_language  # noqa: E402
from tests.support.actions import sent_domain  # noqa: E402
from tests.support.blind import BLIND_SETS, blind_messages  # noqa: E402

# The channels refuse longer messages (channels/guard.py, MAX_MESSAGE_LENGTH).
LONGEST = 1000
# Words the patterns' « .* » parts backtrack on, repeated to the longest message.
ADVERSARIAL = ("veux ", "pour parler a ", "associ ", "repond ", "qu'on ", "scop ", "a", "combien ")
FALLBACK_DOMAIN = sent_domain("action_fallback")
AMI_DOMAIN = sent_domain("action_answer_ami")
NO_TOPIC = Tracker("bench", {}, {}, [], False, None, {}, "action_listen")


def founds_a_cooperative(text: str) -> object:
    """The words that keep a PTCE's forms from a question on founding a cooperative."""
    return FOUNDS_A_COOPERATIVE.search(fold(text))


def funding(text: str) -> object:
    """The words of public funding, which a sheet answer needs the AMI or the firm for."""
    return FUNDING.search(fold(text))


def words_on_ptce(text: str) -> object:
    """The words of a count of PTCE or of who takes part, on the fallback's path."""
    return told_by_words(text, None)


def what_the_sheet_lacks(text: str) -> object:
    """What the sheet does not give (costs, durations, places…), on the fallback's path."""
    return silent_on(text, "faq/ptce_definition")


def about_the_ami(text: str) -> object:
    """Whether a message taken for an AMI question holds the AMI's words (its sentences'
    stems, read from the domain at each call)."""
    return about_it(text, NO_TOPIC, AMI_DOMAIN)


def in_context_after_the_offers(text: str) -> object:
    """The answers near the list of offers (the most of any topic) compared with ``text``."""
    return answer_in_context(text, "faq/offres", FALLBACK_DOMAIN, date(2026, 11, 27))


CHECKS: List[Callable[[str], object]] = [
    in_another_language,
    asks_for_contact,
    asks_for_price,
    aspect_in_words,
    founds_a_cooperative,
    funding,
    words_on_ptce,
    what_the_sheet_lacks,
    about_the_ami,
    in_context_after_the_offers,
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    texts = [message.text for name in BLIND_SETS for message in blind_messages(name)]
    for check in CHECKS:
        start = time.perf_counter()
        for _ in range(args.rounds):
            for text in texts:
                check(text)
        per_message = (time.perf_counter() - start) / (args.rounds * len(texts))
        slowest = 0.0
        for words in ADVERSARIAL:
            text = (words * LONGEST)[:LONGEST]
            start = time.perf_counter()
            check(text)
            slowest = max(slowest, time.perf_counter() - start)
        print(
            f"{check.__name__}: {per_message * 1e6:.1f} µs per message, "
            f"slowest {LONGEST}-character case {slowest * 1e3:.2f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
