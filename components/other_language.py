"""Messages in English, or asking for another language, are told apart by their words.

The intent classifier learns ``other_language`` from a few examples, but an English
question that names the sheet's topics (« What's the deadline for the PTCE call in
2026? ») shares its key words with French questions, and got a French answer to
it. The words that give English away are its function words, which French
questions never use. A French message asking for an answer in English
(« réponds en anglais stp ») says so in so many words; a translation asked
(« traduis bonjour en espagnol ») is out of scope, not a language to answer in.
For both kinds, this classifier, placed last in config.yml, sets ``other_language``,
which the rules answer in French and English (``utter_other_language``).

English function words are scikit-learn's list (already installed for the TF-IDF
match), less the ones French writes too (« a », « on », « me », « part »…).
"""

import re
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from components.french import STOPWORDS, strip_accents

OTHER_LANGUAGE = "other_language"
# English function words that are French words too, or parts of French ones.
FRENCH_TOO = frozenset(
    "a an as co con de detail due etc fire former i me mine on or part per re six sincere "
    "top un via".split()
)
ENGLISH_ONLY = ENGLISH_STOP_WORDS - STOPWORDS - FRENCH_TOO
# From this many English function words, more than French ones, the message is English:
# « erreur javascript undefined is not a function » is French with an error quoted.
MIN_ENGLISH_WORDS = 3
LANGUAGES = (
    r"(anglais|english|ingles|espagnol|spanish|espanol|allemand|german|deutsch|italien|italian"
    r"|italiano|portugais|arabe)"
)
ASKS_ANOTHER_LANGUAGE = re.compile(
    rf"\b(repond\w*|reponse|ecri\w*|answer\w*|reply|write|speak|talk)\b.*\b(en|in)"
    rf" {LANGUAGES}\b|\b(parle\w*|speak\w*|causez|hablas?|sprechen|parli)( \w+)? {LANGUAGES}\b"
)
# Spanish opens a question or an exclamation with « ¿ » or « ¡ », which French never writes.
SPANISH_MARKS = re.compile(r"[¿¡]")


def in_another_language(text: str) -> bool:
    """Whether ``text`` is written in English, or asks for an answer in another language."""
    folded = strip_accents(text.lower().replace("’", "'"))
    if ASKS_ANOTHER_LANGUAGE.search(folded) or SPANISH_MARKS.search(text):
        return True
    words = re.findall(r"[^\W\d_]+", folded)
    english = sum(word in ENGLISH_ONLY for word in words)
    french = sum(word in STOPWORDS for word in words)
    return english >= MIN_ENGLISH_WORDS and english > french


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class OtherLanguageClassifier(GraphComponent):
    """Predicts ``other_language`` for a message in English or asking for another language."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "OtherLanguageClassifier":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if in_another_language(message.get(TEXT) or ""):
                intent = {INTENT_NAME_KEY: OTHER_LANGUAGE, PREDICTED_CONFIDENCE_KEY: 1.0}
                others = [
                    ranked
                    for ranked in message.get(INTENT_RANKING_KEY) or []
                    if ranked.get(INTENT_NAME_KEY) != OTHER_LANGUAGE
                ]
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent, *others], add_to_output=True)
        return messages
