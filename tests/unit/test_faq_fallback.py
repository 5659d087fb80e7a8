"""The NLU's fallback on unsure answers: trained, saved, loaded, and deciding."""

from pathlib import Path
from typing import Optional

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.faq_fallback import FaqFallbackClassifier

CONFIG = {**FaqFallbackClassifier.get_default_config(), "threshold": 0.55}


def example(text: str, key: str) -> Message:
    return Message(data={"text": text, "intent": "faq", "intent_response_key": key})


TRAINING = TrainingData(
    training_examples=[
        example("c'est quoi un ptce", "faq/ptce_definition"),
        example("definition d'un pole territorial", "faq/ptce_definition"),
        example("ou lire la charte", "faq/charte"),
        example("la nouvelle charte des ptce", "faq/charte"),
    ],
    responses={
        "utter_faq/ptce_definition": [{"text": "Des regroupements d'acteurs d'un territoire."}],
        "utter_faq/charte": [{"text": "La charte de 2021 est en ligne."}],
    },
)


@pytest.fixture
def trained(tmp_path: Path) -> FaqFallbackClassifier:
    """A classifier trained on TRAINING, saved, then loaded as the Rasa server would."""
    storage = LocalModelStorage(tmp_path)
    resource = Resource("faq_fallback")
    context = ExecutionContext(GraphSchema({}), "test")
    FaqFallbackClassifier.create(CONFIG, storage, resource, context).train(TRAINING)
    return FaqFallbackClassifier.load(CONFIG, storage, resource, context)


def parsed(
    text: str, key: str, confidence: float, intent: float = 0.99, next_answer: float = 0.0
) -> Message:
    """A message as the ResponseSelector leaves it: the faq intent, its best answer and,
    with ``next_answer``, the other answer of TRAINING second with that confidence."""
    other = "faq/charte" if key != "faq/charte" else "faq/ptce_definition"
    ranking = [{"intent_response_key": key, "confidence": confidence}]
    ranking.append({"intent_response_key": other, "confidence": next_answer, "id": 7})
    return Message(
        data={
            "text": text,
            "intent": {"name": "faq", "confidence": intent},
            "intent_ranking": [{"name": "faq", "confidence": intent}],
            "response_selector": {
                "faq": {
                    "response": {"intent_response_key": key, "confidence": confidence},
                    "ranking": ranking,
                }
            },
        }
    )


def with_alternatives(trained: FaqFallbackClassifier) -> FaqFallbackClassifier:
    trained.component_config = {
        **trained.component_config,
        "alternatives": 2,
        "confirmed_threshold": 0.2,
    }
    return trained


def intent_after(classifier: FaqFallbackClassifier, message: Message) -> Optional[str]:
    (processed,) = classifier.process([message])
    return processed.get("intent")["name"]


def test_a_confident_answer_stands(trained: FaqFallbackClassifier) -> None:
    assert intent_after(trained, parsed("zzz", "faq/charte", 0.9)) == "faq"


def test_an_unsure_answer_that_the_word_match_confirms_stands(
    trained: FaqFallbackClassifier,
) -> None:
    assert intent_after(trained, parsed("lire la charte ?", "faq/charte", 0.2)) == "faq"


def test_a_confirmed_answer_the_selector_barely_gives_falls_back(
    trained: FaqFallbackClassifier,
) -> None:
    barely = CONFIG["confirmed_threshold"] - 0.01
    assert intent_after(trained, parsed("lire la charte ?", "faq/charte", barely)) == "nlu_fallback"


def test_an_unsure_answer_that_the_word_match_contradicts_falls_back(
    trained: FaqFallbackClassifier,
) -> None:
    message = parsed("lire la charte ?", "faq/ptce_definition", 0.2)
    assert intent_after(trained, message) == "nlu_fallback"
    assert message.get("intent_ranking")[0]["name"] == "nlu_fallback"


