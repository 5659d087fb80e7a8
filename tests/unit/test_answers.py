"""The sheet's answers and their follow-ups: sent by name, with computed buttons, in context."""

from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet

from actions.ami import ActionAnswerAmi
from actions.answers import (
    CONTACT_NEXT,
    KEEP_TOPIC,
    NAMED_PEOPLE,
    NO_PROBLEM,
    NOTHING_MORE,
    WHICH_ONE,
    YES,
    ActionAnswerFaq,
    ActionAnswerNo,
    ActionAnswerYes,
    is_yes_no_question,
)
from actions.follow_ups import (
    ASPECTS,
    FOLLOW_UPS,
    NOT_IN_SHEET,
    ActionAnswerFollowUp,
    aspect_in_words,
)
from actions.topics import (
    DETAILS,
    MAIN_TOPICS,
    MORE,
    POINTS,
    RELATED,
    TOPIC_SLOT,
    TOPICS,
    buttons,
)
from components.french import fold
from tests.support.actions import run_action
from tests.support.content import response_text, responses

# A day after every date of the sheet: the AMI is told in the past tense.
LATER = datetime(2026, 11, 26, 12, tzinfo=timezone.utc)


def tracker(latest: Dict[str, Any], topic: Optional[str] = None) -> Tracker:
    return Tracker("t", {TOPIC_SLOT: topic}, latest, [], False, None, {}, "action_listen")


def faq_message(key: str) -> Dict[str, Any]:
    """The parse data of a message the ResponseSelector answers with ``key``."""
    return {
        "intent": {"name": "faq", "confidence": 0.9},
        "response_selector": {
            "faq": {"response": {"intent_response_key": key, "confidence": 0.9}, "ranking": []}
        },
    }


# A question that asks no aspect and no yes or no, and names the AMI, whose limits
# answer only a message about it.
PLAIN_QUESTION = "une question sur les PTCE et sur l'AMI"


def answer_faq(key: str) -> Tuple[List[Dict], Dict]:
    latest = dict(faq_message(key), text=PLAIN_QUESTION)
    events, (message,) = run_action(ActionAnswerFaq(), tracker(latest))
    return events, message


def follow_up(intent: str, topic: Optional[str]) -> Tuple[List[Dict], List[Dict]]:
    latest = {"intent": {"name": intent, "confidence": 0.9}}
    return run_action(ActionAnswerFollowUp(clock=lambda: LATER), tracker(latest, topic))


def payloads(message: Dict) -> List[str]:
    return [button["payload"] for button in message["buttons"]]


# The answers followed by the consent notice instead are tested below.
@pytest.mark.parametrize(
    "key",
    [
        key
        for key in TOPICS
        if key.startswith("faq/") and key not in CONTACT_NEXT and key not in KEEP_TOPIC
    ],
)
def test_each_answer_is_sent_by_name_with_its_related_topics_and_remembered(key: str) -> None:
    events, message = answer_faq(key)
    assert message["response"] == f"utter_{key}"
    related = [TOPICS[topic].payload for topic in RELATED[key]]
    assert payloads(message)[-len(related) :] == related
    assert events == [SlotSet(TOPIC_SLOT, key)]


def test_a_limit_with_no_topic_of_its_own_keeps_the_topic_for_the_next_follow_up() -> None:
    events, message = answer_faq("faq/limite_details")
    assert message["response"] == "utter_faq/limite_details"
    assert events == []  # the topic answered before stays for « le lien ? »


def test_an_answer_with_details_offers_them_first() -> None:
    for key, details in DETAILS.items():
        _, message = answer_faq(key)
        assert message["buttons"][0] == {"title": MORE, "payload": TOPICS[details].payload}


def test_no_selected_answer_asks_which_topic_and_remembers_nothing() -> None:
    events, (message,) = run_action(ActionAnswerFaq(), tracker({"intent": {"name": "faq"}}))
    assert message["response"] == "utter_ask_which_topic"
    assert payloads(message) == [TOPICS[key].payload for key in MAIN_TOPICS]
    assert events == []


def test_sheet_answers_hold_no_buttons_of_their_own() -> None:
    """The topic buttons have one source, actions/topics.py."""
    for name, variants in responses().items():
        if name.startswith("utter_faq/"):
            assert all("buttons" not in variant for variant in variants), name


def test_every_topic_has_related_topics() -> None:
    for key in TOPICS:
        if key != "request_contact":
            assert 1 <= len(RELATED[key]) <= 5, key
            assert key not in RELATED[key], key


def test_the_link_after_the_charter_is_the_charter_answer() -> None:
    events, (message,) = follow_up("ask_link", "faq/charte")
    assert message["response"] == "utter_faq/charte"
    assert "https://www.lelabo-ess.org/system/files/inline-files/" in message["text"]
    assert events == [SlotSet(TOPIC_SLOT, "faq/charte")]


@pytest.mark.parametrize(
    "offer, page",
    [
        ("faq/offre_transition_ecologique", "ecosysteme-local-de-transition-ecologique"),
        ("faq/offre_transition_details", "ecosysteme-local-de-transition-ecologique"),
        ("faq/offre_responsabilite_territoriale", "responsabilite-territoriale-des-entreprises"),
        ("faq/partenariat_nouveau_brunswick", "le-bien-etre-question-nevralgique"),
    ],
)
def test_the_link_after_an_offer_is_that_offers_page(offer: str, page: str) -> None:
    _, (message,) = follow_up("ask_link", offer)
    assert "https://fr-consultants.com/20" in message["text"] and page in message["text"]


