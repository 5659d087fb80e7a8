"""The fallback action: a passage of the sheet, or replies that change miss after miss."""

from typing import Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet

import actions.fallback
from actions.fallback import (
    COUNT,
    DEFINITION,
    MISSES,
    SEARCH_COVERAGE,
    SEARCH_THRESHOLD,
    ActionFallback,
    likeliest_topics,
    miss_response,
)
from actions.follow_ups import ActionAnswerFollowUp
from actions.sheet_search import Match, Passage, sheet_search
from actions.topics import TOPICS
from tests.support.actions import run_action
from tests.support.content import response_start, response_text

PARSE = {
    "intent": {"name": "nlu_fallback", "confidence": 0.55},
    "intent_ranking": [
        {"name": "nlu_fallback", "confidence": 0.55},
        {"name": "faq", "confidence": 0.5},
        {"name": "ami_calendrier", "confidence": 0.3},
        {"name": "greet", "confidence": 0.1},
    ],
    "response_selector": {
        "faq": {
            "ranking": [
                {"intent_response_key": "faq/charte", "confidence": 0.7},
                {"intent_response_key": "faq/charte_webinaire", "confidence": 0.2},
                {"intent_response_key": "faq/ptce_video", "confidence": 0.1},
            ]
        }
    },
}
# Shares no word with the sheet: never answered with a passage.
GIBBERISH = "zorglub frimousse kwak"


def turn(text: str, reply: Optional[str]) -> List[Dict]:
    """A past turn: the visitor's message and the response the bot sent by name."""
    events: List[Dict] = [{"event": "user", "text": text}]
    if reply:
        events.append({"event": "bot", "text": "…", "metadata": {"utter_action": reply}})
    return events


def fallback(text: str, past: List[Dict], parse: Optional[Dict] = None) -> Dict:
    """The one message the action sends for ``text`` after the ``past`` events."""
    latest = dict(parse or {"intent": {"name": "nlu_fallback"}}, text=text)
    # As Rasa sends it: the message, then the featurization its prediction appended.
    events = past + [
        {"event": "user", "text": text},
        {"event": "user_featurization", "use_text_for_featurization": False},
    ]
    tracker = Tracker("t", {}, latest, events, False, None, {}, "action_listen")
    returned, (message,) = run_action(ActionFallback(), tracker)
    # At most the likeliest topic remembered (tested below), never an action to follow.
    assert all(event["event"] == "slot" and event["name"] == "topic" for event in returned)
    return message


def test_faq_sub_intents_are_weighted_by_the_faq_confidence() -> None:
    # faq/charte 0.35, ami_calendrier 0.3, faq/charte_webinaire 0.1; greet is no topic.
    assert likeliest_topics(PARSE) == ["faq/charte", "ami_calendrier", "faq/charte_webinaire"]


def test_a_message_about_the_sheet_gets_its_passage_with_the_section() -> None:
    text = "le jumelage des intérêts de l'ESS et les rôles des acteurs sur un territoire"
    match = sheet_search().best(text)
    assert match.score >= SEARCH_THRESHOLD
    message = fallback(text, [])
    assert message["response"] == "utter_sheet_passage"
    assert "jumelage des intérêts" in message["text"]
    assert match.passage.section in message["text"]
    assert response_start("utter_sheet_passage") in message["text"]


def test_a_first_miss_offers_the_likeliest_topics_as_buttons() -> None:
    message = fallback(GIBBERISH, [], PARSE)
    assert message["response"] == MISSES[0]
    assert [b["title"] for b in message["buttons"]] == [
        TOPICS["faq/charte"].title,
        TOPICS["ami_calendrier"].title,
        TOPICS["faq/charte_webinaire"].title,
    ]


def test_a_first_message_asked_back_remembers_its_likeliest_topic_for_a_follow_up() -> None:
    """« Quel rapport fait référence ? » was asked back, then « Qui l'a écrit ? » too."""
    events, (message,) = run_action(ActionFallback(), unsure(GIBBERISH))
    assert message["response"] == MISSES[0]
    assert events == [SlotSet("topic", "faq/charte")]
    # A topic already answered stays the one a follow-up is about.
    after = unsure(GIBBERISH, {"topic": "faq/ptce_loi"})
    assert run_action(ActionFallback(), after)[0] == []
    # Without a likely topic of the sheet (out of scope), nothing is remembered.
    outside = dict(PARSE, intent={"name": "out_of_scope"}, text=GIBBERISH)
    tracker = Tracker("t", {}, outside, [], False, None, {}, "action_listen")
    assert run_action(ActionFallback(), tracker)[0] == []


