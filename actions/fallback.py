"""What the bot does when no intent is confident: quote the sheet, or listen better.

Rasa's two-stage fallback asks "did you mean X?" and then to rephrase, with the
same texts every time. This action replaces it (data/rules/fallback.yml):

1. A message that plainly asks to be contacted (« je voudrais parler à un humain »,
   « je souhaite être contactée ») gets the consent notice, as the
   ``request_contact`` intent does (``actions/contact_wish.py`` says why). A
   question on the price or the duration of the firm's accompaniments, in so
   many words or right after one of its offers, gets the same honest answer and
   consent notice as ``faq/limite_tarifs``.
2. A short message with the words of a follow-up (« kan », « remis à qui ? »)
   after an answer, or naming its subject (« ami ptce date ? »), is answered as
   the follow-up it is (``actions/follow_ups.py``). A message of any length that
   asks what a subject of the sheet is, in so many words (« … Pouvez-vous
   m'expliquer simplement ce que c'est ? » after a mayor's story about PTCE),
   gets that subject's first answer: a story before the question leaves the NLU
   unsure (long messages were the kind the blind sets failed most, 69 %). A
   question on what the sheet does not give, in so many words (the AMI's winners,
   a PTCE in a given town, the firm's references), gets the answer that says so
   (``actions/sheet_limits.py``). A short question whose words are those of an
   answer near the topic last answered (« Sous l'impulsion de qui ? » after the
   origin of the term) gets that answer (``actions/in_context.py``).
3. A message about the sheet's subject gets the closest passage of the sheet,
   quoted with its section (``actions.sheet_search``), when the passage is close
   enough (``SEARCH_THRESHOLD``) and holds enough of the message's words
   (``SEARCH_COVERAGE``), both measured on the blind sets: see the README.
4. Otherwise the reply depends on how many misses came just before, so that the
   visitor never reads the same text twice in a row: the likeliest topics first,
   then a request to rephrase with the contact button, then the contact offer.
   When no topic was answered yet, the likeliest one is remembered as the topic:
   a follow-up (« Qui l'a écrit ? ») is about what the visitor had asked.

An out-of-scope message right after a miss comes here too (data/rules/fallback.yml):
the out-of-scope reply (``utter_out_of_scope``, ``actions/out_of_scope.py``) counts
as a miss, and the sheet is not searched for an out-of-scope message.
"""

import re
from datetime import datetime
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.ami import paris_date, utc_now
from actions.answers import (
    ABOUT_PTCE,
    CONSENT,
    YES,
    answer_then_consent,
    asks_the_firms_price,
    may_offer_contact,
    send_answer,
    send_faq_answer,
    yes_by_words,
)
from actions.contact_wish import PRICES, asks_a_cost, asks_for_contact
from actions.follow_ups import FOLLOW_UP, aspect_in_words, names_subject, subject_in_words
from actions.in_context import answer_in_context, has_answer
from actions.safety import guarded
from actions.sheet_limits import about_ptce, silent_on
from actions.sheet_search import sheet_search
from actions.topics import MAIN_TOPICS, TOPIC_SLOT, TOPICS, buttons
from components.french import fold