def test_the_date_after_the_law_is_2014() -> None:
    _, (message,) = follow_up("ask_date", "faq/ptce_loi")
    assert "31\u00a0juillet 2014" in message["text"] or "31 juillet 2014" in message["text"]


def test_the_author_after_the_report_is_the_labo() -> None:
    _, (message,) = follow_up("ask_author", "faq/rapport_constats")
    assert message["response"] == "utter_faq/rapport_presentation"
    assert "Le Labo de l'ESS" in message["text"]


def test_the_date_after_an_ami_answer_is_the_calendar_in_todays_tense() -> None:
    events, (message,) = follow_up("ask_date", "ami_presentation")
    assert "2021" in message["text"]
    assert events == [SlotSet(TOPIC_SLOT, "ami_calendrier")]


def test_more_after_an_answer_with_details_gives_the_details() -> None:
    _, (message,) = follow_up("ask_more", "faq/rapport_constats")
    assert message["response"] == "utter_faq/rapport_apports"
    # « il dit quoi en bref ? » after the report's presentation: its main finding.
    _, (message,) = follow_up("ask_more", "faq/rapport_presentation")
    assert message["response"] == "utter_faq/rapport_constats"


def test_an_aspect_the_sheet_lacks_is_said_plainly_with_the_contact() -> None:
    events, (message,) = follow_up("ask_author", "faq/ptce_loi")
    assert message["response"] == NOT_IN_SHEET["author"]
    assert payloads(message)[-1] == TOPICS["request_contact"].payload
    assert events == []


def test_is_it_still_true_after_the_count_says_the_sheet_is_from_2021() -> None:
    _, (message,) = follow_up("ask_current", "faq/ptce_nombre")
    assert message["response"] == "utter_no_current"
    assert "2021" in message["text"]


def test_a_follow_up_with_no_topic_asks_which_topic() -> None:
    events, (message,) = follow_up("ask_link", None)
    assert message["response"] == "utter_ask_which_topic"
    assert events == []


def test_every_follow_up_points_to_a_topic_and_every_refusal_is_a_response() -> None:
    for topic, aspects in FOLLOW_UPS.items():
        assert topic in TOPICS, topic
        assert set(aspects) <= set(ASPECTS.values()), topic
        assert set(aspects.values()) <= set(TOPICS), topic
    assert set(NOT_IN_SHEET.values()) <= set(responses())


def test_a_price_question_gets_the_honest_answer_then_the_consent_notice() -> None:
    events, message = answer_faq("faq/limite_tarifs")
    assert message["response"] == "utter_faq/limite_tarifs"
    assert events == [
        SlotSet(TOPIC_SLOT, "faq/limite_tarifs"),
        FollowupAction("action_ask_consent"),
    ]


def test_a_sheet_question_that_asks_for_a_person_gets_the_consent_notice() -> None:
    """The NLU answered « jveux parler a qqn du cabinet pr monter un ptce » with the definition."""
    latest = dict(faq_message("faq/ptce_definition"), text="jveux parler a qqn du cabinet svp")
    assert run_action(ActionAnswerFaq(), tracker(latest)) == (
        [FollowupAction("action_ask_consent")],
        [],
    )
    # In the contact form already: the question is answered, no second notice.
    in_form = Tracker("t", {"lead_consent_at": "x"}, latest, [], False, None, {}, "action_listen")
    _, (message,) = run_action(ActionAnswerFaq(), in_form)
    assert message["response"] == "utter_faq/ptce_definition"


def at_the_notice(latest: Dict) -> Tracker:
    """The message ``latest`` typed right after the consent notice."""
    said = [
        {"event": "bot", "text": "…", "metadata": {"utter_action": "utter_ask_consent"}},
        {"event": "user", "text": latest["text"]},
    ]
    return Tracker("t", {}, latest, said, False, None, {}, "action_listen")


def test_a_name_typed_at_the_consent_notice_gets_no_sheet_answer() -> None:
    """« Bérangère Lefèvre-Quintal » got the Nouveau-Brunswick partnership (selector 0.57)."""
    text = "Bérangère Lefèvre-Quintal"
    latest = dict(faq_message("faq/partenariat_nouveau_brunswick"), text=text)
    at_notice = at_the_notice(latest)
    assert run_action(ActionAnswerFaq(), at_notice) == ([FollowupAction("action_ask_consent")], [])
    # Anywhere else, the same words are answered as the NLU says.
    _, (message,) = run_action(ActionAnswerFaq(), tracker(latest))
    assert message["response"] == "utter_faq/partenariat_nouveau_brunswick"


def test_what_the_form_keeps_asked_at_the_notice_gets_its_answer_whatever_the_nlu_says() -> None:
    """« euh vous gardez quelles infos sur moi au juste ? » got the firm's presentation."""
    text = "euh vous gardez quelles infos sur moi au juste ?"
    latest = dict(faq_message("faq/cabinet_presentation"), text=text)
    events, (message,) = run_action(ActionAnswerFaq(), at_the_notice(latest))
    assert (events, message["response"]) == ([], "utter_consent_data")
    # Anywhere else, the same words are answered as the NLU says.
    _, (message,) = run_action(ActionAnswerFaq(), tracker(latest))
    assert message["response"] == "utter_faq/cabinet_presentation"


