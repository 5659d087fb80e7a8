"""Follow-up questions answered about the topic last answered.

« Le lien ? », « c'est de quand ? », « qui l'a écrit ? », « vous pouvez préciser ? »,
« c'est toujours le cas ? » name no topic: each is an intent of its own (an
aspect), and the topic comes from the ``topic`` slot that the answering actions
set. ``FOLLOW_UPS`` is the sheet's knowledge seen that way: for each topic, the
answer that holds each aspect. An aspect the sheet does not give for that topic
gets a plain « notre fiche ne le précise pas », never a neighbouring answer.

Rasa's knowledge-base actions (``rasa_sdk.knowledge_base``) were the other way;
they resolve mentions of objects and attributes found by entity extraction in a
table of objects, while this sheet is some forty passages of text with no
entity annotated: a topic slot with aspect intents fits it (README, "Context").
"""

import re
from datetime import datetime
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.ami import paris_date, utc_now
from actions.answers import (
    FOLLOW_UP,
    NOTHING_MORE,
    ask_which_topic,
    selected_answer,
    send_answer,
    send_faq_answer,
)
from actions.responses import last_utterance, listed_points, listen_if
from actions.safety import guarded
from actions.topics import (
    DETAILS,
    OFFERS,
    POINTS,
    PTCE_BASICS,
    RELATED,
    TOPIC_SLOT,
    TOPICS,
    buttons,
    points_to_offer,
)
from components.french import fold, ordinal, stems, word_count

# The intent of each follow-up and the aspect it asks about.
ASPECTS: Dict[str, str] = {
    "ask_link": "link",
    "ask_date": "date",
    "ask_author": "author",
    "ask_more": "more",
    "ask_current": "current",
    # « Ça sert à quoi ? » after a topic asks what it is for; in the contact form and
    # at the consent notice, why the form asks (``LEAD_CONTEXT``).
    "ask_why": "purpose",
}
# A follow-up of this many words or more may name its own topic (« le mot PTCE, il
# date de quand ? »): the topic the ResponseSelector finds in it, when it is this
# confident, comes before the one remembered.
OWN_TOPIC_WORDS = 5
OWN_TOPIC_CONFIDENCE = 0.6
# A short message the NLU was unsure of (« kan », « remis à qui ? ») asks an aspect
# when it holds one of its words: the fallback hands it over (actions/fallback.py).
# « qui » alone is not enough: « c'est pour qui ? » asks who may take part.
ASPECT_WORDS: Dict[str, "re.Pattern[str]"] = {
    "date": re.compile(r"\b(quand|qd|kan|dates?|annee|dat\w*)\b"),
    # « On peut le revoir ? » after the webinar: its recording.
    "link": re.compile(
        r"\b(liens?|url|pdf|link|telecharg\w*|procurer|consulter|achet\w*|revoir|visionner)\b"
    ),
    "author": re.compile(
        r"\b(auteurs?|ecrit\w*|redig\w*|par qui|a qui|qui l'|qui a|qui ont|vien\w* d'? ?ou\b"
        # « c'est de qui ? », « cé ki ki la fait » (not « de qui est composé un PTCE »)
        r"|c['\s]?(est)? de (qui|ki)\W*$|(qui|ki) (l'?a|la) fai\w*)"
    ),
    # « développez », not « leur développement », which names a subject of its own.
    "more": re.compile(
        r"\b(detail\w*|precis\w*|developp(er|ez|e)|(en savoir|m'en) plus|c'?est[- ]a[- ]dire|cad"
        r"|et alors|ensuite|et apres|la suite|expliqu\w*|concretement|en bref|en resume|en gros)\b"
    ),
    # What it is for, or what it brings: « ca rapporte koi », « on gagne koi » (after
    # the AMI: what its winners got), « ça change quoi ? ».
    "purpose": re.compile(
        r"\b(sert a (quoi|koi)|a (quoi|koi) (ca |il |elle )?ser\w*|pourquoi|utilite|interet"
        r"|rapporte\w*|gagn\w*|avantages?|(ca|cela) change (quoi|koi))\b"
    ),
    # Whether it still holds: « elle est toujours en poste ? », « c'est toujours 56
    # aujourd'hui ? ». « toujours » alone is not enough (« c'est toujours flou »).
    "current": re.compile(
        r"\b((toujours|encore) (\w+ )?(en poste|ce poste|en fonctions?|ministre|le cas|valable|"
        r"d'actualite|ouvert\w*|en cours|en vigueur|possible|\d+)|aujourd'hui|actuellement|"
        r"en ce moment|a l'heure actuelle|de nos jours)\b"
    ),
}
SHORT_FOLLOW_UP_WORDS = 5
# « Détaillez la deuxième », « et le troisième point ? » after an answer that lists
# points (``POINTS``): that point. An ordinal with the words of another aspect asks
# that aspect (« la première vague, c'était quand ? »).
POINT = "point"
POINT_ONLY = "utter_point_only"
# A follow-up asking an aspect may be longer than five words: « Dans votre fiche,
# c'était quelles dates ? » after the AMI today, « ok et ca sert a koi pr une boite »
# after the definition. Measured at stop 24 on the blind conversations: eight words
# answered six more turns and lost one, nine five more and lost one.
ASPECT_FOLLOW_UP_WORDS = 9
# What the bot says when the sheet does not give that aspect of the topic. Asked
# for more, or what it is for, the sheet has only the answer just given: it says
# so (``NOTHING_MORE``) and gives that answer again, rather than a bare refusal.
NOT_IN_SHEET: Dict[str, str] = {
    "link": "utter_no_link",
    "date": "utter_no_date",
    "author": "utter_no_author",
    "current": "utter_no_current",
}
# What the bot said last when « pourquoi ? » asks why the contact form asks.
LEAD_CONTEXT = (
    "utter_ask_lead",
    "utter_ask_consent",
    "utter_consent",
    "utter_lead",
    "utter_invalid",
)
EXPLAIN_FORM = "utter_explain_lead_form"

