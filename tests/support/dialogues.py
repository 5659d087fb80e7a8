"""Playing the blind conversations (tests/dialogues/blind.yml) on a running bot.

Each conversation is played over REST as one new visitor (a fresh sender id), turn
after turn, in order; every turn's text is sent as typed and no button is ever
clicked. A turn with checks passes when what the visitor sees of the bot's reply
(``seen``) holds at least one ``expect_any`` string and no ``expect_not`` string.
A turn without checks is still played: it sets the context of the next one.

Matching (``holds``) must not depend on how the bot typesets its French, nor be
so loose that a short word is found inside another:

- no-break and narrow no-break spaces count as spaces, ’ as ', case is folded;
- accents are ignored, as in the single-question blind set (tests/support/blind.py):
  the set's writer typed some strings without them, as visitors do (the insult
  « t bete » must not come back as « bête »), and what the checks test is the
  content of a reply, not its spelling;
- punctuation is kept: ``PTCE-`` is a lead reference, not the word PTCE, and ``€``,
  ``@example`` or a URL are checked as written;
- a string that starts with a letter or digit must start a word, and may end inside
  one: the writer wrote stems (``annul``, ``supprim``), while « Non » must not be
  found in « annonce » nor « Oui » in « Louis »;
- the firm's name and domain are names, not words: « consultant » (a consultant
  offered) is not found in « Fr Consultants » or « fr-consultants.com », which the
  bot writes in most replies; a string that names the firm still finds it.
"""

import re
import unicodedata
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import requests

from tests.support.content import load_yaml, response_text

BLIND_CONVERSATIONS = "tests/dialogues/blind.yml"
# The first set has guided the work on conversations since stop 17; the fresh one was
# written the same way at stop 19, the third at stop 20, the fourth at stop 21, the
# fifth at stop 22, the sixth at stop 24, the seventh at stop 25 and the eighth at stop 27,
# each measured before any change made for it.
DIALOGUE_SETS = {
    "blind": BLIND_CONVERSATIONS,
    "fresh": "tests/dialogues/blind_fresh.yml",
    "third": "tests/dialogues/blind_third.yml",
    "fourth": "tests/dialogues/blind_fourth.yml",
    "fifth": "tests/dialogues/blind_fifth.yml",
    "sixth": "tests/dialogues/blind_sixth.yml",
    "seventh": "tests/dialogues/blind_seventh.yml",
    "eighth": "tests/dialogues/blind_eighth.yml",
}
# The keys the file may use, and its format's version; anything else is refused
# rather than silently not checked.
VERSION = 1
FILE_KEYS = {"version", "conversations"}
CONVERSATION_KEYS = {"id", "persona", "turns"}
TURN_KEYS = {"user", "expect_any", "expect_not"}
# Marks that French typography varies without changing what is read; its no-break
# spaces (U+00A0 before « : », U+202F before ? ! ; and inside « ») are spaces to ``fold``.
TYPOGRAPHY = str.maketrans(
    {
        "\u2019": "'",  # typographic apostrophe
        "\u2018": "'",
        "\u02bc": "'",
        "\u2011": "-",  # non-breaking hyphen
        "\u2010": "-",
    }
)

# Names that hold words the checks look for (``consultant``), written as they are.
FIRM_NAMES = ("Fr Consultants", "fr-consultants.com")
# What a string that names the firm holds (« fr-consultants », the site without « .com »).
FIRM_MARKS = ("fr consultants", "fr-consultants")

# Sends ``message`` as visitor ``sender``; returns the bot's messages (Rasa's REST format).
Send = Callable[[str, str], List[dict]]


@dataclass(frozen=True)
class Turn:
    """One visitor message and what the reply must, and must not, carry."""

    user: str
    expect_any: Tuple[str, ...] = ()
    expect_not: Tuple[str, ...] = ()

    @property
    def checked(self) -> bool:
        return bool(self.expect_any or self.expect_not)

    def finds_expected(self, reply: str) -> bool:
        """``reply`` holds one of ``expect_any`` (true when there is none to find)."""
        return not self.expect_any or any(holds(reply, wanted) for wanted in self.expect_any)

    def forbidden_in(self, reply: str) -> List[str]:
        """The ``expect_not`` strings that ``reply`` holds."""
        return [unwanted for unwanted in self.expect_not if holds(reply, unwanted)]

    def failure(self, reply: str) -> Optional[str]:
        """Why ``reply`` fails this turn's checks, or None when it passes them."""
        reasons = [] if self.finds_expected(reply) else [f"none of {list(self.expect_any)}"]
        forbidden = self.forbidden_in(reply)
        if forbidden:
            reasons.append(f"holds {forbidden}")
        return "; ".join(reasons) or None