def test_an_address_typed_at_the_summary_corrects_it_whatever_the_nlu_says() -> None:
    """« Le mail c'est jean-marc.lefort@…, pas jm.lefort » got the firm's presentation."""
    text = "Le mail c'est jean-marc.lefort@scic-terroirs.fr, pas jm.lefort"
    latest = dict(faq_message("faq/cabinet_presentation"), text=text)
    said = [{"event": "bot", "text": "…", "metadata": {"utter_action": "utter_lead_summary"}}]
    slots = {"lead_email": "jm.lefort@scic-terroirs.fr", "lead_consent_at": "2026-11-27"}
    at_summary = Tracker("t", slots, latest, said, False, None, {}, "action_listen")
    events, (message,) = run_action(ActionAnswerFaq(), at_summary)
    assert events == [SlotSet("lead_email", "jean-marc.lefort@scic-terroirs.fr")]
    assert message["response"] == "utter_lead_field_corrected"
    # A sheet question there is answered (the rules then show the summary again).
    question = dict(faq_message("faq/ptce_definition"), text="au fait, c'est quoi un PTCE ?")
    asked = Tracker("t", slots, question, said, False, None, {}, "action_listen")
    _, (message,) = run_action(ActionAnswerFaq(), asked)
    assert message["response"] == "utter_faq/ptce_definition"


def said_yes_after(buttons: List[Dict], text: str = "oui") -> Tuple[List[Dict], List[Dict]]:
    past = [
        {"event": "bot", "text": "…", "data": {"buttons": buttons}},
        {"event": "user", "text": text},
    ]
    latest = {"intent": {"name": "affirm", "confidence": 0.9}, "text": text}
    yes = Tracker("t", {}, latest, past, False, None, {}, "action_listen")
    return run_action(ActionAnswerYes(), yes)


def test_yes_after_a_contact_offer_opens_the_consent_notice() -> None:
    events, messages = said_yes_after(buttons("faq/ptce_definition", "request_contact"))
    assert events == [FollowupAction("action_ask_consent")] and messages == []


def test_yes_that_asks_for_the_contact_opens_the_consent_notice_after_any_offer() -> None:
    offered = buttons("faq/charte", "faq/ptce_video")
    events, messages = said_yes_after(offered, "Oui, j'accepte qu'on me recontacte.")
    assert events == [FollowupAction("action_ask_consent")] and messages == []


def test_yes_after_other_suggestions_asks_which_one_with_the_same_buttons() -> None:
    offered = buttons("faq/charte", "faq/ptce_video")
    events, (message,) = said_yes_after(offered)
    assert message["response"] == WHICH_ONE
    assert message["buttons"] == offered and events == []


def test_a_question_taken_for_a_yes_goes_to_the_follow_ups() -> None:
    """« C'est quelle loi exactement ? » was classified ``affirm``: it got « Lequel de
    ces sujets vous intéresse ? » instead of the law."""
    offered = buttons("faq/charte", "faq/ptce_video")
    events, messages = said_yes_after(offered, "Oui, et ça date de quelle année ?")
    assert events == [FollowupAction("action_answer_follow_up")] and messages == []
    # « oui bien sûr » asks nothing: the same buttons again.
    _, (message,) = said_yes_after(offered, "oui bien sûr")
    assert message["response"] == WHICH_ONE


@pytest.mark.parametrize(
    "text, yes_no",
    [
        ("Les PTCE sont-ils reconnus par la loi ?", True),
        ("y a t il une video sur les ptce", True),
        ("est-ce que vous avez un partenariat au canada", True),
        ("vous accompagnez la transition ecologique ?", True),
        ("où voir la vidéo ?", False),
        ("Qu’est-ce que la charte ?", False),
        ("qu est ce qu un ptce ?", False),
        ("c quoi la charte ?", False),
        ("le rapport date-t-il de 2019 ?", False),
        ("Est-ce que les PTCE ne sont pas reconnus ?", False),
        ("la charte", False),
    ],
)
def test_yes_no_questions_are_told_from_others(text: str, yes_no: bool) -> None:
    assert is_yes_no_question(text) is yes_no


def test_a_yes_no_question_the_sheet_says_yes_to_is_answered_oui_first() -> None:
    latest = dict(faq_message("faq/ptce_loi"), text="Les PTCE sont-ils reconnus par la loi ?")
    _, (yes, answer) = run_action(ActionAnswerFaq(), tracker(latest))
    assert yes["response"] == YES and yes["text"] == "Oui."
    assert answer["response"] == "utter_faq/ptce_loi"


@pytest.mark.parametrize(
    "key, text",
    [
        ("faq/ptce_definition", "Une mairie peut en faire partie ?"),
        ("faq/ptce_definition", "Moi, simple habitant, je peux y participer ?"),
        ("faq/ptce_definition", "un labo universitaire peut-il être membre d'un pôle ?"),
        ("faq/ptce_definition", "Les modes de fonctionnement des pôles sont-ils issus de l'ESS ?"),
        ("faq/ptce_definition", "leur fonctionnement s'inspire-t-il de l’économie sociale ?"),
        ("faq/ptce_formes", "on peut mutualiser des salariés entre structures ?"),
    ],
)
def test_a_member_or_a_sharing_the_sheet_names_gets_oui_first(key: str, text: str) -> None:
    _, (yes, answer) = run_action(ActionAnswerFaq(), tracker(dict(faq_message(key), text=text)))
    assert yes["response"] == YES and answer["response"] == f"utter_{key}"


def test_an_open_question_on_the_same_topic_gets_no_oui() -> None:
    latest = dict(faq_message("faq/ptce_loi"), text="Quelle loi reconnaît les PTCE ?")
    _, (answer,) = run_action(ActionAnswerFaq(), tracker(latest))
    assert answer["response"] == "utter_faq/ptce_loi"


