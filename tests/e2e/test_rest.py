"""Over the REST channel, each section of the sheet gets its answer, word for word."""

import uuid

import pytest

from actions.ami import calendar, paris_date, utc_now
from actions.fallback import MAX_TOPICS, MISSES
from actions.topics import TOPICS
from channels.texts import channel_text
from tests.e2e.chat import fixed_text, say, text_of
from tests.support.content import response_text, responses, sheet_links

RESPONSES = responses()
MINISTRY_URL = next(link for link in sheet_links() if "economie.gouv.fr" in link)


# Each question and the answer the sheet gives it (data/responses/), by name.
SECTIONS = [
    ("C'est quoi un PTCE ?", "utter_faq/ptce_definition"),
    ("quel est l'interet d'un ptce pour une commune", "utter_faq/ptce_benefices"),
    ("les ptce sont apparus en quelle annee", "utter_faq/ptce_origine"),
    ("y a t il une loi qui reconnait les pôles territoriaux", "utter_faq/ptce_loi"),
    ("a qui a ete remis le rapport relancer les ptce", "utter_faq/rapport_presentation"),
    ("je veux lire la nouvelle charte", "utter_faq/charte"),
    ("sur quel livre s'appuie la vision du cabinet", "utter_faq/cabinet_ouvrage"),
    ("vous accompagnez la transition ecologique ?", "utter_faq/offre_transition_ecologique"),
    ("vous avez un partenariat au canada ?", "utter_faq/partenariat_nouveau_brunswick"),
]


@pytest.mark.parametrize("question, response", SECTIONS)
def test_a_question_per_section_gets_its_answer(
    rasa_url: str, question: str, response: str
) -> None:
    assert RESPONSES[response][0]["text"].strip() in text_of(say(rasa_url, question))


def test_the_ami_deadline_is_told_for_today_with_the_ministry_link(rasa_url: str) -> None:
    answer = text_of(say(rasa_url, "jusqu'à quand déposer un dossier pour l'AMI ?"))
    for name in calendar(paris_date(utc_now())):
        assert response_text(name) in answer, name
    assert MINISTRY_URL in answer


def test_answers_come_with_their_topics_buttons(rasa_url: str) -> None:
    (reply,) = say(rasa_url, "C'est quoi un PTCE ?")
    definition = RESPONSES["utter_faq/ptce_definition"][0]
    assert reply["text"] == definition["text"].strip()
    assert reply["buttons"] == definition["buttons"]


def test_out_of_scope_gets_no_sheet_fact(rasa_url: str) -> None:
    answer = text_of(say(rasa_url, "tu connais une bonne recette de crêpes ?"))
    assert answer == response_text("utter_out_of_scope")
    assert "http" not in answer


# A message with no word at all: the NLU cannot place it, so it is a miss.
UNCLEAR = "   "


def what_a_topic_answers(key: str) -> str:
    """What the answer to the topic ``key`` must contain."""
    if key.startswith("faq/"):
        return RESPONSES[f"utter_{key}"][0]["text"].strip()
    if key.startswith("ami_"):
        return MINISTRY_URL
    return fixed_text("utter_ask_consent_without_policy")


def test_an_unclear_message_gets_likely_topics_and_a_pick_answers_it(rasa_url: str) -> None:
    sender = uuid.uuid4().hex
    (reply,) = say(rasa_url, UNCLEAR, sender)
    assert reply["text"] == response_text(MISSES[0])
    keys = {topic.payload: key for key, topic in TOPICS.items()}
    assert 1 <= len(reply["buttons"]) <= MAX_TOPICS
    picked = reply["buttons"][0]["payload"]
    assert what_a_topic_answers(keys[picked]) in text_of(say(rasa_url, picked, sender))


def test_misses_in_a_row_never_repeat_a_text_and_end_with_the_contact_offer(rasa_url: str) -> None:
    sender = uuid.uuid4().hex
    replies = [say(rasa_url, UNCLEAR, sender) for _ in MISSES]
    assert [text_of(reply) for reply in replies] == [response_text(name) for name in MISSES]
    assert replies[2][0]["buttons"][0]["payload"] == TOPICS["request_contact"].payload


def test_a_huge_message_is_refused_with_a_french_reason(rasa_url: str) -> None:
    huge = "ptce " * 2000
    answer = text_of(say(rasa_url, huge))
    # Rasa strips the message before the guard measures it.
    assert answer == channel_text("utter_message_too_long", length=len(huge.strip()), limit=1000)
