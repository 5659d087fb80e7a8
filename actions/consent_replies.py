"""Replies to the consent notice told by their words: a yes, a no, or details given too early.

The NLU decides most replies (``affirm``, ``deny``). These checks cover the ones it
is unsure of, or takes for something else:

- a yes or a no in so many words: « ok » got ``affirm`` at 0.51, under the
  fallback threshold; « non laisse tomber » was unsure too. A yes in words also
  confirms the summary of the contact form (« c bon », « ok valide »);
- personal details typed at once, before consent: a name (« Bérangère
  Lefèvre-Quintal » got the Nouveau-Brunswick partnership, ResponseSelector 0.57),
  an e-mail address or a phone number. The visitor is then asked for the answer
  to the notice, and nothing typed is kept.
"""

import re

from rasa_sdk import Tracker

from actions.lead_form import normalise
from actions.responses import last_utterance

# The consent notice (with or without a privacy page), and its short reminder.
CONSENT_NOTICES = ("utter_ask_consent", "utter_ask_consent_without_policy")
CONSENT_NEEDED = "utter_consent_needed"
CONSENT_DATA = "utter_consent_data"
CONSENT_QUESTIONS = (*CONSENT_NOTICES, CONSENT_NEEDED, CONSENT_DATA)
CONFIRMATION = re.compile(
    r" (oui|ouais|ouai|ok|okay|oki|d accord|dac|j accepte|ca marche|c bon|c est bon|valide"
    r"|validee?|confirme|confirmee?|parfait|nickel|envoie[zr]?|go|yes) "
)
# « ok mais pourquoi ? » or « c pas bon » is no yes.
RESERVATION = re.compile(r" (non|pas|ne|n|mais|attend\w*) ")
REFUSAL = re.compile(
    r"^ (non|nan|nope|no|pas maintenant|plus tard|laisse[zr]? tomber|je refuse|sans fa[cç]on) "
)
# Two to four capitalised words of letters (« Bérangère Lefèvre-Quintal »), an
# e-mail address, or a phone number (six digits or more, and little else).
WORD = r"[A-ZÀ-Þ](?:[^\W\d_]|['’-])*"
NAME = re.compile(rf"^\s*{WORD}(?:\s+{WORD}){{1,3}}\s*$")
EMAIL = re.compile(r"\S+@\S+\.\w+")
# A question on what would be kept (« vous stockez quoi exactement comme données ? »).
ABOUT_DATA = re.compile(r" (donnees|stock\w*|conserv\w*|gard\w*|enregistr\w*|rgpd|infos?) ")


def confirms(text: str) -> bool:
    """Whether ``text`` says yes in so many words, with no « non », « pas » or « mais »."""
    typed = f" {normalise(text)} "
    return bool(CONFIRMATION.search(typed)) and not RESERVATION.search(typed)


def declines(text: str) -> bool:
    """Whether ``text`` says no in so many words (« non laisse tomber », « non merci »)."""
    return bool(REFUSAL.search(f" {normalise(text)} "))


def asks_about_data(text: str) -> bool:
    """Whether ``text`` asks what the form would keep of the visitor."""
    return bool(ABOUT_DATA.search(f" {normalise(text)} "))


def gives_details(text: str) -> bool:
    """Whether ``text`` is a name, an e-mail address or a phone number, typed as an answer."""
    digits = sum(char.isdigit() for char in text)
    phone = digits >= 6 and digits >= len(re.sub(r"[\s.+()-]", "", text)) - 2
    return bool(NAME.match(text) or EMAIL.search(text) or phone)


def answers_the_notice(tracker: Tracker) -> bool:
    """Whether the visitor's latest message replies to a consent question."""
    return last_utterance(tracker) in CONSENT_QUESTIONS