@dataclass(frozen=True)
class Conversation:
    """A visitor's whole conversation, as one persona of the blind set plays it."""

    id: str
    persona: str
    turns: Tuple[Turn, ...]


def load_conversations(relative: str = BLIND_CONVERSATIONS) -> List[Conversation]:
    """The conversations of ``relative``, in order; a key the runner does not know fails."""
    content = load_yaml(relative)
    if set(content) - FILE_KEYS or content.get("version") != VERSION:
        raise ValueError(f"{relative}: not version {VERSION} of the format: {sorted(content)}")
    conversations = []
    for item in content["conversations"]:
        unknown = set(item) - CONVERSATION_KEYS
        unknown |= {key for turn in item["turns"] for key in turn} - TURN_KEYS
        if unknown:
            raise ValueError(f"{item['id']}: keys the runner does not check: {sorted(unknown)}")
        turns = tuple(
            Turn(
                turn["user"],
                tuple(turn.get("expect_any") or ()),
                tuple(turn.get("expect_not") or ()),
            )
            for turn in item["turns"]
        )
        conversations.append(Conversation(item["id"], item["persona"], turns))
    return conversations


def fold(text: str) -> str:
    """``text`` without typographic variants, case or accents; any run of spaces (no-break
    ones included) or line breaks becomes one space."""
    text = unicodedata.normalize("NFKD", text.translate(TYPOGRAPHY).casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"\s+", " ", text).strip()


def holds(reply: str, wanted: str) -> bool:
    """``reply`` holds ``wanted``, folded, starting a word when ``wanted`` starts with one;
    the firm's names count only for a string that names the firm."""
    needle, text = fold(wanted), fold(reply)
    if not any(firm in needle for firm in FIRM_MARKS):
        for name in map(fold, FIRM_NAMES):
            text = text.replace(name, " ")
    start = r"(?<!\w)" if needle[:1].isalnum() else ""
    return re.search(start + re.escape(needle), text) is not None


def seen(replies: Sequence[dict]) -> str:
    """What the visitor sees of a turn's replies: every text, then every button title.

    The widget, Telegram and the shell all show button titles: a contact offered as
    a button (« Être recontacté par un consultant ») is offered. Payloads are not
    shown, so they never count.
    """
    lines = [reply["text"] for reply in replies if reply.get("text")]
    lines += [button["title"] for reply in replies for button in reply.get("buttons") or []]
    return "\n".join(lines)


@dataclass(frozen=True)
class PlayedTurn:
    """A turn as it went: the reply seen, and whether the bot broke down on it."""

    conversation: Conversation
    number: int
    reply: str
    broken: Optional[str] = None

    @property
    def turn(self) -> Turn:
        return self.conversation.turns[self.number]

    @property
    def failure(self) -> Optional[str]:
        return self.turn.failure(self.reply)


def play(conversation: Conversation, send: Send) -> List[PlayedTurn]:
    """Play ``conversation`` as one new visitor; a turn that breaks does not stop it."""
    sender = uuid.uuid4().hex
    played = []
    for number, turn in enumerate(conversation.turns):
        try:
            replies = send(turn.user, sender)
            broken = breakdown(replies)
        except requests.RequestException as error:
            replies, broken = [], f"crashed: {error}"
        played.append(PlayedTurn(conversation, number, seen(replies), broken))
    return played


def breakdown(replies: Sequence[dict]) -> Optional[str]:
    """How a turn broke down: no message, the channel's apology for a turn that
    failed (channels/guard.py sends it instead of silence), or Rasa's core fallback,
    sent when no rule fits the conversation and undoing the visitor's message (an
    action that handed over with FollowupAction left the next step to no rule);
    None when it did not."""
    texts = [reply.get("text") for reply in replies]
    if not replies:
        return "no reply"
    if response_text("utter_technical_problem") in texts:
        return "crashed: the channel's apology for a failed turn"
    if response_text("utter_default") in texts:
        return "no rule fitted: Rasa's core fallback undid the turn"
    return None


