"""Answers to the sheet's questions, sent by name with the topics that follow them.

Rasa's ``utter_faq`` sends the answer the ResponseSelector picked, with whatever
buttons its response holds. ``action_answer_faq`` sends the same response by
name, adds the buttons of the topics that follow it (``actions/topics.py`` is
their one source) and remembers the topic in the ``topic`` slot, so that a
follow-up such as « le lien ? » is answered about it (``actions/follow_ups.py``).
A price question leads on to the consent notice, and a « oui » after an offer
takes it up (``action_answer_yes``).
"""

import re
from datetime import date
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.ami import AMI_TODAY, ASKS_A_DATE, OUT_OF_SCOPE, about_the_ami, ami_answer
from actions.ami import ANSWERS as AMI_ANSWERS
from actions.consent_replies import (
    CONSENT_DATA,
    CONSENT_QUESTIONS,
    answers_the_notice,
    gives_details,
)
from actions.contact_wish import PRICES, asks_a_cost, asks_for_contact, asks_for_price
from actions.erasure import asks_what_is_kept
from actions.lead_handoff import accept_consent, refuse_consent, typed_corrections
from actions.responses import last_bot_message, last_utterance, recent_utterances
from actions.safety import guarded
from actions.topics import (
    DETAILS,
    MAIN_TOPICS,
    OFFERS,
    POINTS,
    PTCE_BASICS,
    TOPIC_SLOT,
    TOPICS,
    buttons,
    next_buttons,
    points_to_offer,
)
from components.french import fold, ordinal, word_count