# What a PTCE, the report or the AMI is for: its benefits, the report's finding, what
# the AMI gave its winners.
PTCE_PURPOSE = "faq/ptce_benefices"
REPORT_PURPOSE = "faq/rapport_constats"
AMI_PURPOSE = "ami_laureats"
REPORT = ("faq/rapport_presentation", "faq/rapport_constats", "faq/rapport_apports")
VISION = (
    "faq/cabinet_vision",
    "faq/cabinet_vision_projets",
    "faq/cabinet_vision_territoires",
    "faq/cabinet_ouvrage",
)
AMI = ("ami_presentation", "ami_calendrier", "ami_vagues", "ami_laureats", "faq/limite_ami_actuel")
# Each offer, and the answer that holds the link to its page.
OFFER_PAGES = {
    "faq/offres": "faq/offres",
    "faq/offre_responsabilite_territoriale": "faq/offre_responsabilite_territoriale",
    "faq/offre_transition_ecologique": "faq/offre_transition_ecologique",
    "faq/offre_transition_details": "faq/offre_transition_ecologique",
    "faq/offre_bien_etre": "faq/offre_bien_etre",
    "faq/partenariat_nouveau_brunswick": "faq/offre_bien_etre",
}


# A follow-up that names its subject in one word (« ami ptce date ? », « le lien du
# rapport ? ») is about that subject, whatever was answered last: the topic last
# answered if it is one of the subject's, else the subject's first. In order: the
# webinar before the charter it launched.
NAMED_SUBJECTS: Tuple[Tuple["re.Pattern[str]", Tuple[str, ...]], ...] = (
    (re.compile(r"\b(ami|appel a manifestation)\b"), AMI),
    # « webinar », the English spelling, is as common in French as « webinaire ».
    (re.compile(r"\b(webinaires?|webinars?)\b"), ("faq/charte_webinaire",)),
    (re.compile(r"\bchartes?\b"), ("faq/charte",)),
    # The report named by its title, « Relancer les PTCE ».
    (re.compile(r"\b(rapports?|relancer les ptce)\b"), (*REPORT, "faq/rapport_priorites")),
    # The sheet gives pages for the book only (« p. 64-66 »): « quelles pages parlent
    # des PTCE ? » asks for them; « la page du ministère » is a web page.
    (re.compile(r"\b(livres?|ouvrages?|bouquins?|pages)\b"), ("faq/cabinet_ouvrage",)),
    (re.compile(r"\b(loi|article 9)\b"), ("faq/ptce_loi",)),
)


def each(topics: tuple, aspects: Dict[str, str]) -> Dict[str, Dict[str, str]]:
    """The same aspects for several topics of one subject."""
    return {topic: aspects for topic in topics}


