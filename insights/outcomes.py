"""What a visitor message led to, read from the names of what the bot did next.

This is the one table to adjust when the bot changes: a response (the
``utter_action`` Rasa stores with each bot message sent by name) or an action
maps to an outcome. A name ending in ``*`` covers every name with that prefix.
Names that are not here (greetings, the contact form, thanks…) are ``OTHER``.

When a message leads to several of these (the sheet search runs the fallback
action, then answers with a passage; a topic picked from the fallback's buttons
is answered after the fallback loop closes), the outcome listed first in
``PRIORITY`` wins.
"""

from functools import lru_cache
from typing import Dict, Optional

from actions.topics import TOPICS

ANSWERED = "answered"
SHEET_SEARCH = "sheet_search"
OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "fallback"
UNHELPFUL = "unhelpful"
OTHER = "other"

OUTCOMES: Dict[str, str] = {
    # Answered from the sheet: the written answers and the date-aware AMI answers.
    "utter_faq/*": ANSWERED,
    "action_answer_ami": ANSWERED,
    # A follow-up (« le lien ? ») about the topic last answered, or « the sheet does
    # not give it » (actions/follow_ups.py); its AMI answers are composed, unnamed.
    "action_answer_follow_up": ANSWERED,
    "utter_no_*": ANSWERED,
    # A passage of the sheet found by the sheet search.
    "utter_sheet_passage": SHEET_SEARCH,
    "utter_out_of_scope": OUT_OF_SCOPE,
    # Another language: the firm sees these questions in the unanswered list.
    "utter_other_language": OUT_OF_SCOPE,
    # Not understood: Rasa's two-stage fallback and core fallback, and the project's.
    "action_two_stage_fallback": FALLBACK,
    "action_default_ask_affirmation": FALLBACK,
    "action_default_fallback": FALLBACK,
    "action_fallback": FALLBACK,
    "utter_ask_rephrase": FALLBACK,
    "utter_default": FALLBACK,
    "utter_ask_which_topic": FALLBACK,
    "utter_ask_which_topic_unknown": FALLBACK,
    "utter_fallback_*": FALLBACK,
    # The visitor said the previous answer did not help (data/rules/feedback.yml).
    "utter_not_helpful": UNHELPFUL,
}

PRIORITY = (UNHELPFUL, ANSWERED, SHEET_SEARCH, OUT_OF_SCOPE, FALLBACK, OTHER)
# Outcomes whose question goes to the unanswered list.
UNANSWERED = (FALLBACK, OUT_OF_SCOPE, SHEET_SEARCH)

OUTCOME_LABELS: Dict[str, str] = {
    ANSWERED: "Réponse de la fiche",
    SHEET_SEARCH: "Extrait trouvé par la recherche",
    OUT_OF_SCOPE: "Hors sujet",
    FALLBACK: "Incompris",
    UNHELPFUL: "«\u202fÇa ne m'aide pas\u202f»",
    OTHER: "Autres messages (salutations, formulaire, boutons…)",
}

# Rasa's input channel names; the shell posts through REST under its own name.
CHANNEL_LABELS: Dict[str, str] = {
    "socketio": "Widget web",
    "telegram": "Telegram",
    "rest": "Terminal ou REST",
    "cmdline": "Terminal ou REST",
}
UNKNOWN_CHANNEL = "Autre canal"

# The funnel's first steps: the actions of the contact form (actions/lead_handoff.py).
CONSENT_SHOWN = "action_ask_consent"
CONSENT_ACCEPTED = "action_accept_consent"
FORM_COMPLETED = "action_show_lead_summary"
FUNNEL_ACTIONS = (CONSENT_SHOWN, CONSENT_ACCEPTED, FORM_COMPLETED)
# Messages typed while this form runs are personal data, never listed as questions.
LEAD_FORM = "lead_form"


@lru_cache(maxsize=4096)
def outcome_of(name: Optional[str]) -> Optional[str]:
    """The outcome a response or action name stands for, or ``None`` if it says nothing."""
    if not name:
        return None
    if name in OUTCOMES:
        return OUTCOMES[name]
    for pattern, outcome in OUTCOMES.items():
        if pattern.endswith("*") and name.startswith(pattern[:-1]):
            return outcome
    return None


def first_by_priority(a: str, b: str) -> str:
    """The outcome of the two that ``PRIORITY`` puts first."""
    return a if PRIORITY.index(a) <= PRIORITY.index(b) else b


def channel_label(channel: Optional[str]) -> str:
    """The French name of a Rasa input channel."""
    return CHANNEL_LABELS.get(channel or "", UNKNOWN_CHANNEL)


def topic_label(topic: str) -> str:
    """The topic's button title (actions/topics.py), else its key or outcome label."""
    if topic in TOPICS:
        return TOPICS[topic].title
    return OUTCOME_LABELS.get(topic, topic)