ASK_WHICH_TOPIC = "utter_ask_which_topic"
# « Détaillez la deuxième » right after an answer that lists points is a follow-up of
# at most this many words, as a follow-up asking an aspect (actions/follow_ups.py).
POINT_QUESTION_WORDS = 9
WHICH_ONE = "utter_which_one"
NO_PROBLEM = "utter_no_problem"
# A « non » answers the consent notice among the bot's this many last messages: the
# notice, then the reply to a question the visitor moved on to (« vous stockez quoi
# comme données ? »), then « non je refuse finalement ».
NOTICE_STILL_OPEN = 3
# Answers that say the sheet cannot answer and a consultant can: the consent
# notice follows at once, so that asking for a price leads to the contact.
CONTACT_NEXT = (PRICES,)
# A cost asked is never answered with the count of PTCE: the sheet gives no cost.
COUNT = "faq/ptce_nombre"
# The law that recognises PTCE. A first message on another side of the law of 2014
# (« Que dit la loi sur l'ESS à propos des sociétés commerciales… ? ») got its
# article 9: the answer needs a PTCE named, or a conversation already going.
LAW = "faq/ptce_loi"
NO_DETAIL = "faq/limite_details"
CONSENT = "action_ask_consent"
# Answers « le lien ? », « c'est de quand ? »… about the topic last answered
# (actions/follow_ups.py), and a question that names its subject.
FOLLOW_UP = "action_answer_follow_up"
# The contact form's summary, which a sheet question interrupts (data/rules/leads.yml).
SUMMARY = "utter_lead_summary"
# Answers that name no topic of their own (« Notre fiche ne donne pas cette
# précision »): the topic stays the one answered before, so that « le rapport fait
# combien de pages ? » then « le lien ? » gets the report's link.
KEEP_TOPIC = ("faq/limite_details",)
# A yes/no question the sheet says yes to, for each topic, recognised by its
# words: whether something exists (« y a-t-il une vidéo ? ») or is recognised by
# law, whether an actor the sheet names may take part, whether members may share.
# The answer opens with « Oui. ». A yes/no question on any other point, or
# one the NLU may have sent to a neighbouring answer, gets the answer alone. The
# limits (faq/limite_*) open with « Notre fiche ne donne pas… », the sheet's « no
# idea ».
EXISTS = r"\b(y a[- ]t[- ]il|existe[- ]t[- ]il|il y a|avez[- ]vous|vous avez|y en a)\b"
# Whether one of the actors the sheet names (associations, entrepreneurs, companies,
# local elected officials, researchers, citizens) may take part.
ACTOR = (
    r"(associ|entrepr|soci[ée]t[ée]|bo[iî]te|pme|tpe|artisan|[ée]lus?\b|mairie|maire|commune|"
    r"collectivit|chercheu|labo|universit|citoyen|habitant|particulier)"
)
JOINS = r"\b(faire partie|en [eê]tre|rejoindre|participer|adh[ée]rer|int[ée]grer|membres?\b)"
YES_WHEN: Dict[str, "re.Pattern[str]"] = {
    # Who may take part, or whether their ways of working come from the ESS.
    "faq/ptce_definition": re.compile(
        rf"{ACTOR}.*{JOINS}|{JOINS}.*{ACTOR}"
        r"|(issu|inspir)\w*(-t-(il|elle)s?)? de l['’]? ?(ess|[ée]conomie sociale)"
    ),
    # Whether members may share premises, staff or skills.
    "faq/ptce_formes": re.compile(r"(mutualis|partag)\w*.*(locaux|local|salari|comp[ée]tences)"),
    "faq/ptce_loi": re.compile(r"reconn|cadre (l[ée]gal|juridique)|base l[ée]gale"),
    "faq/ptce_video": re.compile(EXISTS),
    "faq/charte": re.compile(EXISTS),
    "faq/charte_webinaire": re.compile(EXISTS),
    "faq/partenariat_nouveau_brunswick": re.compile(r"canad|brunswick"),
}
YES = "utter_yes"
# The yes answers the fallback may give by their words (``yes_by_words``).
WORD_YES = ("faq/ptce_definition", "faq/ptce_formes")
ABOUT_PTCE = re.compile(r"\b(ptce|poles?)\b")
NOTHING_MORE = "utter_nothing_more"
# The people the sheet names, and the answers that name them. « Olivia Grégoire, elle
# a quel rôle dans l'histoire des PTCE ? » got the origin of the term, sure of
# « l'histoire des PTCE »: the person asked about decides.
NAMED_PEOPLE: Tuple[Tuple["re.Pattern[str]", Tuple[str, ...]], ...] = (
    (re.compile(r"\bgregoire\b"), ("faq/rapport_presentation",)),
    (re.compile(r"\bdaufresne\b"), ("faq/cabinet_ouvrage",)),
    (re.compile(r"\brousseau\b"), ("faq/cabinet_presentation", "faq/cabinet_ouvrage")),
)
# A short question whose answer, right after a topic, is another one: (the answer
# the ResponseSelector picked, the topic last answered) → the answer meant.
SHORT_QUESTION_WORDS = 5
IN_CONTEXT: Dict[Tuple[str, str], str] = {
    ("faq/ptce_video", "faq/charte"): "faq/charte_webinaire",
    ("faq/ptce_video", "faq/charte_webinaire"): "faq/charte_webinaire",
}
# A question on the AMI today that asks for a date (« la date limite de l'AMI, c'était
# quand ? ») is answered by the calendar, which says first that the sheet gives no
# current deadline, then the 2021 dates: the date aspect of every AMI topic
# (``actions/follow_ups.py``).
AMI_DATES = "ami_calendrier"
# Public money asked for (« quelles subventions pour une association ? »): the sheet
# gives none but the AMI's aids; a message that addresses the firm asks about its work.
FUNDING = re.compile(
    r"\b(subventions?|aides? (financieres?|publiques?)|financements? publics?|"
    r"(aides?|financements?) (de|du) (l'? ?etat|la region|departement|commune))\b"
)
ADDRESSES_THE_FIRM = re.compile(r"\b(vous|votre|vos|cabinet|consultants?|accompagn\w*)\b")
# Founding or converting a cooperative (« Quelles sont les étapes pour transformer une
# SARL en SCOP ? », « cooperative agricole type cuma comment on en monte une ») shares
# the words of a PTCE's forms (« coopérativement », « salariés ») and got them, retraining
# after retraining: the sheet says nothing of cooperative enterprises.
FOUNDS_A_COOPERATIVE = re.compile(
    r"\b(scop|scic|cuma|cooperatives?)\b.*\b(cre\w*|mont\w*|transform\w*|repren\w*|repris\w*|"
    r"etapes?|statuts?|fond\w*)\b|\b(cre\w*|mont\w*|transform\w*|repren\w*|repris\w*|fond\w*)\b"
    r".*\b(scop|scic|cuma|cooperatives?)\b"
)
# A question word: the question is not a yes/no one.
QUESTION_WORD = re.compile(
    r"\b(qui|que|quoi|quel|quelle|quels|quelles|ou|où|quand|comment|combien|pourquoi|lequel|"
    r"laquelle|lesquels|lesquelles|cb|koi|qu)\b"
)
# Verb-subject inversion (« sont-ils », « y a-t-il », « peut-on »), « est-ce que », or a
# statement asked with a question mark.
YES_NO = re.compile(r"-(t-)?(il|ils|elle|elles|on|vous|je)\b|\by a t il\b|\?\s*$")
# A number or a negation makes « oui » a claim about it: answered without it.
CLAIM = re.compile(r"\d|\bne\b|\bn'|\bpas\b")