def test_without_any_likely_topic_the_main_topics_are_offered() -> None:
    message = fallback(GIBBERISH, [])
    assert [b["payload"] for b in message["buttons"]] == [
        TOPICS[key].payload for key in ("faq/ptce_definition", "ami_presentation", "faq/offres")
    ]


def test_misses_in_a_row_never_repeat_a_text_and_lead_to_the_contact() -> None:
    past: List[Dict] = []
    sent = []
    for _ in range(6):
        message = fallback(GIBBERISH, past)
        sent.append(message["response"])
        past += turn(GIBBERISH, message["response"])
    assert sent[:3] == list(MISSES[:3])
    assert all(before != after for before, after in zip(sent, sent[1:], strict=False))
    contact = fallback(GIBBERISH, past)
    assert contact["buttons"][0]["payload"] == TOPICS["request_contact"].payload


def test_misses_are_counted_whatever_rasa_logged_after_the_message() -> None:
    """Rasa logs the featurization and action_extract_slots after the message answered,
    and an action of the same turn may have spoken before the fallback."""
    past = turn(GIBBERISH, MISSES[0]) + [{"event": "action", "name": "action_listen"}]
    events = past + [
        {"event": "user", "text": GIBBERISH},
        {"event": "user_featurization", "use_text_for_featurization": False},
        {"event": "action", "name": "action_extract_slots"},
        {"event": "bot", "text": "…", "metadata": {"utter_action": "utter_greet"}},
    ]
    latest = {"intent": {"name": "nlu_fallback"}, "text": GIBBERISH}
    tracker = Tracker("t", {}, latest, events, False, None, {}, "action_listen")
    _, (message,) = run_action(ActionFallback(), tracker)
    assert message["response"] == MISSES[1]


def test_an_answered_message_resets_the_count() -> None:
    past = turn(GIBBERISH, MISSES[0]) + turn("c'est quoi un ptce", "utter_faq/ptce_definition")
    assert fallback(GIBBERISH, past)["response"] == MISSES[0]


def test_after_the_last_text_the_two_contact_texts_alternate() -> None:
    assert [miss_response(n) for n in range(2, 7)] == [
        MISSES[2],
        MISSES[3],
        MISSES[2],
        MISSES[3],
        MISSES[2],
    ]


def test_a_ranking_without_confidences_counts_them_as_zero() -> None:
    parse = {
        "intent_ranking": [
            {"name": "ami_vagues"},
            {"name": "ami_calendrier", "confidence": 0.2},
            {"name": "faq", "confidence": 0.9},
        ],
        "response_selector": {
            "faq": {
                "ranking": [
                    {"intent_response_key": "faq/charte"},
                    {"intent_response_key": "faq/ptce_loi", "confidence": 0.1},
                ]
            }
        },
    }
    assert likeliest_topics(parse, limit=4) == [
        "ami_calendrier",
        "faq/ptce_loi",
        "ami_vagues",
        "faq/charte",
    ]


def test_a_faq_intent_without_its_selector_offers_the_other_topics() -> None:
    ranking = [{"name": "faq", "confidence": 0.9}, {"name": "ami_vagues", "confidence": 0.1}]
    assert likeliest_topics({"intent_ranking": ranking}) == ["ami_vagues"]
    selector = {"faq": {}}
    assert likeliest_topics({"intent_ranking": ranking, "response_selector": selector}) == [
        "ami_vagues"
    ]


class ExactlyAtTheThreshold:
    """A sheet search whose best passage scores exactly the two thresholds."""

    def best(self, message: str) -> Match:
        return Match(Passage("Section", "Le passage."), SEARCH_THRESHOLD, SEARCH_COVERAGE)


def test_a_close_passage_that_misses_most_of_the_question_is_not_quoted() -> None:
    """The law of 2014 is close by three words to a question on the ESS's conditions."""
    text = (
        "quelles obligations statutaires une société commerciale a-t-elle "
        "pour entrer dans l'ESS selon la loi de 2014"
    )
    match = sheet_search().best(text)
    assert match.score >= SEARCH_THRESHOLD and "2014" in match.passage.text
    assert match.coverage < SEARCH_COVERAGE
    assert fallback(text, [])["response"] != "utter_sheet_passage"


def test_a_passage_exactly_at_the_threshold_is_quoted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(actions.fallback, "sheet_search", ExactlyAtTheThreshold)
    message = fallback(GIBBERISH, [])
    assert message["response"] == "utter_sheet_passage" and "Le passage." in message["text"]


