"""A short question about the topic just answered, told by the words of the answers near it.

« Sous l'impulsion de qui ? » after the origin of the term, « quel article déjà ? »
after the law, « elle était en charge de quoi ? » after the report: such follow-ups
name no topic and hold none of the aspect words (``actions/follow_ups.py``), and the
NLU, which reads each message alone, is unsure of them. Their words are in one of
the answers around the topic last answered: that topic's, its details', the topics
offered after it, the other answers of its subject. The answer that holds most of
the message's words, weighted by their rarity in the sheet, is the one asked for.

Only the words the sheet uses count: « déjà », « exactement » or a typo say nothing
of which answer is meant. Only a short message is read this way, and only on the
fallback's path (``actions/fallback.py``): a longer one says what it is about, and
the sheet search or the suggestions serve it.
"""

from datetime import date
from functools import lru_cache
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Text, Tuple

from actions.ami import ANSWERS as AMI_ANSWERS
from actions.ami import ami_answer
from actions.follow_ups import AMI, ASPECT_FOLLOW_UP_WORDS, FOLLOW_UPS, REPORT, VISION
from actions.responses import response_text
from actions.sheet_search import sheet_search
from actions.topics import DETAILS, OFFERS, PTCE_BASICS, RELATED, TOPICS
from components.french import stems, word_count

# The share of the message's words (those the sheet uses, weighted by rarity) that an
# answer must hold to be taken for the one asked about. Measured on the blind
# conversations at stop 25 (README, "Understanding").
MINIMUM_SHARE = 0.5
# Words the sheet uses that never tell one answer from another: « Il fait quoi
# d'autre ? » is not about « les uns et les autres » of the firm's vision.
GENERIC = frozenset(stems("autre autres question chose truc général exemple exemples genre"))
# Answers of one subject: a follow-up after one of them may ask about another.
SUBJECTS: Tuple[Tuple[str, ...], ...] = (
    PTCE_BASICS,
    ("faq/ptce_origine", "faq/ptce_loi", "faq/ptce_nombre", "faq/ptce_video"),
    (*REPORT, "faq/rapport_priorites"),
    ("faq/charte", "faq/charte_webinaire"),
    (*VISION, "faq/cabinet_presentation"),
    ("faq/offres", *OFFERS),
    AMI,
)


def has_answer(key: Optional[str]) -> bool:
    """Whether topic ``key`` is answered by a text (an FAQ or AMI answer), not by a form."""
    return key is not None and key in TOPICS and (key.startswith("faq/") or key in AMI_ANSWERS)


def near(topic: str) -> List[str]:
    """The answers a follow-up of ``topic`` may be about, ``topic`` first, each once."""
    around: List[str] = [topic]
    if topic in DETAILS:
        around.append(DETAILS[topic])
    around += RELATED.get(topic, ())
    around += FOLLOW_UPS.get(topic, {}).values()
    for subject in SUBJECTS:
        if topic in subject:
            around += subject
    return [key for key in dict.fromkeys(around) if has_answer(key)]


def answer_text(key: str, domain: Dict[Text, Any], today: date) -> str:
    """What the bot says for topic ``key``: the AMI's answers depend on the date."""
    if key in AMI_ANSWERS:
        return ami_answer(key, today, domain)
    return response_text(domain, f"utter_{key}")


@lru_cache(maxsize=256)
def answer_stems(text: str) -> FrozenSet[str]:
    """The stems of an answer's text, computed once per text (Snowball is slow)."""
    return frozenset(stems(text))


def share_held(message: List[str], answer: Iterable[str]) -> float:
    """The share of the message's stems ``answer`` holds, weighted by rarity in the sheet."""
    rarity = sheet_search().rarity
    held = frozenset(answer)
    total = sum(rarity[word] for word in message)
    return sum(rarity[word] for word in message if word in held) / total if total else 0.0


def answer_in_context(
    text: str, remembered: Optional[str], domain: Dict[Text, Any], today: date
) -> Optional[str]:
    """The answer near the topic last answered that a short message asks about, if any."""
    if not has_answer(remembered) or word_count(text) > ASPECT_FOLLOW_UP_WORDS:
        return None
    rarity = sheet_search().rarity
    message = [
        word for word in dict.fromkeys(stems(text)) if word in rarity and word not in GENERIC
    ]
    if not message:
        return None
    shares = {
        key: share_held(message, answer_stems(answer_text(key, domain, today)))
        for key in near(remembered)
    }
    best = max(shares, key=shares.get)
    return best if shares[best] >= MINIMUM_SHARE else None
