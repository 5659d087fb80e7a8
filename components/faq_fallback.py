"""Rasa's FallbackClassifier, also unsure when the ResponseSelector is.

Rasa's FallbackClassifier looks at the intent only. For the retrieval intent
``faq`` the intent can be certain ("this is a question about the sheet") while
the ResponseSelector hesitates between answers; Rasa then sends its best guess
whatever its confidence. Measured on the blind set, every out-of-scope message
that got a sheet answer had a ResponseSelector confidence below 0.5. This
classifier predicts ``nlu_fallback`` in that case too, so the fallback action
(actions/fallback.py) quotes the sheet or asks, instead of answering beside the
question.
"""

from typing import Any, Dict, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message

RESPONSE_THRESHOLD_KEY = "response_threshold"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FaqFallbackClassifier(FallbackClassifier):
    """Predicts ``nlu_fallback`` below either threshold: the intent's or the answer's."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Rasa's two thresholds, and the one for the selected answer."""
        return {**FallbackClassifier.get_default_config(), RESPONSE_THRESHOLD_KEY: 0.5}

    def _should_fallback(self, message: Message) -> bool:
        return super()._should_fallback(message) or self._answer_is_unsure(message)

    def _answer_is_unsure(self, message: Message) -> bool:
        intent = message.data.get(INTENT) or {}
        selector = (message.data.get("response_selector") or {}).get(intent.get(INTENT_NAME_KEY))
        if not selector:
            return False
        confidence = selector.get("response", {}).get("confidence", 0.0)
        return confidence < self.component_config[RESPONSE_THRESHOLD_KEY]