def is_yes_no_question(text: str) -> bool:
    """Whether ``text`` asks a plain yes/no question (no question word, no number, no negation)."""
    text = text.lower().replace("’", "'")
    if re.search(r"\bqu'?\s*est[- ]ce", text):
        return False
    if re.search(r"\best[- ]ce qu", text):
        text = re.sub(r"\best[- ]ce qu['e]?\s*", "", text)
        return not CLAIM.search(text)
    if QUESTION_WORD.search(text) or CLAIM.search(text):
        return False
    return bool(YES_NO.search(text))


def selected_answer(tracker: Tracker, minimum: float = 0.0) -> Optional[str]:
    """The FAQ answer key (``faq/…``) the ResponseSelector chose for the latest message.

    The selector runs on every message, whatever its intent; ``minimum`` is the
    confidence below which its choice is ignored.
    """
    selector = (tracker.latest_message.get("response_selector") or {}).get("faq") or {}
    response = selector.get("response") or {}
    key = response.get("intent_response_key")
    confident = response.get("confidence", 0.0) >= minimum
    return key if key in TOPICS and confident else None


def send_answer(
    dispatcher: CollectingDispatcher, key: str, domain: Dict[Text, Any], today: date
) -> None:
    """Sends the answer to topic ``key``, an FAQ answer or an AMI answer, with its buttons."""
    if key in AMI_ANSWERS:
        dispatcher.utter_message(text=ami_answer(key, today, domain), buttons=next_buttons(key))
    else:
        send_faq_answer(dispatcher, key)


def send_faq_answer(dispatcher: CollectingDispatcher, key: str) -> None:
    """Sends the written answer ``utter_<key>`` by name, with the topics that follow it."""
    dispatcher.utter_message(response=f"utter_{key}", buttons=next_buttons(key))


def ask_which_topic(dispatcher: CollectingDispatcher) -> None:
    """Asks the visitor to pick a topic, when the bot cannot tell which one they mean."""
    dispatcher.utter_message(response=ASK_WHICH_TOPIC, buttons=buttons(*MAIN_TOPICS))


def in_contact(tracker: Tracker) -> bool:
    """Whether the visitor is already in the contact form (consent given): no second notice."""
    return bool(tracker.get_slot("lead_consent_at"))


def meant_in_context(key: str, tracker: Tracker) -> str:
    """``key``, or the answer it means by a name it holds or after the topic last answered.

    A question that names a person of the sheet (``NAMED_PEOPLE``) is about an answer
    that names them. « Vous pouvez préciser ce que comprend cet accompagnement ? »
    names the list of offers in its words, but asks about the offer just answered:
    its details. A short question (``IN_CONTEXT``) such as « vous avez la vidéo ? »
    after the charter asks for its webinar, not for the video that presents PTCE.
    """
    remembered = tracker.get_slot(TOPIC_SLOT)
    text = tracker.latest_message.get("text") or ""
    named = next((keys for words, keys in NAMED_PEOPLE if words.search(fold(text))), ())
    if named and key not in named:
        return named[0]
    if key == "faq/offres" and points_to_offer(remembered, text):
        return DETAILS.get(remembered, remembered)
    if word_count(text) <= SHORT_QUESTION_WORDS:
        return IN_CONTEXT.get((key, remembered), key)
    return key


def asks_the_firms_price(tracker: Tracker, text: str) -> bool:
    """Whether ``text`` asks the price or duration of the firm's work, in its words or
    right after one of its offers (« combien ça coûte ? »)."""
    return asks_for_price(text, tracker.get_slot(TOPIC_SLOT) in (*OFFERS, "faq/offres"))