# For each topic, the answer (a topic key) that holds each aspect the sheet gives.
FOLLOW_UPS: Dict[str, Dict[str, str]] = {
    **each(PTCE_BASICS, {"link": "faq/ptce_video", "purpose": PTCE_PURPOSE}),
    # What a PTCE brings, asked after any answer on PTCE (« ok et ça sert à quoi ? »).
    "faq/ptce_video": {
        "link": "faq/ptce_video",
        "author": "faq/ptce_video",
        "purpose": PTCE_PURPOSE,
    },
    "faq/ptce_origine": {
        "date": "faq/ptce_origine",
        "author": "faq/ptce_origine",
        "purpose": PTCE_PURPOSE,
    },
    "faq/ptce_loi": {"date": "faq/ptce_loi", "purpose": PTCE_PURPOSE},
    "faq/ptce_nombre": {"date": "faq/ptce_nombre", "purpose": PTCE_PURPOSE},
    "faq/limite_ptce_local": {"purpose": PTCE_PURPOSE},
    **each(
        REPORT,
        {
            "link": "faq/rapport_priorites",
            "date": "faq/rapport_presentation",
            "author": "faq/rapport_presentation",
            "purpose": REPORT_PURPOSE,
        },
    ),
    # « il dit quoi en bref ? » after the report's presentation: its main finding.
    "faq/rapport_presentation": {
        "link": "faq/rapport_priorites",
        "date": "faq/rapport_presentation",
        "author": "faq/rapport_presentation",
        "purpose": REPORT_PURPOSE,
        "more": "faq/rapport_constats",
    },
    "faq/rapport_priorites": {
        "link": "faq/rapport_priorites",
        "date": "faq/rapport_presentation",
        "author": "faq/rapport_presentation",
        "more": "faq/rapport_constats",
        "purpose": REPORT_PURPOSE,
    },
    "faq/charte": {"link": "faq/charte", "date": "faq/charte_webinaire"},
    "faq/charte_webinaire": {"link": "faq/charte_webinaire", "date": "faq/charte_webinaire"},
    **each(
        VISION,
        {
            "link": "faq/cabinet_ouvrage",
            "date": "faq/cabinet_ouvrage",
            "author": "faq/cabinet_ouvrage",
        },
    ),
    "faq/cabinet_vision": {
        "link": "faq/cabinet_ouvrage",
        "date": "faq/cabinet_ouvrage",
        "author": "faq/cabinet_ouvrage",
        "more": "faq/cabinet_vision_projets",
    },
    **each(
        ("faq/cabinet_presentation", "faq/limite_cabinet"), {"link": "faq/cabinet_presentation"}
    ),
    **each(
        AMI,
        {
            "link": "faq/limite_ami_actuel",
            "date": "ami_calendrier",
            "author": "ami_presentation",
            "current": "faq/limite_ami_actuel",
            "more": "ami_vagues",
            "purpose": AMI_PURPOSE,
        },
    ),
    # Each offer's answer ends with the link to its page on the firm's site; the
    # list of offers links to none, and sends the list again with a button each.
    **{
        offer: {"link": page, "current": "faq/offre_consolidation"}
        for offer, page in OFFER_PAGES.items()
    },
    "faq/offre_consolidation": {
        "link": "faq/offre_consolidation",
        "date": "faq/offre_consolidation",
        "current": "faq/offre_consolidation",
    },
}


def aspect_in_words(text: str) -> Optional[str]:
    """The aspect a short message asks by its words (``ASPECT_WORDS``), if any."""
    if word_count(text) > ASPECT_FOLLOW_UP_WORDS:
        return None
    folded = fold(text)
    aspect = next((aspect for aspect, words in ASPECT_WORDS.items() if words.search(folded)), None)
    return POINT if aspect in (None, "more") and ordinal(text) is not None else aspect


def names_subject(text: str) -> bool:
    """Whether a short message names a subject of the sheet in one word (« c'est quelle
    loi exactement ? »): the fallback hands it to the follow-ups."""
    return word_count(text) <= SHORT_FOLLOW_UP_WORDS and subject_in_words(text, None) is not None


def names_topic(text: str, key: str) -> bool:
    """Whether ``text`` holds a word of the question topic ``key`` answers (its title)."""
    return bool(set(stems(text)) & set(stems(TOPICS[key].title)))


def subject_in_words(text: str, remembered: Optional[str]) -> Optional[str]:
    """The topic of the subject a follow-up names in one word (``NAMED_SUBJECTS``), if
    any: the one last answered when it is of that subject (« le rapport, en détail ? »
    after its priorities asks more about them)."""
    folded = fold(text)
    subject = next((topics for words, topics in NAMED_SUBJECTS if words.search(folded)), ())
    if remembered in subject:
        return remembered
    return subject[0] if subject else None


