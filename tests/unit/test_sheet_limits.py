"""What the sheet does not give, told by the words of a message the NLU was unsure of."""

from typing import Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.answers import AMI_TODAY
from actions.fallback import ActionFallback
from actions.sheet_limits import BOOK, FIRM, NO_DETAIL, PTCE_LOCAL, silent_on
from tests.support.actions import run_action
from tests.support.content import response_start


@pytest.mark.parametrize(
    ("text", "remembered", "key"),
    [
        ("Est-ce qu'on connaît les lauréats de la deuxième vague de l'AMI ?", None, AMI_TODAY),
        ("combien de pôles ont été financés grâce à cet appel", None, AMI_TODAY),
        ("Une SCIC comme la nôtre est-elle éligible ?", "ami_presentation", AMI_TODAY),
        ("Et le montant par projet ?", "ami_vagues", AMI_TODAY),
        ("il existe un pôle du côté de Besançon ?", None, PTCE_LOCAL),
        ("y a t il des ptce en Auvergne", None, PTCE_LOCAL),
        ("et vers Metz il y en a ?", "faq/ptce_nombre", PTCE_LOCAL),
        ("Y en a-t-il un à Rennes ?", "faq/ptce_definition", PTCE_LOCAL),
        ("On en trouve dans ma région ?", "faq/ptce_definition", PTCE_LOCAL),
        ("Vous avez déjà conseillé des collectivités sur ce genre de démarche ?", None, FIRM),
        ("Pouvez-vous me citer vos références ?", None, FIRM),
        # A cost or a duration, which the sheet never gives; the book's answer says so.
        ("ca prend combien de temps de lancer un pôle ?", None, NO_DETAIL),
        ("et en euros ça représente quoi ?", "ami_laureats", NO_DETAIL),
        ("Et il est cher ?", "faq/cabinet_ouvrage", BOOK),
    ],
)
def test_a_question_on_what_the_sheet_lacks_gets_the_answer_that_says_so(
    text: str, remembered: Optional[str], key: str
) -> None:
    assert silent_on(text, remembered) == key


@pytest.mark.parametrize(
    ("text", "remembered"),
    [
        # A kind of PTCE, not a place: two words after « en ».
        ("Y a-t-il un PTCE en milieu rural ?", None),
        # « Combien » asks the count, which the sheet gives.
        ("Il y a combien de PTCE en Bretagne ?", None),
        # A place, but nothing says it is about PTCE.
        ("et vers Metz il y en a ?", None),
        # After an answer on PTCE, something else that exists, and no place.
        ("Il y a un film ? Je retiens mieux en regardant.", "faq/ptce_formes"),
        ("On en trouve dans ma région ?", "faq/charte"),
        # Selected or funded, but by no AMI: another aid is out of scope.
        ("Notre projet a été retenu par la région, et après ?", None),
        ("Quels sont les gagnants du loto cette semaine ?", None),
        ("L'aide de l'État pour embaucher un apprenti, elle est de combien ?", None),
        # Helping is not an aid; earning more is a benefit of PTCE, which the sheet gives.
        ("Un PTCE aide-t-il vraiment les petites entreprises ?", None),
        ("Entrer dans un pôle, ça fait gagner de l'argent ?", None),
        # A date of the AMI is the calendar's.
        ("Jusqu'à quand pouvait-on candidater à l'AMI ?", None),
        # A PTCE somewhere, without asking whether one exists there.
        ("Notre PTCE est installé à Quimperlé", None),
        # References of a document, not of the firm.
        ("Le rapport donne-t-il ses sources ?", None),
        # A cost of something that is no PTCE, asked first.
        ("combien coûte une baguette de pain", None),
    ],
)
def test_other_questions_are_not_taken_for_what_the_sheet_lacks(
    text: str, remembered: Optional[str]
) -> None:
    assert silent_on(text, remembered) is None


def unsure(text: str, first: str = "faq") -> Tracker:
    """A first message ``text`` that no intent took confidently; ``first`` ranked first."""
    ranking = [{"name": "nlu_fallback", "confidence": 0.55}, {"name": first, "confidence": 0.5}]
    latest = {"intent": ranking[0], "intent_ranking": ranking, "text": text}
    return Tracker("t", {}, latest, [], False, None, {}, "action_listen")


def test_the_fallback_says_what_the_sheet_lacks_and_remembers_it() -> None:
    events, (message,) = run_action(ActionFallback(), unsure("Y a-t-il un PTCE vers Albi ?"))
    assert message["response"] == "utter_faq/limite_ptce_local"
    assert response_start("utter_faq/limite_ptce_local").startswith("Notre fiche ne donne pas")
    assert events == [SlotSet("topic", PTCE_LOCAL)]


def test_a_message_first_taken_for_out_of_scope_is_not_told_by_these_words() -> None:
    """« Vos clients » of a bakery are no question on the firm's references."""
    text = "Comment fidéliser vos clients dans une boulangerie ?"
    assert silent_on(text, None) == FIRM
    _, (message,) = run_action(ActionFallback(), unsure(text, first="out_of_scope"))
    assert message["response"] != "utter_faq/limite_cabinet"