def may_offer_contact(tracker: Tracker) -> bool:
    """Whether the consent notice may follow: no form running, no consent given yet."""
    return not tracker.active_loop_name and not in_contact(tracker)


def answer_then_consent(dispatcher: CollectingDispatcher, key: str) -> List[Dict[Text, Any]]:
    """The honest answer to ``key`` (« Notre fiche ne donne pas les tarifs… »), then
    the consent notice, so that the question leads to a consultant."""
    dispatcher.utter_message(response=f"utter_{key}")
    return [SlotSet(TOPIC_SLOT, key), FollowupAction(CONSENT)]


def notice_still_open(tracker: Tracker) -> bool:
    """Whether a « oui » or a « non » answers the consent notice, though a question
    and its answer came between (« pourquoi ? », « vous stockez quoi ? »)."""
    return bool(set(recent_utterances(tracker, NOTICE_STILL_OPEN)) & set(CONSENT_QUESTIONS))


def asks_a_point(text: str, remembered: Optional[str]) -> bool:
    """Whether ``text`` names a point by its rank (« et la troisième ? ») right after an
    answer that lists points: the follow-ups answer it."""
    short = word_count(text) <= POINT_QUESTION_WORDS
    return remembered in POINTS and short and ordinal(text) is not None


def first_message(tracker: Tracker) -> bool:
    """Whether the latest message is the first the visitor sent in this conversation."""
    return sum(1 for event in tracker.events or [] if event.get("event") == "user") <= 1


def off_subject(key: str, text: str, tracker: Tracker) -> bool:
    """Whether answer ``key``, whose words are general ones (the AMI today, the law, a
    PTCE's forms), would answer a message about something else: the AMI's limits need
    the AMI, public funding needs the AMI, a PTCE or the firm named, the law needs a
    PTCE named or a conversation already going, and founding a cooperative is no
    question on PTCE."""
    folded = fold(text)
    about_ami = about_the_ami(text, tracker.get_slot(TOPIC_SLOT))
    if key == AMI_TODAY:
        return not about_ami
    if FUNDING.search(folded):
        # « Quelles subventions une association culturelle peut-elle solliciter auprès
        # de la région ? » got the firm's vision, sure of it. (The AMI's words hold PTCE.)
        return not (about_ami or ADDRESSES_THE_FIRM.search(folded))
    if key == LAW:
        return first_message(tracker) and not ABOUT_PTCE.search(folded)
    if key.startswith("faq/ptce_"):
        return bool(FOUNDS_A_COOPERATIVE.search(folded)) and not ABOUT_PTCE.search(folded)
    return False


def yes_by_words(text: str, remembered: Optional[str]) -> Optional[str]:
    """The answer that says yes to ``text``, told by its words alone: a yes/no question on
    who may take part or what members may share (``YES_WHEN``), about a PTCE by name or
    right after an answer about one. « Une mairie peut en faire partie ? » was asked
    back when the NLU was unsure of it; « une entreprise peut adhérer à un syndicat ? »
    is about no PTCE."""
    if not (ABOUT_PTCE.search(fold(text)) or remembered in PTCE_BASICS):
        return None
    return next((key for key in WORD_YES if says_yes(key, text)), None)


def says_yes(key: str, text: str) -> bool:
    """Whether ``text`` is a yes/no question that the answer to ``key`` says yes to."""
    pattern = YES_WHEN.get(key)
    return bool(pattern and pattern.search(text.lower())) and is_yes_no_question(text)


