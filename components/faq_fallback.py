"""Rasa's FallbackClassifier, also unsure when the ResponseSelector is.

Rasa's FallbackClassifier looks at the intent only. For the retrieval intent
``faq`` the intent can be certain ("this is a question about the sheet") while
the ResponseSelector hesitates between answers; Rasa then sends its best guess
whatever its confidence. Measured on the blind set (README, "Understanding"),
out-of-scope messages that got a sheet answer all had a ResponseSelector
confidence below 0.4, as had a third of the right answers.

So below ``response_threshold`` this classifier asks a second, independent
opinion: a TF-IDF match of the message's French stems against each answer's
training examples and text. When it picks the ResponseSelector's best answer,
that answer stands; when it picks one of the selector's next answers
(``alternatives``), that answer is sent instead; either way the selector must
give the answer at least ``confirmed_threshold``, and the word match must be
close enough (``confirming_similarity``): one shared word of a long message
(« comment on change une chambre à air ») confirms nothing. When the intent
classifier gives ``out_of_scope`` at least ``out_of_scope_doubt`` (« vous prenez
des stagiaires ? »: faq 0.76, out_of_scope 0.24), even a sure answer needs
confirming, by a closer word match (``doubted_similarity``): a question about
another kind of cooperative shared « emploi » and « activité » with the benefits
of a PTCE (cosine 0.17), which is not enough against the doubt. A message whose
only words are ones most answers hold (« PTCE ? ») can be neither confirmed nor
contradicted by them: the selector's answer then stands from
``confirmed_threshold``. Otherwise the message goes to ``nlu_fallback`` and the
fallback action (actions/fallback.py) quotes the sheet or asks, instead of
answering beside the question.

The other way round, when Rasa's thresholds on the intent send a message to the
fallback, a sure answer (``rescue_threshold``) that the word match picks by the
closer cosine stands, unless another intent is likely (``out_of_scope_doubt``):
DIET was unsure of the bare keyword « loi », the selector sure of the law.
"""

import json
from typing import Any, Dict, List, Optional, Text, Type

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel

from components.french import stems

RESPONSE_THRESHOLD_KEY = "response_threshold"
ALTERNATIVES_KEY = "alternatives"
CONFIRMED_THRESHOLD_KEY = "confirmed_threshold"
CONFIRMING_SIMILARITY_KEY = "confirming_similarity"
OUT_OF_SCOPE_DOUBT_KEY = "out_of_scope_doubt"
DOUBTED_SIMILARITY_KEY = "doubted_similarity"
RESCUE_THRESHOLD_KEY = "rescue_threshold"
OUT_OF_SCOPE = "out_of_scope"
FAQ = "faq"
DOCUMENTS_FILE = "answer_documents.json"
# A word held by more than this share of the answers tells none of them apart.
COMMON_WORD_SPREAD = 0.5


class AnswerIndex:
    """TF-IDF over one document per answer key: its training examples and its text."""

    def __init__(self, documents: Dict[str, str]) -> None:
        self.documents = documents
        self.keys = sorted(documents)
        self.vectorizer = TfidfVectorizer(analyzer=stems, sublinear_tf=True)
        self.matrix = self.vectorizer.fit_transform(documents[key] for key in self.keys)
        # The share of answers whose document holds each word.
        self.spread = (self.matrix > 0).mean(axis=0).A1

    def says_nothing(self, text: str) -> bool:
        """Whether every word of ``text`` is one that most answers hold (« PTCE »), so
        that the word match can neither confirm nor contradict the selector."""
        words = set(stems(text))
        vocabulary = self.vectorizer.vocabulary_
        return bool(words) and all(
            word in vocabulary and self.spread[vocabulary[word]] > COMMON_WORD_SPREAD
            for word in words
        )

    def best(self, text: str, minimum: float = 0.0) -> Optional[str]:
        """The answer key whose words are closest to ``text``, or None when none has a
        cosine similarity of at least ``minimum`` (or shares a word, for 0)."""
        query = self.vectorizer.transform([text])
        if query.nnz == 0:
            return None
        similarities = linear_kernel(query, self.matrix)[0]
        best = int(similarities.argmax())
        return self.keys[best] if similarities[best] >= minimum else None


