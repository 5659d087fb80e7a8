"""Over the REST channel, each section of the sheet answers with its key fact."""

import uuid
from typing import List

import pytest

from actions.topics import TOPICS
from tests.e2e.chat import say, text_of
from tests.support.content import responses, sheet_links

RESPONSES = responses()
MINISTRY_URL = next(link for link in sheet_links() if "economie.gouv.fr" in link)


@pytest.mark.parametrize(
    "question, key_facts",
    [
        ("C'est quoi un PTCE ?", ["regroupe plusieurs acteurs", "économie sociale et solidaire"]),
        ("quel est l'interet d'un ptce pour une commune", ["emplois durables"]),
        ("les ptce sont apparus en quelle annee", ["2009", "Le Labo de l'ESS"]),
        ("y a t il une loi qui reconnait les pôles territoriaux", ["article 9", "31 juillet 2014"]),
        ("a qui a ete remis le rapport relancer les ptce", ["Olivia Grégoire", "décembre 2020"]),
        (
            "jusqu'à quand déposer un dossier pour l'AMI ?",
            ["12 mai au 23 juin 2021", MINISTRY_URL],
        ),
        ("je veux lire la nouvelle charte", ["PTCE%20nouvelle%20charte%202021.pdf"]),
        (
            "sur quel livre s'appuie la vision du cabinet",
            ["Raphaël Daufresne", "François Rousseau"],
        ),
        (
            "vous accompagnez la transition ecologique ?",
            ["ecosysteme-local-de-transition-ecologique"],
        ),
        ("vous avez un partenariat au canada ?", ["Nouveau-Brunswick"]),
    ],
)
def test_a_question_per_section_gets_its_key_fact(
    rasa_url: str, question: str, key_facts: List[str]
) -> None:
    answer = text_of(say(rasa_url, question))
    for fact in key_facts:
        assert fact in answer, answer


def test_answers_come_with_buttons(rasa_url: str) -> None:
    replies = say(rasa_url, "C'est quoi un PTCE ?")
    assert replies[0]["buttons"]


def test_out_of_scope_gets_no_sheet_fact(rasa_url: str) -> None:
    answer = text_of(say(rasa_url, "tu connais une bonne recette de crêpes ?"))
    assert "je ne peux pas vous répondre sur ce sujet" in answer
    assert "http" not in answer


VAGUE = ["et pour le reste ?", "le lien", "et sinon"]


def start_fallback(rasa_url: str, sender: str) -> List[dict]:
    """Send vague messages until one gets the clarifying question (the NLU is unsure)."""
    for message in VAGUE:
        replies = say(rasa_url, message, sender)
        if "Vouliez-vous parler" in text_of(replies):
            return replies
    pytest.fail(f"none of {VAGUE} started the two-stage fallback")


def test_an_unclear_message_gets_likely_topics_and_a_pick_answers_it(rasa_url: str) -> None:
    sender = uuid.uuid4().hex
    buttons = start_fallback(rasa_url, sender)[0]["buttons"]
    assert 2 <= len(buttons) <= 4 and buttons[-1]["payload"] == "/out_of_scope"
    picked = buttons[0]
    key = next(key for key, topic in TOPICS.items() if topic.payload == picked["payload"])
    answer = text_of(say(rasa_url, picked["payload"], sender))
    expected = RESPONSES[f"utter_{key}"][0]["text"] if key.startswith("faq/") else MINISTRY_URL
    assert expected in answer


def test_nothing_fits_twice_gives_the_menu(rasa_url: str) -> None:
    sender = uuid.uuid4().hex
    start_fallback(rasa_url, sender)
    assert "reformuler" in text_of(say(rasa_url, "/out_of_scope", sender))
    assert "Voici les sujets" in text_of(say(rasa_url, "/nlu_fallback", sender))
    last = say(rasa_url, "/out_of_scope", sender)
    assert "je n'ai toujours pas compris" in text_of(last)
    assert last[0]["buttons"]


def test_an_empty_message_gets_a_french_answer(rasa_url: str) -> None:
    assert text_of(say(rasa_url, "   ")).strip()


def test_a_huge_message_is_refused_with_a_french_reason(rasa_url: str) -> None:
    answer = text_of(say(rasa_url, "ptce " * 2000))
    assert "trop long" in answer and "1000 caractères au plus" in answer