def test_a_second_miss_offers_the_contact_first() -> None:
    message = fallback(GIBBERISH, turn(GIBBERISH, MISSES[0]))
    assert message["response"] == MISSES[1]
    assert message["buttons"][0]["payload"] == TOPICS["request_contact"].payload


def test_the_out_of_scope_reply_counts_as_a_miss() -> None:
    """« azertyuiop » got the out-of-scope reply; « qsdfghjklm » is a second miss."""
    out_of_scope = {"intent": {"name": "out_of_scope", "confidence": 0.9}}
    message = fallback(GIBBERISH, turn("azertyuiop", "utter_out_of_scope"), out_of_scope)
    assert message["response"] == MISSES[1]
    assert message["buttons"][0]["payload"] == TOPICS["request_contact"].payload


def test_an_out_of_scope_message_is_never_answered_with_a_passage() -> None:
    text = "le jumelage des intérêts de l'ESS et les rôles des acteurs sur un territoire"
    out_of_scope = {"intent": {"name": "out_of_scope", "confidence": 0.9}}
    message = fallback(text, turn("azertyuiop", "utter_out_of_scope"), out_of_scope)
    assert message["response"] != "utter_sheet_passage"


def unsure(text: str, slots: Optional[Dict] = None) -> Tracker:
    """A first message ``text`` that no intent took confidently."""
    latest = dict(PARSE, text=text)
    return Tracker("t", slots or {}, latest, [], False, None, {}, "action_listen")


def test_an_unsure_request_to_be_contacted_gets_the_consent_notice() -> None:
    text = "Directeur d'une Scop en Bretagne, je voudrais parler à un humain"
    assert run_action(ActionFallback(), unsure(text)) == (
        [FollowupAction("action_ask_consent")],
        [],
    )
    # In the contact form already: no second notice, the usual fallback reply.
    _, (message,) = run_action(ActionFallback(), unsure(text, {"lead_consent_at": "x"}))
    assert message["response"] == MISSES[0]


def test_an_unsure_price_question_gets_the_honest_answer_then_the_consent_notice() -> None:
    text = "un accompagnement chez vous, ça revient à combien ?"
    events, (message,) = run_action(ActionFallback(), unsure(text))
    assert message["response"] == "utter_faq/limite_tarifs"
    assert events == [
        SlotSet("topic", "faq/limite_tarifs"),
        FollowupAction("action_ask_consent"),
    ]


def test_a_bare_price_question_right_after_an_offer_gets_the_honest_answer() -> None:
    """« Parfait. Combien ça coûte ? » after the ecological-transition offer."""
    text = "Parfait. Combien ça coûte ?"
    after_offer = unsure(text, {"topic": "faq/offre_transition_ecologique"})
    events, (message,) = run_action(ActionFallback(), after_offer)
    assert message["response"] == "utter_faq/limite_tarifs"
    assert events[-1] == FollowupAction("action_ask_consent")
    # After the count of PTCE, the same words ask nothing about the firm's work.
    _, (message,) = run_action(ActionFallback(), unsure(text, {"topic": "faq/ptce_nombre"}))
    assert message["response"] != "utter_faq/limite_tarifs"


def test_a_short_follow_up_after_an_answer_is_handed_to_the_follow_up_action() -> None:
    """Which answers it and ends the turn: with no rule for the step after it, Rasa's
    core fallback undid the turn, and the topic was lost."""
    kan = unsure("c de kan", {"topic": "faq/ptce_origine"})
    assert run_action(ActionFallback(), kan) == ([FollowupAction("action_answer_follow_up")], [])
    events, (message,) = run_action(ActionAnswerFollowUp(), kan)
    assert message["response"] == "utter_faq/ptce_origine"
    assert events == [SlotSet("topic", "faq/ptce_origine"), FollowupAction("action_listen")]
    # « ami ptce date ? » names its subject: the AMI's calendar, whatever came before.
    ami = unsure("ami ptce date ?", {"topic": "faq/ptce_definition"})
    assert run_action(ActionFallback(), ami) == ([FollowupAction("action_answer_follow_up")], [])
    events, (message,) = run_action(ActionAnswerFollowUp(), ami)
    assert "12 mai au 23 juin 2021" in message["text"]
    assert events == [SlotSet("topic", "ami_calendrier"), FollowupAction("action_listen")]
    # With no topic answered before, there is nothing to follow up: the usual reply.
    _, (message,) = run_action(ActionFallback(), unsure("c de kan"))
    assert message["response"] == MISSES[0]