def answer_documents(training_data: TrainingData) -> Dict[str, str]:
    """For each ``faq/<key>``: its examples, then its response's text."""
    examples: Dict[str, List[str]] = {}
    for message in training_data.intent_examples:
        key = message.get(INTENT_RESPONSE_KEY)
        if key and message.get(TEXT):
            examples.setdefault(key, []).append(message.get(TEXT))
    responses = training_data.responses
    return {
        key: " ".join(texts + [v.get("text", "") for v in responses.get(f"utter_{key}", [])])
        for key, texts in examples.items()
    }


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FaqFallbackClassifier(FallbackClassifier):
    """Predicts ``nlu_fallback`` below Rasa's thresholds, or for an unsure, unconfirmed answer."""

    @classmethod
    def required_components(cls) -> List[Type]:
        """None to train; in config.yml it comes after DIET and the ResponseSelector."""
        return []

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Rasa's two thresholds, the one under which an answer needs confirming, how
        many of the selector's next answers the word match may pick instead, how
        close (cosine) the word match must be to confirm anything, the confidence
        of ``out_of_scope`` from which even a sure answer needs confirming, and how
        close the word match must then be."""
        return {
            **FallbackClassifier.get_default_config(),
            RESPONSE_THRESHOLD_KEY: 0.4,
            ALTERNATIVES_KEY: 0,
            CONFIRMED_THRESHOLD_KEY: 0.2,
            CONFIRMING_SIMILARITY_KEY: 0.0,
            OUT_OF_SCOPE_DOUBT_KEY: 1.0,
            DOUBTED_SIMILARITY_KEY: 0.0,
            RESCUE_THRESHOLD_KEY: 1.0,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        index: Optional[AnswerIndex] = None,
    ) -> None:
        super().__init__(config)
        self._model_storage = model_storage
        self._resource = resource
        self.index = index

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "FaqFallbackClassifier":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Keeps each answer's document; the index is rebuilt from them when loaded."""
        documents = answer_documents(training_data)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / DOCUMENTS_FILE).write_text(json.dumps(documents), encoding="utf-8")
        self.index = AnswerIndex(documents) if documents else None
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "FaqFallbackClassifier":
        try:
            with model_storage.read_from(resource) as directory:
                documents = json.loads((directory / DOCUMENTS_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            documents = {}
        return cls(config, model_storage, resource, AnswerIndex(documents) if documents else None)

    def _should_fallback(self, message: Message) -> bool:
        if super()._should_fallback(message):
            return not self._answer_rescues(message)
        return self._answer_is_unsure(message)

    def _answer_rescues(self, message: Message) -> bool:
        """Whether a sure answer, confirmed by the words, stands although the intent
        classifier hesitated; the message's intent then becomes ``faq``.

        DIET gave « loi » out_of_scope 0.11 and « faq » less, « Quel est le fondement
        juridique ? » faq 0.52, while the selector was sure of the law (0.73, 0.64)
        and the message's words were the law's. No other intent may be likely (at
        least ``out_of_scope_doubt``: « on partage koi exactement ? » had an AMI
        intent at 0.24), the selector's answer must reach ``rescue_threshold`` and
        the word match must pick it by the closer cosine used when the scope is doubted.
        """
        selector = (message.data.get("response_selector") or {}).get(FAQ) or {}
        response = selector.get("response") or {}
        if (
            not self.index
            or response.get("confidence", 0.0) < self.component_config[RESCUE_THRESHOLD_KEY]
        ):
            return False
        ranking = message.data.get(INTENT_RANKING_KEY) or []
        doubt = self.component_config[OUT_OF_SCOPE_DOUBT_KEY]
        if any(
            entry.get(INTENT_NAME_KEY) != FAQ and entry.get("confidence", 0.0) >= doubt
            for entry in ranking
        ):
            return False
        words = self.index.best(
            message.get(TEXT) or "", self.component_config[DOUBTED_SIMILARITY_KEY]
        )
        if words != response.get("intent_response_key"):
            return False
        faq = next((entry for entry in ranking if entry.get(INTENT_NAME_KEY) == FAQ), None)
        message.data[INTENT] = faq or {INTENT_NAME_KEY: FAQ, "confidence": 0.0}
        return True

    def _answer_is_unsure(self, message: Message) -> bool:
        """Below the threshold, the answer stands only if the word match confirms it.

        When the word match picks one of the selector's next answers instead, the
        selector's prediction is replaced by that answer, which is then sent.
        """
        intent = message.data.get(INTENT) or {}
        selector = (message.data.get("response_selector") or {}).get(intent.get(INTENT_NAME_KEY))
        if not selector:
            return False
        response = selector.get("response", {})
        sure = response.get("confidence", 0.0) >= self.component_config[RESPONSE_THRESHOLD_KEY]
        doubted = self._doubts_scope(message)
        if sure and not doubted:
            return False
        text = message.get(TEXT) or ""
        if self.index and self.index.says_nothing(text):
            # « c'est quoi un PTCE ? »: no word to confirm with; the selector decides.
            return response.get("confidence", 0.0) < self.component_config[CONFIRMED_THRESHOLD_KEY]
        minimum = self.component_config[CONFIRMING_SIMILARITY_KEY]
        if doubted:
            minimum = max(minimum, self.component_config[DOUBTED_SIMILARITY_KEY])
        confirmed = self.index and self.index.best(text, minimum)
        if confirmed == response.get("intent_response_key"):
            return response.get("confidence", 0.0) < self.component_config[CONFIRMED_THRESHOLD_KEY]
        alternative = self._alternative(selector.get("ranking") or [], confirmed)
        if alternative is None:
            return True
        key = alternative["intent_response_key"]
        selector["response"] = {
            **response,
            "id": alternative.get("id"),
            "confidence": alternative.get("confidence", 0.0),
            "intent_response_key": key,
            "utter_action": f"utter_{key}",
            "template_name": f"utter_{key}",
            "responses": [],
        }
        return False

    def _doubts_scope(self, message: Message) -> bool:
        """Whether the intent classifier gives ``out_of_scope`` enough confidence that
        the answer, however sure the selector is, must be confirmed by the words."""
        ranking = message.data.get("intent_ranking") or []
        doubt = max(
            (
                entry.get("confidence", 0.0)
                for entry in ranking
                if entry.get("name") == OUT_OF_SCOPE
            ),
            default=0.0,
        )
        return doubt >= self.component_config[OUT_OF_SCOPE_DOUBT_KEY]

    def _alternative(
        self, ranking: List[Dict[Text, Any]], confirmed: Optional[str]
    ) -> Optional[Dict[Text, Any]]:
        """The selector's next answer that the word match picked, if the selector gives it
        at least ``confirmed_threshold``."""
        candidates = ranking[1 : 1 + self.component_config[ALTERNATIVES_KEY]]
        minimum = self.component_config[CONFIRMED_THRESHOLD_KEY]
        return next(
            (
                entry
                for entry in candidates
                if entry.get("intent_response_key") == confirmed
                and entry.get("confidence", 0.0) >= minimum
            ),
            None,
        )
