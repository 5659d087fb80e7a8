"""Over the REST channel, each section of the sheet answers with its key fact.

Facts come from the fact table (tests/facts.yml) and the bot's own sentences from
data/responses/, never from copies here.
"""

import uuid
from typing import List

import pytest

from actions.fallback import MAX_TOPICS, MISSES
from actions.topics import TOPICS, next_buttons
from tests.support.blind import contains, fact
from tests.support.chat import say, text_of
from tests.support.content import response_start, response_text, responses

RESPONSES = responses()
MINISTRY_URL = fact("lien_economie_gouv")


@pytest.mark.parametrize(
    "question, key_facts",
    [
        ("C'est quoi un PTCE ?", ["definition_regroupement", "definition_fonctionnement_ess"]),
        ("quel est l'interet d'un ptce pour une commune", ["plus_value_emplois"]),
        ("les ptce sont apparus en quelle annee", ["terme_2009", "terme_labo_ess"]),
        (
            "y a t il une loi qui reconnait les pôles territoriaux",
            ["loi_article_9", "loi_31_juillet_2014"],
        ),
        (
            "a qui a ete remis le rapport relancer les ptce",
            ["rapport_olivia_gregoire", "rapport_decembre_2020"],
        ),
        (
            "jusqu'à quand déposer un dossier pour l'AMI ?",
            ["ami_debut_12_mai", "ami_fin_23_juin", "lien_economie_gouv"],
        ),
        ("je veux lire la nouvelle charte", ["lien_charte"]),
        (
            "sur quel livre s'appuie la vision du cabinet",
            ["livre_raphael_daufresne", "livre_francois_rousseau"],
        ),
        ("vous accompagnez la transition ecologique ?", ["lien_transition_ecologique"]),
        ("vous avez un partenariat au canada ?", ["partenariat_nouveau_brunswick"]),
    ],
)
def test_a_question_per_section_gets_its_key_fact(
    rasa_url: str, question: str, key_facts: List[str]
) -> None:
    answer = text_of(say(rasa_url, question))
    for fact_id in key_facts:
        assert contains(answer, fact(fact_id)), (fact_id, answer)


def test_answers_come_with_their_topics_buttons(rasa_url: str) -> None:
    (reply,) = say(rasa_url, "C'est quoi un PTCE ?")
    definition = RESPONSES["utter_faq/ptce_definition"][0]
    assert reply["text"] == definition["text"].strip()
    assert reply["buttons"] == next_buttons("faq/ptce_definition")


@pytest.mark.parametrize(
    "question, follow_up, key_fact",
    [
        ("je cherche la nouvelle charte des ptce", "vous auriez le lien svp", "lien_charte"),
        ("que dit la loi sur les PTCE ?", "et c'était en quelle année", "loi_31_juillet_2014"),
        ("quels sont les constats du rapport", "qui l'a rédigé ?", "rapport_auteur_labo"),
    ],
)
def test_a_follow_up_is_answered_about_the_topic_just_answered(
    rasa_url: str, question: str, follow_up: str, key_fact: str
) -> None:
    sender = uuid.uuid4().hex
    say(rasa_url, question, sender)
    assert contains(text_of(say(rasa_url, follow_up, sender)), fact(key_fact))


def test_out_of_scope_gets_no_sheet_fact(rasa_url: str) -> None:
    answer = text_of(say(rasa_url, "tu connais une bonne recette de crêpes ?"))
    assert response_start("utter_out_of_scope") in answer
    assert "http" not in answer


VAGUE = ["et pour le reste ?", "le lien", "et sinon"]


def start_fallback(rasa_url: str, sender: str) -> List[dict]:
    """Send vague messages until one gets the clarifying question (the NLU is unsure)."""
    for message in VAGUE:
        replies = say(rasa_url, message, sender)
        if response_text("utter_ask_which_topic") in text_of(replies):
            return replies
    pytest.fail(f"none of {VAGUE} started the fallback")


def test_an_unclear_message_gets_likely_topics_and_a_pick_answers_it(rasa_url: str) -> None:
    sender = uuid.uuid4().hex
    buttons = start_fallback(rasa_url, sender)[0]["buttons"]
    assert 1 <= len(buttons) <= MAX_TOPICS
    picked = buttons[0]
    key = next(key for key, topic in TOPICS.items() if topic.payload == picked["payload"])
    answer = text_of(say(rasa_url, picked["payload"], sender))
    if key.startswith("faq/"):
        expected = RESPONSES[f"utter_{key}"][0]["text"]
    elif key == "request_contact":
        expected = response_start("utter_ask_consent")
    else:
        expected = MINISTRY_URL
    assert expected in answer


def test_misses_in_a_row_never_get_the_same_reply_and_end_with_the_contact_offer(
    rasa_url: str,
) -> None:
    sender = uuid.uuid4().hex
    start_fallback(rasa_url, sender)
    for response in MISSES[1:]:
        replies = say(rasa_url, "/nlu_fallback", sender)
        assert response_text(response) in text_of(replies)
        assert replies[0]["buttons"]
    assert TOPICS["request_contact"].payload in [b["payload"] for b in replies[0]["buttons"]]


def test_an_empty_message_is_a_first_miss(rasa_url: str) -> None:
    assert text_of(say(rasa_url, "   ")) == response_text(MISSES[0])


def test_a_huge_message_is_refused_with_a_french_reason(rasa_url: str) -> None:
    message = " ".join(["ptce"] * 2000)
    answer = text_of(say(rasa_url, message))
    assert answer == response_text("utter_message_too_long").format(length=len(message), limit=1000)


def test_a_price_question_gets_the_honest_answer_then_the_consent_notice(rasa_url: str) -> None:
    answer = text_of(say(rasa_url, "c'est combien un accompagnement du cabinet ?"))
    assert response_start("utter_faq/limite_tarifs") in answer
    assert response_start("utter_ask_consent") in answer


def test_yes_after_the_contact_offer_opens_the_consent_notice(rasa_url: str) -> None:
    sender = uuid.uuid4().hex
    start_fallback(rasa_url, sender)
    for _ in MISSES[1:3]:
        replies = say(rasa_url, "/nlu_fallback", sender)
    assert TOPICS["request_contact"].payload in [b["payload"] for b in replies[0]["buttons"]]
    assert response_start("utter_ask_consent") in text_of(say(rasa_url, "oui", sender))


def test_an_insult_gets_one_calm_reply_and_english_a_bilingual_one(rasa_url: str) -> None:
    assert text_of(say(rasa_url, "franchement t'es complètement nul")) == response_text(
        "utter_insult"
    )
    english = text_of(say(rasa_url, "Could you explain what this cooperation hub is about?"))
    assert response_start("utter_other_language") in english
    assert "I can only answer in French" in english
    # English that names the sheet's topics, and French asking for English
    # (components/other_language.py): the same reply, not a French answer.
    for text in (
        "When is the next deadline of the PTCE call for projects?",
        "réponds-moi en anglais",
    ):
        assert response_start("utter_other_language") in text_of(say(rasa_url, text))
