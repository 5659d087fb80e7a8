"""What the bot does when no intent is confident: quote the sheet, or listen better.

Rasa's two-stage fallback asks "did you mean X?" and then to rephrase, with the
same texts every time. This action replaces it (data/rules/fallback.yml):

1. A message that plainly asks to be contacted (« je voudrais parler à un humain »,
   « je souhaite être contactée ») gets the consent notice, as the
   ``request_contact`` intent does: when such a request comes with a long
   introduction (who the visitor is, where from), the NLU may be unsure of it, and a
   missed request loses the whole conversation that should have followed. A
   question on the price or the duration of the firm's accompaniments, in so
   many words, gets the same honest answer and consent notice as ``faq/limite_tarifs``.
2. A message about the sheet's subject gets the closest passage of the sheet,
   quoted with its section (``actions.sheet_search``), when the passage is close
   enough (``SEARCH_THRESHOLD``) and holds enough of the message's words
   (``SEARCH_COVERAGE``), both measured on the blind sets: see the README.
3. Otherwise the reply depends on how many misses came just before, so that the
   visitor never reads the same text twice in a row: the likeliest topics first,
   then a request to rephrase with the contact button, then the contact offer.

An out-of-scope message right after a miss comes here too (data/rules/fallback.yml):
Rasa's ``utter_out_of_scope`` counts as a miss, and the sheet is not searched
for an out-of-scope message.
"""

import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import CONSENT, answer_then_consent, may_offer_contact
from actions.safety import guarded
from actions.sheet_search import sheet_search
from actions.topics import MAIN_TOPICS, TOPICS, buttons
from components.french import strip_accents

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
# A request to be contacted, in so many words (matched without accents): to speak
# with a person of the firm, to be contacted or called back.
PERSON = (
    r"(un humain|une (vraie )?personne|quelqu'? ?un|une? consultante?|une? conseill(er|ere)"
    r"|une? experte?|l'? ?une? de vos|vos consultants|le cabinet|votre equipe)"
)
ASKS_FOR_CONTACT = re.compile(
    # a wish to talk with someone, not « suis-je en train de discuter avec une vraie personne ? »
    r"\b(veux|voudrais|aimerais|souhaite\w*|besoin|puis|peux|pourrais|possible|comment|pour)\b"
    rf".*\b(parler|discuter|echanger|m'?entretenir) (a|avec) {PERSON}"
    r"|\b(etre|me faire) (re)?(contacte|rappele)e?s?\b"
    r"|\b(me|nous) (re)?contacter\b"
    # « me rappeler » that is not « remind me » (« me rappeler ce qu'est un PTCE »)
    r"|\b(me|nous) rappeler\b(?!\s+(ce|c'|la|le|les|l'|quel\w*|quoi|comment|pourquoi|qu\w*|de|des"
    r"|du|en|a|combien|quand|ou)\b)"
    r"|\b(rappelez|contactez|recontactez)[- ](moi|nous)\b"
)
# « Je ne veux pas être rappelé » asks for nothing.
NEGATION = re.compile(r"\b(ne|n'|pas|jamais|plus|sans)\b")
# A price or a duration, of the firm's work: « c'est combien un accompagnement ? ».
# « combien » alone asks a count as often as a price (« combien d'accompagnements ? »).
PRICE = re.compile(
    r"\b(tarif\w*|prix|cout\w*|honoraires?|devis|factur\w*|payant\w*|gratuit\w*|cher|duree"
    r"|dure|combien de (temps|mois|jours|semaines)|(c'est|a|pour) combien)\b"
)
FIRMS_WORK = re.compile(
    r"\b(accompagn\w*|missions?|cabinet|consultants?|prestations?|chez vous|vos services"
    r"|intervention)\b"
)
PRICES = "faq/limite_tarifs"


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


def fold(text: str) -> str:
    """``text`` in lower case, without accents, with straight apostrophes."""
    return strip_accents(text.lower().replace("’", "'"))


def asks_for_contact(text: str) -> bool:
    """Whether ``text`` asks, in so many words and without a negation, to be contacted."""
    folded = fold(text)
    return bool(ASKS_FOR_CONTACT.search(folded)) and not NEGATION.search(folded)


def asks_for_price(text: str) -> bool:
    """Whether ``text`` asks, in so many words, the price or duration of the firm's work."""
    folded = fold(text)
    return bool(PRICE.search(folded) and FIRMS_WORK.search(folded))


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
    """Answers a message that no intent took confidently."""

    def name(self) -> Text:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        message = tracker.latest_message
        text = message.get("text") or ""
        if may_offer_contact(tracker) and asks_for_contact(text):
            return [FollowupAction(CONSENT)]
        if may_offer_contact(tracker) and asks_for_price(text):
            return answer_then_consent(dispatcher, PRICES)
        in_scope = (message.get("intent") or {}).get("name") != OUT_OF_SCOPE
        match = sheet_search().best(text) if in_scope else None
        if match and match.score >= SEARCH_THRESHOLD and match.coverage >= SEARCH_COVERAGE:
            dispatcher.utter_message(
                response=PASSAGE, section=match.passage.section, passage=match.passage.text
            )
            return []
        misses = misses_before(tracker)
        topics = (likeliest_topics(message) if in_scope else []) or list(MAIN_TOPICS)
        if misses >= CONTACT_FROM:
            topics = ["request_contact", *[key for key in topics if key != "request_contact"]]
        dispatcher.utter_message(
            response=miss_response(misses), buttons=buttons(*topics[: MAX_TOPICS + 1])
        )
        return []