def test_a_follow_up_that_names_its_topic_is_answered_about_it() -> None:
    latest = dict(faq_message("faq/ptce_origine"), text="le mot ptce il date de quand")
    latest["intent"] = {"name": "ask_date", "confidence": 0.9}
    events, (message,) = run_action(
        ActionAnswerFollowUp(clock=lambda: LATER), tracker(latest, "faq/charte")
    )
    assert message["response"] == "utter_faq/ptce_origine"
    assert events == [SlotSet(TOPIC_SLOT, "faq/ptce_origine")]


@pytest.mark.parametrize(
    "text, aspect",
    [
        ("kan", "date"),
        ("c de kan", "date"),
        ("Remis à qui ?", "author"),
        ("Qui l'a proposée ?", "author"),
        ("et ça vient d'où ?", "author"),
        ("et le lien svp", "link"),
        ("on peut l'acheter où ?", "link"),
        ("vous pouvez détailler ?", "more"),
        ("Développez, s'il vous plaît.", "more"),
        ("Et les moyens de leur développement ?", None),
        ("Avec qui l'a-t-il co-écrit ?", "author"),
        ("c'est de qui ?", "author"),
        ("cé ki ki la fait", "author"),
        ("on peut la revoir quelque part ?", "link"),
        ("c'est pour qui ?", None),
        ("de qui est composé un PTCE ?", None),
        ("qui peut candidater ?", None),
        ("Labo ESS", None),
        ("et quand est-ce que le prochain appel à projets ouvrira ?", None),
        # Up to nine words: a follow-up that says where it read the thing.
        ("Sur votre page, c'étaient lesquelles, les dates ?", "date"),
        # What it brings, in any register.
        ("ok mais ça rapporte quoi au juste", "purpose"),
        ("et nous on y gagne quoi", "purpose"),
        ("Entre les membres, ça change quoi ?", "purpose"),
        # Whether it still holds; « toujours » alone does not ask it.
        ("Il est encore en fonction ?", "current"),
        ("et de nos jours ?", "current"),
        ("toujours pas clair", None),
        ("Et sur votre page, c'étaient lesquelles, les dates exactes déjà ?", None),
    ],
)
def test_a_short_message_asks_an_aspect_by_its_words(text: str, aspect: Optional[str]) -> None:
    assert aspect_in_words(text) == aspect


def test_a_follow_up_the_nlu_was_unsure_of_is_answered_by_its_words() -> None:
    """« kan » reached the fallback (faq 0.90, answer unsure) after the term's origin."""
    latest = {"intent": {"name": "nlu_fallback", "confidence": 0.55}, "text": "kan"}
    events, (message,) = run_action(
        ActionAnswerFollowUp(clock=lambda: LATER), tracker(latest, "faq/ptce_origine")
    )
    assert message["response"] == "utter_faq/ptce_origine"
    # Handed over by the fallback: it ends the turn, no rule knowing the next step.
    assert events == [SlotSet(TOPIC_SLOT, "faq/ptce_origine"), FollowupAction("action_listen")]


def test_a_short_follow_up_keeps_the_remembered_topic() -> None:
    latest = dict(faq_message("faq/ptce_origine"), text="et le lien ?")
    latest["intent"] = {"name": "ask_link", "confidence": 0.9}
    _, (message,) = run_action(
        ActionAnswerFollowUp(clock=lambda: LATER), tracker(latest, "faq/charte")
    )
    assert message["response"] == "utter_faq/charte"


@pytest.mark.parametrize(
    "intent, topic, text, answer",
    [
        # « ami ptce date ? » after the definition: the AMI's dates, in today's tense.
        ("ask_date", "faq/ptce_definition", "ami ptce date ?", None),
        ("ask_link", "faq/ptce_definition", "le lien du rapport ?", "utter_faq/rapport_priorites"),
        ("ask_link", "faq/charte_webinaire", "Le lien vers la charte ?", "utter_faq/charte"),
        ("ask_link", "faq/charte", "et le lien du webinaire", "utter_faq/charte_webinaire"),
        ("ask_date", "faq/ptce_nombre", "la loi c'était quand ?", "utter_faq/ptce_loi"),
        # Of the subject remembered: its own answer, not the subject's first one.
        (
            "ask_more",
            "faq/rapport_priorites",
            "le rapport, en détail ?",
            "utter_faq/rapport_constats",
        ),
    ],
)
def test_a_follow_up_that_names_its_subject_in_a_word_is_about_it(
    intent: str, topic: str, text: str, answer: Optional[str]
) -> None:
    latest = {"intent": {"name": intent, "confidence": 0.9}, "text": text}
    _, (message,) = run_action(ActionAnswerFollowUp(clock=lambda: LATER), tracker(latest, topic))
    if answer is None:
        assert "12 mai au 23 juin 2021" in message["text"]
    else:
        assert message["response"] == answer


def test_an_answer_asked_again_says_the_sheet_has_no_more_then_repeats_it() -> None:
    """« Avec quels organismes, exactement ? » got the partnership again, as if it were new."""
    key = "faq/partenariat_nouveau_brunswick"
    latest = dict(faq_message(key), text="Avec quels organismes, exactement ?")
    said = [{"event": "bot", "text": "…", "metadata": {"utter_action": f"utter_{key}"}}]
    asked_again = Tracker("t", {TOPIC_SLOT: key}, latest, said, False, None, {}, "action_listen")
    _, messages = run_action(ActionAnswerFaq(), asked_again)
    assert [m["response"] for m in messages] == ["utter_nothing_more", f"utter_{key}"]
    # Asked after another answer, it is an answer like any other.
    _, messages = run_action(ActionAnswerFaq(), tracker(latest, "faq/offre_bien_etre"))
    assert [m["response"] for m in messages] == [f"utter_{key}"]