def ratio(passed: int, total: int) -> str:
    return f"{passed}/{total} ({100 * passed / max(total, 1):.1f} %)"


@dataclass
class DialogueReport:
    """Every turn played, and the figures of the checked ones."""

    turns: List[PlayedTurn] = field(default_factory=list)

    @property
    def checked(self) -> List[PlayedTurn]:
        return [played for played in self.turns if played.turn.checked]

    @property
    def failed(self) -> List[PlayedTurn]:
        return [played for played in self.checked if played.failure]

    @property
    def broken(self) -> List[PlayedTurn]:
        return [played for played in self.turns if played.broken]

    def share(self) -> float:
        """The share of checked turns that pass: the figure the gate reads."""
        return 1 - len(self.failed) / max(len(self.checked), 1)

    def by(self, key: Callable[[PlayedTurn], str]) -> Dict[str, Tuple[int, int]]:
        """Passed and checked turns per ``key`` (a persona, a conversation), in file order."""
        totals: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
        for played in self.checked:
            totals[key(played)][0] += not played.failure
            totals[key(played)][1] += 1
        return {name: (passed, total) for name, (passed, total) in totals.items()}

    def by_check(self) -> Dict[str, Tuple[int, int]]:
        """Passed and total turns for each kind of check, counted apart."""
        expecting = [played for played in self.turns if played.turn.expect_any]
        forbidding = [played for played in self.turns if played.turn.expect_not]
        return {
            "expect_any": (
                sum(played.turn.finds_expected(played.reply) for played in expecting),
                len(expecting),
            ),
            "expect_not": (
                sum(not played.turn.forbidden_in(played.reply) for played in forbidding),
                len(forbidding),
            ),
        }

    def summary(self) -> str:
        """The overall figure, each kind of check, broken turns, then each persona."""
        passed = len(self.checked) - len(self.failed)
        personas = self.by(lambda played: played.conversation.persona)
        return "\n".join(
            [
                f"checked turns: {ratio(passed, len(self.checked))}",
                *(f"  {check}: {ratio(*figures)}" for check, figures in self.by_check().items()),
                f"turns crashed or unanswered: {len(self.broken)}/{len(self.turns)}",
                "per persona:",
                *(f"  {persona}: {ratio(*figures)}" for persona, figures in personas.items()),
            ]
        )

    def per_conversation(self) -> str:
        """One line per conversation: its checked turns passed."""
        return "\n".join(
            f"{name}: {ratio(*figures)}"
            for name, figures in self.by(lambda played: played.conversation.id).items()
        )

    def failures(self) -> str:
        """Each failing or broken turn, with the exchange before it: what the lead reads."""
        previous = [None, *self.turns[:-1]]
        return "\n\n".join(
            describe(played, before if played.number else None)
            for played, before in zip(self.turns, previous, strict=True)
            if played.failure or played.broken
        )


def describe(played: PlayedTurn, before: Optional[PlayedTurn]) -> str:
    """A failing turn, why, and the previous exchange of its conversation (if any)."""
    conversation = played.conversation
    lines = [f"[{conversation.persona}] {conversation.id}, turn {played.number + 1}"]
    if before:
        lines += [f"  before: « {before.turn.user} »", f"    bot: {one_line(before.reply)}"]
    lines += [f"  user: « {played.turn.user} »", f"    bot: {one_line(played.reply)}"]
    lines.append(f"  why: {played.broken or played.failure}")
    return "\n".join(lines)


def one_line(text: str, limit: int = 300) -> str:
    """``text`` on one line, its messages and buttons separated by « | », cut at ``limit``."""
    text = " | ".join(line for line in text.splitlines() if line.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def evaluate(send: Send, name: str = "blind") -> DialogueReport:
    """Play every conversation of the set ``name``, in the file's order, and keep every turn."""
    report = DialogueReport()
    for conversation in load_conversations(DIALOGUE_SETS[name]):
        report.turns += play(conversation, send)
    return report