def test_a_short_question_in_the_words_of_an_answer_near_the_topic_gets_that_answer() -> None:
    """« Sous l'impulsion de qui ? » after the origin of the term was asked back."""
    impulse = unsure("Sous l'impulsion de qui ?", {"topic": "faq/ptce_origine"})
    events, (message,) = run_action(ActionFallback(), impulse)
    assert message["response"] == "utter_faq/ptce_origine"
    assert events == [SlotSet("topic", "faq/ptce_origine")]
    # Not for a message the NLU first took for out of scope, nor with no topic before.
    outside = dict(PARSE, intent_ranking=[{"name": "nlu_fallback"}, {"name": "out_of_scope"}])
    latest = dict(outside, text="Sous l'impulsion de qui ?")
    slots = {"topic": "faq/ptce_origine"}
    tracker = Tracker("t", slots, latest, [], False, None, {}, "action_listen")
    _, (message,) = run_action(ActionFallback(), tracker)
    assert message["response"] == MISSES[0]
    _, (message,) = run_action(ActionFallback(), unsure("Sous l'impulsion de qui ?"))
    assert message["response"] == MISSES[0]


def test_a_short_message_that_names_a_subject_gets_its_answer() -> None:
    """« C'est quelle loi exactement ? » after the definition got « pas sûr d'avoir compris »."""
    law = unsure("C'est quelle loi exactement ?", {"topic": "faq/ptce_definition"})
    assert run_action(ActionFallback(), law) == ([FollowupAction("action_answer_follow_up")], [])
    events, (message,) = run_action(ActionAnswerFollowUp(), law)
    assert message["response"] == "utter_faq/ptce_loi"
    assert events == [SlotSet("topic", "faq/ptce_loi"), FollowupAction("action_listen")]
    # A message the NLU first took for out of scope is not, nor a long one.
    outside = dict(PARSE, intent_ranking=[{"name": "nlu_fallback"}, {"name": "out_of_scope"}])
    for text, parse in (
        ("la loi de finances 2026 ?", outside),
        ("je cherche la loi sur les congés payés des salariés", PARSE),
    ):
        latest = dict(parse, text=text)
        tracker = Tracker("t", {}, latest, [], False, None, {}, "action_listen")
        _, (message,) = run_action(ActionFallback(), tracker)
        assert message["response"] == MISSES[0], text


def test_a_subject_named_by_its_english_spelling_or_its_title_gets_its_answer() -> None:
    """« webinar » and the report's title « Relancer les PTCE » name their subjects too."""
    for text, answer in (
        ("Et ce webinar, c'était quand ?", "utter_faq/charte_webinaire"),
        ("Relancer les PTCE, vous connaissez ?", "utter_faq/rapport_presentation"),
    ):
        tracker = unsure(text)
        assert run_action(ActionFallback(), tracker) == (
            [FollowupAction("action_answer_follow_up")],
            [],
        ), text
        _, (message,) = run_action(ActionAnswerFollowUp(), tracker)
        assert message["response"] == answer, text


def test_a_question_on_pages_gets_the_book_the_only_pages_the_sheet_gives() -> None:
    pages = unsure("Sur quelles pages, au juste ?")
    assert run_action(ActionFallback(), pages) == ([FollowupAction("action_answer_follow_up")], [])
    _, (message,) = run_action(ActionAnswerFollowUp(), pages)
    assert message["response"] == "utter_faq/cabinet_ouvrage"
    assert "p. 64-66" in response_text("utter_faq/cabinet_ouvrage")


def test_who_may_take_part_is_answered_by_its_words_when_it_is_about_a_ptce() -> None:
    """« Une mairie peut en faire partie ? » right after the definition was asked back."""
    member = unsure("Une mairie peut en faire partie ?", {"topic": "faq/ptce_definition"})
    events, (yes, answer) = run_action(ActionFallback(), member)
    assert (yes["response"], answer["response"]) == ("utter_yes", "utter_faq/ptce_definition")
    assert events == [SlotSet("topic", "faq/ptce_definition")]
    # About no PTCE, by name or by the topic before: the usual fallback.
    union = unsure("une entreprise peut adhérer à un syndicat ?", {"topic": "faq/offres"})
    _, (message,) = run_action(ActionFallback(), union)
    assert message["response"] != "utter_yes"
    # Nor when the NLU first took the message for out of scope.
    outside = dict(PARSE, intent_ranking=[{"name": "nlu_fallback"}, {"name": "out_of_scope"}])
    latest = dict(outside, text="Une mairie peut en faire partie ?")
    slots = {"topic": "faq/ptce_definition"}
    tracker = Tracker("t", slots, latest, [], False, None, {}, "action_listen")
    _, (message,) = run_action(ActionFallback(), tracker)
    assert message["response"] != "utter_yes"