def test_a_long_follow_up_names_the_selectors_topic_only_in_its_words() -> None:
    """« Vous avez un lien pour en savoir plus ? » after an offer got the firm's site."""
    offer = "faq/offre_responsabilite_territoriale"
    for text, answer in (
        ("Vous avez un lien pour en savoir plus ?", f"utter_{offer}"),
        ("et le lien vers la présentation de Fr Consultants ?", "utter_faq/cabinet_presentation"),
    ):
        latest = dict(faq_message("faq/cabinet_presentation"), text=text)
        latest["intent"] = {"name": "ask_link", "confidence": 0.9}
        _, (message,) = run_action(
            ActionAnswerFollowUp(clock=lambda: LATER), tracker(latest, offer)
        )
        assert message["response"] == answer


@pytest.mark.parametrize(
    "text, topic, answer",
    [
        ("Vous avez la vidéo ?", "faq/charte", "utter_faq/charte_webinaire"),
        ("la vidéo ?", "faq/charte_webinaire", "utter_faq/charte_webinaire"),
        ("Vous avez la vidéo ?", "faq/ptce_definition", "utter_faq/ptce_video"),
        # A question that says which video it means, however long.
        (
            "Est-ce que la vidéo de présentation des PTCE est disponible ?",
            "faq/charte",
            "utter_faq/ptce_video",
        ),
    ],
)
def test_a_short_question_means_the_answer_that_fits_the_topic(
    text: str, topic: str, answer: str
) -> None:
    latest = dict(faq_message("faq/ptce_video"), text=text)
    messages = run_action(ActionAnswerFaq(), tracker(latest, topic))[1]
    assert messages[-1]["response"] == answer


@pytest.mark.parametrize(
    "topic, text, answer",
    [
        (
            "faq/offre_transition_ecologique",
            "Pouvez-vous détailler ce que comprend cet accompagnement ?",
            "faq/offre_transition_details",
        ),
        ("faq/offre_bien_etre", "cette offre, elle consiste en quoi ?", "faq/offre_bien_etre"),
        # Without an offer just answered, or without pointing back, the list.
        ("faq/charte", "Pouvez-vous détailler cet accompagnement ?", "faq/offres"),
        ("faq/offre_bien_etre", "quels sont vos accompagnements ?", "faq/offres"),
    ],
)
def test_this_offer_after_an_offer_is_that_offer(topic: str, text: str, answer: str) -> None:
    latest = dict(faq_message("faq/offres"), text=text)
    _, (message,) = run_action(ActionAnswerFaq(), tracker(latest, topic))
    assert message["response"] == f"utter_{answer}"


@pytest.mark.parametrize(
    "text, answer",
    [
        ("la date limite de l'AMI, c'était quand ?", "ami_calendrier"),
        ("jusqu'à quand on pouvait candidater à l'appel ?", "ami_calendrier"),
        ("l'AMI est-il encore ouvert aujourd'hui ?", "faq/limite_ami_actuel"),
    ],
)
def test_a_date_asked_about_the_ami_today_gets_the_calendar(text: str, answer: str) -> None:
    latest = dict(faq_message("faq/limite_ami_actuel"), text=text)
    events, messages = run_action(ActionAnswerFaq(), tracker(latest))
    if answer == "ami_calendrier":
        assert events == [SlotSet(TOPIC_SLOT, answer), FollowupAction("action_answer_ami")]
        # The AMI action then reads the answer from the topic, in today's tense, and
        # ends the turn: no rule knows the step after it for another action's intent,
        # and Rasa's core fallback undid the turn.
        on = tracker(dict(latest, intent={"name": "faq"}), topic=answer)
        events, (message,) = run_action(ActionAnswerAmi(clock=lambda: LATER), on)
        assert "23 juin 2021" in message["text"]
        assert events == [SlotSet(TOPIC_SLOT, answer), FollowupAction("action_listen")]
    else:
        assert events == [SlotSet(TOPIC_SLOT, answer)]
        assert messages[0]["response"] == "utter_faq/limite_ami_actuel"


def test_more_about_this_offer_stays_on_the_offer_though_its_words_name_the_list() -> None:
    latest = dict(faq_message("faq/offres"), text="pouvez-vous détailler cet accompagnement ?")
    latest["intent"] = {"name": "ask_more", "confidence": 0.9}
    _, (message,) = run_action(
        ActionAnswerFollowUp(clock=lambda: LATER),
        tracker(latest, "faq/offre_transition_ecologique"),
    )
    assert message["response"] == f"utter_{DETAILS['faq/offre_transition_ecologique']}"


def test_this_accompaniment_taken_for_the_ami_is_handed_back_to_the_offer() -> None:
    """« Il vise quoi, cet accompagnement ? » got the AMI (ami_presentation 0.58)."""
    text = "Il vise quoi, cet accompagnement ?"
    latest = {"intent": {"name": "ami_presentation", "confidence": 0.58}, "text": text}
    offer = tracker(latest, "faq/offre_transition_ecologique")
    assert run_action(ActionAnswerAmi(clock=lambda: LATER), offer) == (
        [FollowupAction("action_answer_follow_up")],
        [],
    )
    events, (message,) = run_action(ActionAnswerFollowUp(clock=lambda: LATER), offer)
    assert message["response"] == f"utter_{DETAILS['faq/offre_transition_ecologique']}"
    assert events[-1] == FollowupAction("action_listen")  # handed over: it ends the turn
    # After an AMI answer, the same words are an AMI question.
    _, (message,) = run_action(ActionAnswerAmi(clock=lambda: LATER), tracker(latest, "ami_vagues"))
    assert "appel à manifestation d'intérêt" in message["text"]