def follow_up(topic: str, aspect: str) -> Optional[str]:
    """The topic whose answer holds ``aspect`` of ``topic``, or ``None`` if the sheet lacks it."""
    answer = FOLLOW_UPS.get(topic, {}).get(aspect)
    if answer is None and aspect in ("more", "purpose"):
        return DETAILS.get(topic)
    return answer


def answer_point(
    dispatcher: CollectingDispatcher, topic: str, position: int, domain: Dict[Text, Any]
) -> Optional[str]:
    """Answers the point at ``position`` of the answer to ``topic``: the point's own answer,
    or the point quoted; returns the topic to remember, or None when there is no such point."""
    keys = POINTS.get(topic) or ()
    points = keys or listed_points(domain, topic)
    if not -len(points) <= position < len(points):
        return None
    if keys:
        send_faq_answer(dispatcher, keys[position])
        return keys[position]
    dispatcher.utter_message(response=POINT_ONLY, point=points[position])
    return topic


def asks_why_the_form(tracker: Tracker) -> bool:
    """Whether « pourquoi ? » asks why the contact form asks: said in the form, at the
    consent notice, or with no topic answered to be about."""
    said = last_utterance(tracker)
    return not tracker.get_slot(TOPIC_SLOT) or said.startswith(LEAD_CONTEXT)


@guarded
class ActionAnswerFollowUp(Action):
    """Answers « le lien ? », « c'est de quand ? »… about the topic last answered."""

    def __init__(self, clock: Optional[Callable[[], datetime]] = None) -> None:
        self.clock = clock or utc_now

    def name(self) -> Text:
        return FOLLOW_UP

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text") or ""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        remembered = tracker.get_slot(TOPIC_SLOT)
        # « Il vise quoi, cet accompagnement ? » after an offer (handed over by the AMI
        # action, whose words it shares) asks more about that offer.
        pointed = points_to_offer(remembered, text)
        in_words = aspect_in_words(text)
        aspect = ASPECTS.get(intent) or in_words or ("more" if pointed else None)
        if aspect == "more" and in_words == POINT:
            aspect = POINT
        named = None if pointed else subject_in_words(text, remembered)
        if named is None and word_count(text) >= OWN_TOPIC_WORDS and not pointed:
            named = selected_answer(tracker, minimum=OWN_TOPIC_CONFIDENCE)
            # « Vous avez un lien pour en savoir plus ? » after an offer names no topic,
            # though the selector is sure of the firm's presentation.
            if named and not names_topic(text, named):
                named = None
        # « Vous pouvez préciser ce que comprend l'offre ? » after one offer names the
        # list of offers in its words, but asks about the offer just answered.
        if named == "faq/offres" and remembered in OFFERS:
            named = None
        topic = named or remembered
        # Handed over by the fallback (« kan ») or the AMI action: it ends the turn.
        listen = listen_if(intent not in ASPECTS)
        if intent == "ask_why" and asks_why_the_form(tracker):
            dispatcher.utter_message(response=EXPLAIN_FORM)
            return listen
        if aspect == POINT:
            # « Vous pouvez préciser la deuxième ? » after the report's priorities.
            answered = answer_point(dispatcher, topic, ordinal(text), domain) if topic else None
            if answered:
                return [SlotSet(TOPIC_SLOT, answered), *listen]
            aspect = "more"
        if aspect is None and named:
            # « C'est quelle loi exactement ? »: the subject it names, handed over by the fallback.
            send_answer(dispatcher, named, domain, paris_date(self.clock()))
            return [SlotSet(TOPIC_SLOT, named), *listen]
        if aspect is None or topic not in TOPICS:
            ask_which_topic(dispatcher)
            return listen
        # A question that names its topic is answered by that topic's answer at least.
        answer = follow_up(topic, aspect) or named
        if answer is None and aspect not in NOT_IN_SHEET:
            answer = topic
        if answer == remembered and aspect not in NOT_IN_SHEET:
            # « c'est-à-dire ? »: the sheet has nothing more than the answer given.
            dispatcher.utter_message(response=NOTHING_MORE)
        if answer is None:
            related = [key for key in RELATED.get(topic, ()) if key != "request_contact"]
            dispatcher.utter_message(
                response=NOT_IN_SHEET[aspect], buttons=buttons(*related[:2], "request_contact")
            )
            return listen
        send_answer(dispatcher, answer, domain, paris_date(self.clock()))
        return [SlotSet(TOPIC_SLOT, answer), *listen]