def test_an_unsure_answer_sharing_no_word_with_any_answer_falls_back(
    trained: FaqFallbackClassifier,
) -> None:
    assert intent_after(trained, parsed("tarte tatin", "faq/charte", 0.2)) == "nlu_fallback"


def test_the_next_answer_the_word_match_picks_is_sent_instead(
    trained: FaqFallbackClassifier,
) -> None:
    message = parsed("lire la charte ?", "faq/ptce_definition", 0.3, next_answer=0.25)
    assert intent_after(with_alternatives(trained), message) == "faq"
    chosen = message.get("response_selector")["faq"]["response"]
    assert chosen["intent_response_key"] == "faq/charte"
    assert chosen["utter_action"] == "utter_faq/charte" and chosen["confidence"] == 0.25


def test_a_next_answer_below_its_threshold_is_not_picked(trained: FaqFallbackClassifier) -> None:
    message = parsed("lire la charte ?", "faq/ptce_definition", 0.3, next_answer=0.19)
    assert intent_after(with_alternatives(trained), message) == "nlu_fallback"


def test_without_alternatives_the_next_answer_is_never_picked(
    trained: FaqFallbackClassifier,
) -> None:
    message = parsed("lire la charte ?", "faq/ptce_definition", 0.3, next_answer=0.45)
    assert intent_after(trained, message) == "nlu_fallback"


def test_rasa_intent_threshold_still_applies(trained: FaqFallbackClassifier) -> None:
    assert intent_after(trained, parsed("lire la charte", "faq/charte", 0.9, 0.3)) == "nlu_fallback"


def test_the_answer_threshold_is_the_configured_one(trained: FaqFallbackClassifier) -> None:
    just_above = parsed("tarte tatin", "faq/charte", CONFIG["response_threshold"])
    assert intent_after(trained, just_above) == "faq"


def test_the_answer_index_holds_examples_and_response_text(
    trained: FaqFallbackClassifier,
) -> None:
    assert trained.index.best("regroupements d'acteurs") == "faq/ptce_definition"
    assert trained.index.best("en ligne") == "faq/charte"


def test_a_word_match_below_the_confirming_similarity_confirms_nothing(
    trained: FaqFallbackClassifier,
) -> None:
    """One shared word in a long message about something else is no confirmation."""
    text = "comment on change une chambre à air de vélo, je dois lire la notice ?"
    assert intent_after(trained, parsed(text, "faq/charte", 0.3)) == "faq"
    trained.component_config = {**trained.component_config, "confirming_similarity": 0.5}
    assert intent_after(trained, parsed(text, "faq/charte", 0.3)) == "nlu_fallback"


def doubted(text: str, out_of_scope: float) -> Message:
    """A sure answer (0.9) on ``faq/charte``, with ``out_of_scope`` close behind ``faq``."""
    message = parsed(text, "faq/charte", 0.9, intent=1.0 - out_of_scope)
    message.data["intent_ranking"].append({"name": "out_of_scope", "confidence": out_of_scope})
    return message


def test_a_sure_answer_is_checked_when_out_of_scope_is_close_behind(
    trained: FaqFallbackClassifier,
) -> None:
    """« vous prenez des stagiaires ? »: faq 0.76, out_of_scope 0.24, a sure answer."""
    trained.component_config = {**trained.component_config, "out_of_scope_doubt": 0.15}
    stagiaires = doubted("vous prenez des stagiaires en master ?", 0.24)
    assert intent_after(trained, stagiaires) == "nlu_fallback"
    assert intent_after(trained, doubted("où lire la charte ?", 0.24)) == "faq"