@pytest.mark.parametrize(
    "key, text",
    [
        ("faq/ptce_loi", "La loi de 2014 oblige-t-elle les communes à créer un PTCE ?"),
        ("faq/cabinet_ouvrage", "François Rousseau a-t-il publié d'autres ouvrages ?"),
        ("faq/partenariat_nouveau_brunswick", "Avez-vous un partenariat en Belgique ?"),
        ("faq/ptce_definition", "Un parti politique peut-il rejoindre un PTCE ?"),
        ("faq/ptce_definition", "Une mairie est-elle obligée de financer le pôle ?"),
        ("faq/ptce_formes", "Peut-on partager les bénéfices entre membres ?"),
        ("faq/ptce_definition", "vs faites du bien etre pr les communes ?"),
    ],
)
def test_a_yes_no_question_on_another_point_gets_no_oui(key: str, text: str) -> None:
    _, messages = run_action(ActionAnswerFaq(), tracker(dict(faq_message(key), text=text)))
    assert [message["response"] for message in messages] == [f"utter_{key}"]


def test_a_price_question_inside_the_contact_form_opens_no_second_notice() -> None:
    latest = faq_message("faq/limite_tarifs")
    in_form = Tracker(
        "t",
        {TOPIC_SLOT: None, "lead_consent_at": "2026-11-26T09:00:00+00:00"},
        latest,
        [],
        False,
        None,
        {"name": "lead_form"},
        "action_listen",
    )
    events, (message,) = run_action(ActionAnswerFaq(), in_form)
    assert message["response"] == "utter_faq/limite_tarifs"
    assert events == [SlotSet(TOPIC_SLOT, "faq/limite_tarifs")]


@pytest.mark.parametrize("topic", ["faq/ptce_definition", "faq/cabinet_ouvrage", "ami_vagues"])
def test_more_where_the_sheet_has_nothing_more_says_so_and_gives_the_answer_again(
    topic: str,
) -> None:
    """« c'est-à-dire ? » after the definition got a bare « n'en dit pas plus »."""
    events, (said, answer) = follow_up("ask_more", topic)
    assert said["response"] == NOTHING_MORE
    assert answer["text"] and events == [SlotSet(TOPIC_SLOT, topic)]


@pytest.mark.parametrize(
    "topic, purpose",
    [
        ("faq/ptce_definition", "utter_faq/ptce_benefices"),
        ("faq/rapport_presentation", "utter_faq/rapport_constats"),
        # After any answer on PTCE, what they bring.
        ("faq/ptce_origine", "utter_faq/ptce_benefices"),
        ("faq/limite_ptce_local", "utter_faq/ptce_benefices"),
    ],
)
def test_what_it_is_for_after_a_topic_is_its_purpose(topic: str, purpose: str) -> None:
    """« ok et ça sert à quoi » after the definition got why the contact form asks."""
    _, (message,) = follow_up("ask_why", topic)
    assert message["response"] == purpose


def asked_why_after(utter_action: str, topic: Optional[str]) -> List[Dict]:
    said = [{"event": "bot", "text": "…", "metadata": {"utter_action": utter_action}}]
    latest = {"intent": {"name": "ask_why", "confidence": 0.9}, "text": "pourquoi ?"}
    why = Tracker("t", {TOPIC_SLOT: topic}, latest, said, False, None, {}, "action_listen")
    return run_action(ActionAnswerFollowUp(clock=lambda: LATER), why)[1]


def test_why_at_the_notice_or_with_no_topic_explains_the_form() -> None:
    for utter_action, topic in (
        ("utter_ask_consent", "faq/ptce_definition"),
        ("utter_consent_needed", None),
        ("utter_faq/ptce_definition", None),
    ):
        (message,) = asked_why_after(utter_action, topic)
        assert message["response"] == "utter_explain_lead_form", utter_action


@pytest.mark.parametrize(
    "text, aspect",
    [
        ("c'est-à-dire ?", "more"),
        ("et alors ?", "more"),
        ("Et ensuite ?", "more"),
        ("il dit koi en bref", "more"),
        ("relancer pourquoi ?", "purpose"),
        ("ca sert a quoi", "purpose"),
    ],
)
def test_short_follow_ups_for_more_or_for_the_purpose(text: str, aspect: str) -> None:
    assert aspect_in_words(text) == aspect


def said_no_after(*utter_actions: str, slots: Optional[Dict] = None) -> Tuple[List, List]:
    """« non je refuse finalement », after the bot's ``utter_actions`` (latest last)."""
    said = [{"event": "bot", "text": "…", "metadata": {"utter_action": u}} for u in utter_actions]
    latest = {"intent": {"name": "deny", "confidence": 0.9}, "text": "non je refuse finalement"}
    no = Tracker("t", slots or {}, latest, said, False, None, {}, "action_listen")
    return run_action(ActionAnswerNo(), no)


def test_a_no_soon_after_the_notice_refuses_consent_though_a_question_came_between() -> None:
    """After the notice and a fallback, « non je refuse » had no rule: Rasa's core fallback."""
    events, (message,) = said_no_after("utter_ask_consent", "utter_ask_which_topic")
    assert message["response"] == "utter_consent_refused"
    assert {e["name"] for e in events if e["event"] == "slot"} >= {"lead_consent_at"}