def test_a_long_story_that_asks_what_a_ptce_is_gets_the_definition() -> None:
    """A mayor's story, then « Vous pouvez m'expliquer simplement ? »: the NLU, unsure
    of the whole message, asked it back."""
    text = (
        "Je suis élu d'une commune de 300 habitants et le sujet des PTCE est revenu trois "
        "fois en réunion de secteur sans que personne ne sache vraiment. Vous pourriez "
        "m'expliquer ce que c'est, en deux mots ?"
    )
    events, (message,) = run_action(ActionFallback(), unsure(text))
    assert message["response"] == "utter_faq/ptce_definition"
    assert events == [SlotSet("topic", "faq/ptce_definition")]
    # Asking what another subject is hands it to the follow-ups, which answer that subject.
    charter = unsure("J'arrive dans le réseau, et la charte des PTCE dont on parle, c'est quoi ?")
    assert run_action(ActionFallback(), charter) == (
        [FollowupAction("action_answer_follow_up")],
        [],
    )


@pytest.mark.parametrize(
    "text",
    [
        # One side of a PTCE, which the definition does not answer.
        "Pourriez-vous m'expliquer à quelle échelle se monte un PTCE ?",
        # No PTCE and no subject of the sheet.
        "Pouvez-vous m'expliquer comment fonctionne une coopérative d'activité ?",
        # About a PTCE, but asking nothing of what it is.
        "Notre PTCE cherche un local plus grand pour l'an prochain",
        # A subject's word, but about no PTCE: another law.
        "Pouvez-vous m'expliquer ce que dit la loi sur le temps partiel dans une association ?",
    ],
)
def test_only_a_question_on_what_a_ptce_is_gets_the_definition_by_its_words(text: str) -> None:
    events, messages = run_action(ActionFallback(), unsure(text))
    assert [m.get("response") for m in messages] != ["utter_faq/ptce_definition"]
    assert FollowupAction("action_answer_follow_up") not in events


def test_a_message_first_taken_for_out_of_scope_never_gets_the_definition_by_its_words() -> None:
    outside = dict(PARSE, intent_ranking=[{"name": "nlu_fallback"}, {"name": "out_of_scope"}])
    latest = dict(outside, text="Une SCIC, c'est quoi ? C'est comme un pôle ?")
    tracker = Tracker("t", {}, latest, [], False, None, {}, "action_listen")
    _, (message,) = run_action(ActionFallback(), tracker)
    assert message["response"] != "utter_faq/ptce_definition"


@pytest.mark.parametrize(
    ("text", "topic", "key", "told"),
    [
        ("cb y en a en tout ?", "faq/ptce_definition", COUNT, True),
        ("Combien en existe-t-il ?", None, COUNT, True),
        ("et des PTCE, y en avait combien ?", "ami_vagues", COUNT, True),
        # Winners of the AMI, members of a PTCE, a cost: no count of PTCE.
        ("combien y en a eu, des lauréats ?", "ami_laureats", COUNT, False),
        ("il faut combien d'acteurs minimum ?", "faq/ptce_definition", COUNT, False),
        ("y en a pour combien, en prix ?", "faq/ptce_definition", COUNT, False),
        ("Quels types d'acteurs peuvent en faire partie ?", "faq/ptce_formes", DEFINITION, True),
        ("Ça peut réunir qui, un PTCE ?", None, DEFINITION, True),
        # Who may apply to the AMI, who is in the firm: not a PTCE's members.
        ("qui peut candidater ?", "ami_presentation", DEFINITION, False),
        ("quels membres compte votre équipe ?", "faq/offres", DEFINITION, False),
    ],
)
def test_an_unsure_question_on_how_many_ptce_or_who_takes_part_gets_its_answer(
    text: str, topic: Optional[str], key: str, told: bool
) -> None:
    """The count of PTCE, or the definition that lists their members, told by the words."""
    events, (message,) = run_action(ActionFallback(), unsure(text, {"topic": topic}))
    assert (message["response"] == f"utter_{key}") is told
    assert (SlotSet("topic", key) in events) is told