@guarded
class ActionAnswerFaq(Action):
    """Answers a question of the sheet (retrieval intent ``faq``) and remembers its topic."""

    def name(self) -> Text:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text") or ""
        if may_offer_contact(tracker) and asks_for_contact(text):
            # « jveux parler a qqn du cabinet pr monter un ptce »: a person, not a definition.
            return [FollowupAction(CONSENT)]
        if asks_what_is_kept(tracker):
            # « euh vous gardez quelles infos sur moi au juste ? » at the notice got the
            # firm's presentation (faq, sure): what the form would keep is the answer.
            dispatcher.utter_message(response=CONSENT_DATA)
            return []
        if answers_the_notice(tracker) and gives_details(text):
            # A name typed at the consent notice (« Bérangère Lefèvre-Quintal ») got the
            # Nouveau-Brunswick partnership: the notice asks for its answer instead.
            return [FollowupAction(CONSENT)]
        if last_utterance(tracker) == SUMMARY:
            corrected = typed_corrections(dispatcher, tracker)
            if corrected:
                # « Le mail c'est jean-marc.lefort@…, pas jm.lefort » got the firm's
                # presentation (faq, sure): it corrects the summary, shown again next.
                return corrected
        if asks_a_point(text, tracker.get_slot(TOPIC_SLOT)):
            # « Détaillez la deuxième » after the report's priorities got the firm's
            # presentation: the follow-ups answer the second priority.
            return [FollowupAction(FOLLOW_UP)]
        key = selected_answer(tracker)
        if key is None:
            ask_which_topic(dispatcher)
            return []
        key = meant_in_context(key, tracker)
        if key != PRICES and may_offer_contact(tracker) and asks_the_firms_price(tracker, text):
            # « combien ça coûte » after an offer, which the selector took for the count.
            key = PRICES
        elif key == COUNT and asks_a_cost(text):
            key = NO_DETAIL
        if off_subject(key, text, tracker):
            # Out of scope, or « elle est toujours en poste ? » after the report:
            # actions/out_of_scope.py tells them apart.
            return [FollowupAction(OUT_OF_SCOPE)]
        if key == AMI_TODAY and ASKS_A_DATE.search(text):
            # Told in today's tense by the AMI action, which reads it from the topic.
            return [SlotSet(TOPIC_SLOT, AMI_DATES), FollowupAction("action_answer_ami")]
        if key in CONTACT_NEXT and may_offer_contact(tracker):
            return answer_then_consent(dispatcher, key)
        if says_yes(key, text):
            dispatcher.utter_message(response=YES)
        elif last_utterance(tracker) == f"utter_{key}":
            # « Avec quels organismes, exactement ? » right after the partnership: the
            # sheet names none, and the visitor must not think the repeat is new.
            dispatcher.utter_message(response=NOTHING_MORE)
        send_faq_answer(dispatcher, key)
        return [] if key in KEEP_TOPIC else [SlotSet(TOPIC_SLOT, key)]


def last_offer(tracker: Tracker) -> List[Dict[Text, Any]]:
    """The buttons of the bot's last message before the visitor's latest one."""
    return (last_bot_message(tracker).get("data") or {}).get("buttons") or []


@guarded
class ActionAnswerYes(Action):
    """A « oui » outside the contact form takes up what the bot last offered.

    After an offer of the contact, or when it asks for the contact itself (« Oui,
    j'accepte qu'on me recontacte »), it opens the consent notice. A question the NLU
    took for a « oui » (« C'est quelle loi exactement ? ») goes to the follow-ups.
    After other suggestions, it asks which one, with the same buttons, rather than
    guess.
    """

    def name(self) -> Text:
        return "action_answer_yes"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if may_offer_contact(tracker) and notice_still_open(tracker):
            # « ok » after « pourquoi ? » was answered at the notice: the consent.
            return accept_consent(dispatcher) + [FollowupAction("lead_form")]
        offered = last_offer(tracker)
        contact = TOPICS["request_contact"].payload
        text = tracker.latest_message.get("text") or ""
        if any(button.get("payload") == contact for button in offered) or asks_for_contact(text):
            return [FollowupAction(CONSENT)]
        if word_count(text) > 2 and QUESTION_WORD.search(fold(text)):
            # « C'est quelle loi exactement ? » taken for a « oui »: a question, which the
            # follow-ups answer about the subject it names or the topic last answered.
            return [FollowupAction(FOLLOW_UP)]
        dispatcher.utter_message(response=WHICH_ONE, buttons=offered or buttons(*MAIN_TOPICS))
        return []


@guarded
class ActionAnswerNo(Action):
    """A « non » that no question of the form or of the summary asked.

    Right after the consent notice, even when a question came between, it refuses
    consent: nothing is asked, the site's contact page is given. Otherwise it is
    acknowledged in a few words. Without this, a « non » after a fallback had no
    rule, and Rasa's core fallback undid the turn.
    """

    def name(self) -> Text:
        return "action_answer_no"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if may_offer_contact(tracker) and notice_still_open(tracker):
            return refuse_consent(dispatcher)
        dispatcher.utter_message(response=NO_PROBLEM)
        return []