def test_a_no_that_answers_nothing_is_acknowledged() -> None:
    for history in (("utter_ask_which_topic",), ("utter_ask_consent", "a", "b", "c")):
        events, (message,) = said_no_after(*history)
        assert message["response"] == NO_PROBLEM and events == []
    # Consent already given: a « non » refuses nothing.
    _, (message,) = said_no_after("utter_ask_consent", slots={"lead_consent_at": "x"})
    assert message["response"] == NO_PROBLEM


def test_a_yes_soon_after_the_notice_is_the_consent() -> None:
    """« pourquoi ? » answered at the notice, then « ok »: the form starts."""
    said = [
        {"event": "bot", "text": "…", "metadata": {"utter_action": "utter_ask_consent"}},
        {"event": "bot", "text": "…", "metadata": {"utter_action": "utter_explain_lead_form"}},
    ]
    latest = {"intent": {"name": "affirm", "confidence": 0.9}, "text": "ok"}
    yes = Tracker("t", {}, latest, said, False, None, {}, "action_listen")
    events, (message,) = run_action(ActionAnswerYes(), yes)
    assert message["response"] == "utter_consent_accepted"
    assert events[-1] == FollowupAction("lead_form")


def test_a_cost_is_never_answered_with_the_count_of_ptce() -> None:
    """« combien ca coute » right after an offer got « dénombrait alors 56 PTCE »."""
    latest = dict(faq_message("faq/ptce_nombre"), text="combien ca coute")
    after_an_offer = Tracker(
        "t", {TOPIC_SLOT: "faq/offres"}, latest, [], False, None, {}, "action_listen"
    )
    events, (message,) = run_action(ActionAnswerFaq(), after_an_offer)
    assert message["response"] == "utter_faq/limite_tarifs"
    assert events[-1] == FollowupAction("action_ask_consent")
    # Anywhere else, a cost is no count either: the sheet does not give it.
    latest = dict(faq_message("faq/ptce_nombre"), text="ça coûte combien d'entrer dans un pôle ?")
    _, (message,) = run_action(ActionAnswerFaq(), tracker(latest))
    assert message["response"] == "utter_faq/limite_details"
    # A count stays a count.
    latest = dict(faq_message("faq/ptce_nombre"), text="combien y a-t-il de PTCE ?")
    _, (message,) = run_action(ActionAnswerFaq(), tracker(latest))
    assert message["response"] == "utter_faq/ptce_nombre"


@pytest.mark.parametrize(
    "selected, text, answer",
    [
        # Sure of « l'histoire des PTCE »: the person decides.
        (
            "faq/ptce_origine",
            "Olivia Grégoire, c'est qui dans cette affaire ?",
            "faq/rapport_presentation",
        ),
        ("faq/offres", "Raphael Daufresne a écrit quoi ?", "faq/cabinet_ouvrage"),
        (
            "faq/ptce_definition",
            "François Rousseau, vous le connaissez ?",
            "faq/cabinet_presentation",
        ),
        # An answer that names the person stands.
        ("faq/cabinet_ouvrage", "le livre de François Rousseau ?", "faq/cabinet_ouvrage"),
    ],
)
def test_a_question_that_names_a_person_of_the_sheet_gets_an_answer_that_names_them(
    selected: str, text: str, answer: str
) -> None:
    latest = dict(faq_message(selected), text=text)
    _, (message,) = run_action(ActionAnswerFaq(), tracker(latest))
    assert message["response"] == f"utter_{answer}"


def test_the_answers_given_for_a_person_name_them() -> None:
    for words, keys in NAMED_PEOPLE:
        for key in keys:
            assert words.search(fold(response_text(f"utter_{key}"))), key


@pytest.mark.parametrize(
    "text, before, answered",
    [
        # Another side of the law of 2014, as a first message: out of scope.
        ("La loi ESS impose quoi aux coopératives d'habitants ?", None, False),
        ("Que dit la loi de 2014 sur les PTCE ?", None, True),
        # A follow-up in a conversation already going names no PTCE.
        ("Et c'est quelle loi, au juste ?", "Un PTCE, c'est quoi ?", True),
    ],
)
def test_the_law_answers_only_a_message_about_ptce(
    text: str, before: Optional[str], answered: bool
) -> None:
    latest = dict(faq_message("faq/ptce_loi"), text=text)
    events = [{"event": "user", "text": before}] if before else []
    events.append({"event": "user", "text": text})
    law = Tracker("t", {}, latest, events, False, None, {}, "action_listen")
    events, messages = run_action(ActionAnswerFaq(), law)
    if answered:
        assert [m.get("response") for m in messages] == ["utter_faq/ptce_loi"]
    else:
        assert (events, messages) == ([FollowupAction("action_answer_out_of_scope")], [])


@pytest.mark.parametrize(
    "text, topic, answered",
    [
        # Public money for anything but a PTCE, the AMI or the firm's work: out of scope.
        ("Une troupe de théâtre peut obtenir quelles subventions du département ?", None, False),
        ("Votre cabinet aide-t-il à trouver des subventions ?", None, True),
        ("et ces subventions, elles étaient de combien ?", "ami_laureats", True),
    ],
)
def test_funding_is_answered_only_about_ptce_the_ami_or_the_firm(
    text: str, topic: Optional[str], answered: bool
) -> None:
    latest = dict(faq_message("faq/cabinet_vision"), text=text)
    events, messages = run_action(ActionAnswerFaq(), tracker(latest, topic))
    declined = (events, messages) == ([FollowupAction("action_answer_out_of_scope")], [])
    assert declined is not answered