MAX_TOPICS = 3
# Cosine similarity from which the closest passage is quoted: below it, the
# visitor's words meet the sheet only by chance (figures in the README).
SEARCH_THRESHOLD = 0.4
# Share of the message's words (weighted by rarity) the passage must hold: below
# it, the passage shares a few words with a question about something else.
SEARCH_COVERAGE = 0.3
PASSAGE = "utter_sheet_passage"
# One response per miss in a row; past the last, the last two alternate.
MISSES = (
    "utter_ask_which_topic",
    "utter_fallback_rephrase",
    "utter_fallback_contact",
    "utter_fallback_contact_again",
)
# From the second miss in a row, the contact button comes first.
CONTACT_FROM = 1
# Replies that tell the visitor the bot could not answer: the fallback's, and the
# out-of-scope one Rasa sends by rule for a first out-of-scope message.
MISSED = (*MISSES, "utter_out_of_scope")
# The intent of a message the sheet does not cover: the sheet is not searched for it.
OUT_OF_SCOPE = "out_of_scope"
# Words that ask what something is (read on the folded text, apostrophes as typed).
ASKS_WHAT = re.compile(
    r"\b(expliqu\w*|eclair\w*|defini\w*|consiste\w*|signifi\w*|veut dire|"
    r"de quoi (il|elle|ca) s.agi\w*|c.est quoi|qu.est.ce qu\w*|ce que c.est)\b"
)
# Words that ask about one side of a PTCE, which its definition does not answer.
ONE_SIDE_OF_PTCE = re.compile(
    r"\b(formes?|echelle|apport\w*|benefices?|avantages?|loi|origine|combien|nombre|"
    r"videos?|histoire|dates?|quand|prix|couts?|tarifs?)\b"
)
DEFINITION = "faq/ptce_definition"
# How many there are (« cb y en a », « Combien en comptait-on selon la fiche ? »):
# about PTCE, their count; never a cost (« combien ça coûte » is no count).
HOW_MANY = re.compile(
    r"\b(combien|cb)\b.*\b(y en (a|avait)|en exist\w*|en compt\w*|(il )?y a[- ]t[- ]il de)\b"
    r"|\by en (a|avait)\b.*\b(combien|cb)\b"
)
COUNT = "faq/ptce_nombre"
# Who takes part (« Quels types d'acteurs peuvent en faire partie ? », « Ça peut
# réunir qui, un PTCE ? »): the definition, which lists them.
WHO_TAKES_PART = re.compile(
    r"\b(qui|ki|quels?|quelles?)\b.*\b(fai\w* partie|font partie|en etre|membres?|participer"
    r"|rejoindre|reunir|compos\w*|regroup\w*|adherer)\b|\b(reunir|regroup\w*|compos\w*)\b.*\b(qui|ki)\b"
)


def likeliest_topics(parse_data: Dict[Text, Any], limit: int = MAX_TOPICS) -> List[str]:
    """Topic keys ordered by confidence, FAQ sub-intents weighted by the FAQ's own score."""
    scored: Dict[str, float] = {}
    for ranked in parse_data.get("intent_ranking", []):
        name, confidence = ranked.get("name"), ranked.get("confidence", 0.0)
        if name == "faq":
            selector = parse_data.get("response_selector", {}).get("faq", {})
            for response in selector.get("ranking", []):
                key = response.get("intent_response_key")
                score = confidence * response.get("confidence", 0.0)
                scored[key] = max(scored.get(key, 0.0), score)
        elif name in TOPICS:
            scored[name] = max(scored.get(name, 0.0), confidence)
    ordered = sorted((key for key in scored if key in TOPICS), key=scored.get, reverse=True)
    return ordered[:limit]


def first_guess(message: Dict[Text, Any]) -> Optional[str]:
    """The intent the NLU ranked first before its fallback classifier took the message."""
    names = [item.get("name") for item in message.get("intent_ranking") or []]
    return next((name for name in names if name != "nlu_fallback"), None)


def asked_what_it_is(text: str) -> Optional[str]:
    """The answer saying what a subject of PTCE is, when ``text`` asks so in words: the
    subject it names (the AMI, the charter, the report…), else a PTCE. A message that
    names no PTCE is not told by its words: « expliquez-moi la loi sur le temps
    partiel » is about another law."""
    folded = fold(text)
    if not (ASKS_WHAT.search(folded) and ABOUT_PTCE.search(folded)):
        return None
    named = subject_in_words(text, None)
    if named:
        return named
    return None if ONE_SIDE_OF_PTCE.search(folded) else DEFINITION


def told_by_words(text: str, remembered: Optional[str]) -> Optional[str]:
    """The answer a question on PTCE gets by its words: the count for « cb y en a »
    (never for a cost), the definition, which lists the members, for « qui fait
    partie de ces trucs ? ». Only about PTCE by name, right after an answer on them,
    or as a first question."""
    folded = fold(text)
    if remembered is not None and not about_ptce(folded, remembered):
        return None
    if HOW_MANY.search(folded) and not asks_a_cost(text):
        return COUNT
    return DEFINITION if WHO_TAKES_PART.search(folded) else None


def misses_before(tracker: Tracker) -> int:
    """How many of the visitor's previous messages in a row got a fallback reply.

    Counted from the latest user message back: Rasa appends events after it (the
    ``user_featurization`` of its prediction) before it runs the action.
    """
    events = tracker.events or []
    latest = max((i for i, event in enumerate(events) if event.get("event") == "user"), default=0)
    misses = 0
    replies: List[str] = []
    for event in reversed(events[:latest]):
        if event.get("event") == "bot":
            replies.append((event.get("metadata") or {}).get("utter_action") or "")
        elif event.get("event") == "user":
            if not any(reply in MISSED for reply in replies):
                break
            misses += 1
            replies = []
    return misses