def test_a_doubted_answer_needs_a_closer_word_match(trained: FaqFallbackClassifier) -> None:
    """With out_of_scope close behind, a word match that would confirm an unsure answer
    is not enough: it must reach ``doubted_similarity``."""
    text = "comment on change une chambre à air de vélo, je dois lire la notice ?"
    trained.component_config = {**trained.component_config, "out_of_scope_doubt": 0.15}
    assert intent_after(trained, doubted(text, 0.3)) == "faq"
    trained.component_config = {**trained.component_config, "doubted_similarity": 0.5}
    assert intent_after(trained, doubted(text, 0.3)) == "nlu_fallback"
    undoubted = parsed(text, "faq/charte", 0.3)
    assert intent_after(trained, undoubted) == "faq"  # an unsure answer keeps the usual bar


@pytest.mark.parametrize("key", ["faq/ptce_definition", "faq/charte"])
def test_a_message_of_common_words_only_is_left_to_the_selector(
    trained: FaqFallbackClassifier, key: str
) -> None:
    """« PTCE ? »: every answer holds the word, so it confirms and contradicts none."""
    assert intent_after(trained, parsed("PTCE ?", key, 0.3)) == "faq"
    barely = CONFIG["confirmed_threshold"] - 0.01
    assert intent_after(trained, parsed("PTCE ?", key, barely)) == "nlu_fallback"


def hesitant(text: str, key: str, answer: float, intent: float, other: float = 0.0) -> Message:
    """A message whose intent is below Rasa's threshold, with another intent at ``other``
    first, and the selector giving ``key`` at ``answer``."""
    message = parsed(text, key, answer, intent=intent)
    if other:
        message.data["intent"] = {"name": "out_of_scope", "confidence": other}
        message.data["intent_ranking"].insert(0, {"name": "out_of_scope", "confidence": other})
    return message


@pytest.fixture
def rescuing(trained: FaqFallbackClassifier) -> FaqFallbackClassifier:
    trained.component_config = {
        **trained.component_config,
        "rescue_threshold": 0.6,
        "out_of_scope_doubt": 0.15,
        "doubted_similarity": 0.25,
    }
    return trained


def test_a_sure_confirmed_answer_stands_though_the_intent_hesitated(
    rescuing: FaqFallbackClassifier,
) -> None:
    """« loi »: out_of_scope 0.11 first, faq below it, the selector sure of the law."""
    message = hesitant("la charte", "faq/charte", 0.73, intent=0.05, other=0.11)
    assert intent_after(rescuing, message) == "faq"
    assert message.get("intent") == {"name": "faq", "confidence": 0.05}
    assert intent_after(rescuing, hesitant("la charte", "faq/charte", 0.73, intent=0.52)) == "faq"


def test_no_rescue_below_its_threshold_nor_by_default(rescuing: FaqFallbackClassifier) -> None:
    unsure = hesitant("la charte", "faq/charte", 0.59, intent=0.5)
    assert intent_after(rescuing, unsure) == "nlu_fallback"
    default = FaqFallbackClassifier.get_default_config()["rescue_threshold"]
    rescuing.component_config = {**rescuing.component_config, "rescue_threshold": default}
    sure = hesitant("la charte", "faq/charte", 0.99, intent=0.5)
    assert intent_after(rescuing, sure) == "nlu_fallback"


def test_no_rescue_when_another_intent_is_likely(rescuing: FaqFallbackClassifier) -> None:
    """« on partage koi exactement ? »: an AMI intent at 0.24 is a doubt."""
    message = hesitant("la charte", "faq/charte", 0.9, intent=0.1, other=0.24)
    assert intent_after(rescuing, message) == "nlu_fallback"


def test_no_rescue_when_the_words_do_not_confirm(rescuing: FaqFallbackClassifier) -> None:
    """« Quel temps fera-t-il demain ? » with a sure but unconfirmed answer."""
    weather = hesitant("quel temps fera-t-il demain", "faq/charte", 0.9, intent=0.3)
    assert intent_after(rescuing, weather) == "nlu_fallback"
    other_answer = hesitant("c'est quoi un ptce", "faq/charte", 0.9, intent=0.3)
    assert intent_after(rescuing, other_answer) == "nlu_fallback"