@pytest.mark.parametrize(
    "text, topic, about",
    [
        # A State aid in general: out of scope, not the AMI's limits with its 2021 facts.
        ("Le contrat d'apprentissage, l'État le finance à combien aujourd'hui ?", None, False),
        ("l'AMI existe encore en 2026 ?", None, True),
        ("on peut encore candidater ?", None, True),
        # Right after an AMI answer, « et aujourd'hui ? » is about the AMI.
        ("et aujourd'hui, ça en est où ?", "ami_calendrier", True),
    ],
)
def test_the_amis_limits_answer_only_a_message_about_the_ami(
    text: str, topic: Optional[str], about: bool
) -> None:
    latest = dict(faq_message("faq/limite_ami_actuel"), text=text)
    events, messages = run_action(ActionAnswerFaq(), tracker(latest, topic))
    answered = [m.get("response") for m in messages] == ["utter_faq/limite_ami_actuel"]
    assert answered == about
    # Otherwise the out-of-scope action declines it, or says the sheet cannot tell
    # whether the last answer still holds (tests/unit/test_out_of_scope.py).
    assert answered or (events, messages) == ([FollowupAction("action_answer_out_of_scope")], [])


@pytest.mark.parametrize(
    "text, answered",
    [
        # Founding or converting a cooperative: the sheet says nothing of it.
        ("Quelles sont les étapes pour transformer une SARL en SCOP ?", False),
        ("cooperative agricole type cuma comment on en monte une", False),
        # A cooperative that asks about PTCE, or a PTCE's way of working, is answered.
        ("On peut créer une SCIC pour porter le PTCE ?", True),
        ("Les membres d'un pôle travaillent coopérativement ?", True),
    ],
)
def test_the_forms_of_a_ptce_do_not_answer_how_to_found_a_cooperative(
    text: str, answered: bool
) -> None:
    latest = dict(faq_message("faq/ptce_formes"), text=text)
    events, messages = run_action(ActionAnswerFaq(), tracker(latest, None))
    if answered:
        assert [m.get("response") for m in messages] == ["utter_faq/ptce_formes"]
    else:
        assert (events, messages) == ([FollowupAction("action_answer_out_of_scope")], [])


def asked(text: str, intent: str, topic: str, key: str = "faq/cabinet_presentation") -> Tracker:
    """``text`` right after ``topic``, parsed as ``intent`` (the selector giving ``key``)."""
    latest = dict(faq_message(key), text=text, intent={"name": intent, "confidence": 0.9})
    return tracker(latest, topic)


@pytest.mark.parametrize(
    "text, position", [("Détaillez la deuxième", 1), ("et le 3e point ?", 2), ("la dernière", -1)]
)
def test_a_point_named_by_its_rank_after_a_list_is_quoted(text: str, position: int) -> None:
    """« Vous pouvez préciser la deuxième ? » after the report's priorities got its finding."""
    events, (message,) = run_action(
        ActionAnswerFollowUp(clock=lambda: LATER), asked(text, "ask_more", "faq/rapport_priorites")
    )
    lines = response_text("utter_faq/rapport_priorites").splitlines()
    priorities = [line[2:].rstrip(" ;.") for line in lines if line.startswith("- ")]
    assert message["response"] == "utter_point_only"
    assert f"seulement\u00a0: {priorities[position]}." in message["text"]
    assert SlotSet(TOPIC_SLOT, "faq/rapport_priorites") in events


def test_a_point_of_the_offers_gets_that_offers_answer() -> None:
    events, (message,) = run_action(
        ActionAnswerFollowUp(clock=lambda: LATER),
        asked("la deuxième ?", "nlu_fallback", "faq/offres"),
    )
    assert message["response"] == "utter_faq/offre_responsabilite_territoriale"
    assert SlotSet(TOPIC_SLOT, "faq/offre_responsabilite_territoriale") in events


def test_a_rank_the_list_does_not_have_or_another_aspect_is_not_a_point() -> None:
    _, messages = run_action(
        ActionAnswerFollowUp(clock=lambda: LATER),
        asked("le quatrième ?", "ask_more", "faq/ptce_formes"),
    )
    # Two forms only: what « more » gets, the sheet's « nothing more » and the answer.
    assert [message["response"] for message in messages] == [
        NOTHING_MORE,
        "utter_faq/ptce_formes",
    ]
    assert aspect_in_words("la première, c'était quand ?") == "date"
    assert aspect_in_words("Détaillez la deuxième") == "point"


def test_a_point_the_selector_took_for_a_sheet_question_goes_to_the_follow_ups() -> None:
    events, messages = run_action(
        ActionAnswerFaq(), asked("Détaillez la deuxième, svp.", "faq", "faq/rapport_priorites")
    )
    assert (events, messages) == ([FollowupAction("action_answer_follow_up")], [])
    _, (message,) = run_action(ActionAnswerFaq(), asked("Détaillez la deuxième", "faq", None))
    assert message["response"] == "utter_faq/cabinet_presentation"


def test_every_list_of_points_matches_its_answer() -> None:
    for topic, keys in POINTS.items():
        assert set(keys) <= set(TOPICS), topic
        if not keys:
            lines = response_text(f"utter_{topic}").splitlines()
            assert sum(line.startswith("- ") for line in lines) >= 2, topic