def miss_response(misses: int) -> str:
    """The fallback text after ``misses`` misses in a row, never the previous one."""
    if misses < len(MISSES):
        return MISSES[misses]
    return MISSES[-2 + misses % 2]


@guarded
class ActionFallback(Action):
    """Answers a message that no intent took confidently; the clock is injectable for tests."""

    def __init__(self, clock: Optional[Callable[[], datetime]] = None) -> None:
        self.clock = clock or utc_now

    def name(self) -> Text:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        message = tracker.latest_message
        text = message.get("text") or ""
        if may_offer_contact(tracker) and asks_for_contact(text):
            return [FollowupAction(CONSENT)]
        if may_offer_contact(tracker) and asks_the_firms_price(tracker, text):
            return answer_then_consent(dispatcher, PRICES)
        remembered = tracker.get_slot(TOPIC_SLOT)
        in_scope = (message.get("intent") or {}).get("name") != OUT_OF_SCOPE
        if (remembered or subject_in_words(text, remembered)) and aspect_in_words(text):
            # « kan » after the origin of the term: its date; « ami ptce date ? »: the AMI's.
            return [FollowupAction(FOLLOW_UP)]
        # Answers told by words alone, never for a message the NLU first took for out of scope.
        by_words = in_scope and first_guess(message) != OUT_OF_SCOPE
        if by_words and names_subject(text):
            # « C'est quelle loi exactement ? »: the answer about the subject it names.
            return [FollowupAction(FOLLOW_UP)]
        what = asked_what_it_is(text) if by_words else None
        if what == DEFINITION:
            send_faq_answer(dispatcher, what)
            return [SlotSet(TOPIC_SLOT, what)]
        if what:
            # « … ça consiste en quoi, l'AMI ? »: the follow-ups answer the subject it names.
            return [FollowupAction(FOLLOW_UP)]
        said_yes = yes_by_words(text, remembered) if by_words else None
        if said_yes:
            # « Une mairie peut en faire partie ? » after the definition: « Oui. », then it.
            dispatcher.utter_message(response=YES)
            send_faq_answer(dispatcher, said_yes)
            return [SlotSet(TOPIC_SLOT, said_yes)]
        silent = silent_on(text, remembered) if by_words else None
        if silent:
            # « y a t il un ptce a quimper »: the sheet does not say, and who can.
            send_faq_answer(dispatcher, silent)
            return [SlotSet(TOPIC_SLOT, silent)]
        told = told_by_words(text, remembered)
        if by_words and told:
            # « cb y en a » after the definition: the count; « qui fait partie de ces
            # trucs ? »: the definition, which lists the members.
            send_faq_answer(dispatcher, told)
            return [SlotSet(TOPIC_SLOT, told)]
        today = paris_date(self.clock())
        nearby = answer_in_context(text, remembered, domain, today) if by_words else None
        if nearby:
            # « Sous l'impulsion de qui ? » after the origin of the term: the answer near it
            # that holds its words.
            send_answer(dispatcher, nearby, domain, today)
            return [SlotSet(TOPIC_SLOT, nearby)]
        match = sheet_search().best(text) if in_scope else None
        if match and match.score >= SEARCH_THRESHOLD and match.coverage >= SEARCH_COVERAGE:
            dispatcher.utter_message(
                response=PASSAGE, section=match.passage.section, passage=match.passage.text
            )
            return []
        misses = misses_before(tracker)
        likely = likeliest_topics(message) if in_scope else []
        topics = likely or list(MAIN_TOPICS)
        if misses >= CONTACT_FROM:
            topics = ["request_contact", *[key for key in topics if key != "request_contact"]]
        dispatcher.utter_message(
            response=miss_response(misses), buttons=buttons(*topics[: MAX_TOPICS + 1])
        )
        guessed = next((key for key in likely if has_answer(key)), None)
        if remembered or guessed is None:
            return []
        # « Quel rapport fait référence ? », asked back, then « Qui l'a écrit ? »: with no
        # topic answered yet, a follow-up is about the likeliest topic put forward.
        return [SlotSet(TOPIC_SLOT, guessed)]
