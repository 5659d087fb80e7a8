"""First stage of the two-stage fallback: offer the likeliest topics as buttons.

Rasa's built-in ``action_default_ask_affirmation`` proposes only the top intent,
by its raw name. This replacement proposes up to three topics by their French
titles, reading the ResponseSelector's ranking for the ``faq`` retrieval intent.
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.topics import TOPICS, buttons

MAX_TOPICS = 3
# Rasa's two-stage fallback treats this intent as "none of these".
OTHER = {"title": "Autre chose", "payload": "/out_of_scope"}


def likeliest_topics(parse_data: Dict[Text, Any], limit: int = MAX_TOPICS) -> List[str]:
    """Topic keys ordered by confidence, FAQ sub-intents weighted by the FAQ's own score."""
    scored: Dict[str, float] = {}
    for ranked in parse_data.get("intent_ranking", []):
        name, confidence = ranked.get("name"), ranked.get("confidence", 0.0)
        if name == "faq":
            selector = parse_data.get("response_selector", {}).get("faq", {})
            for response in selector.get("ranking", []):
                key = response.get("intent_response_key")
                scored[key] = max(
                    scored.get(key, 0.0), confidence * response.get("confidence", 0.0)
                )
        elif name in TOPICS:
            scored[name] = max(scored.get(name, 0.0), confidence)
    ordered = sorted((key for key in scored if key in TOPICS), key=scored.get, reverse=True)
    return ordered[:limit]


class ActionDefaultAskAffirmation(Action):
    """Asks which of the likeliest topics the visitor meant."""

    def name(self) -> Text:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        topics = likeliest_topics(tracker.latest_message)
        response = "utter_ask_which_topic" if topics else "utter_ask_which_topic_unknown"
        topics = topics or ["faq/ptce_definition", "ami_presentation", "faq/offres"]
        dispatcher.utter_message(response=response, buttons=buttons(*topics) + [OTHER])
        return []
