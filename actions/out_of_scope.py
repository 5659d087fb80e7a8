"""A message the NLU finds out of scope, read in the light of the answer before it.

« Elle est toujours en poste ? » right after the report, which names the minister,
or « c'est toujours 56 aujourd'hui ? » after the count: the NLU finds no topic in
them, calls them out of scope or takes them for the AMI today (whose answer then
hands them here, being about no AMI), and the bot declined them (five turns of
the blind conversations). They ask whether what the sheet said still holds today,
which the sheet, written in 2021, cannot tell: « Notre fiche, rédigée en 2021, ne
dit pas si c'est encore le cas aujourd'hui », with the contact. Only a short
message with the words of today (``follow_ups.aspect_in_words``), after an answer,
is read so; it gets no fact of the sheet, so an out-of-scope question that
happens to hold those words (« et le smic, toujours à 11 € ? ») gets nothing
false. A plain request to be contacted that the NLU found out of scope (« c'est
encore moi, … je voudrais qu'on me rappelle ») gets the consent notice, as in the
fallback (``actions/contact_wish.py``), unless the notice was the bot's last
question: the notice hands a long unclear reply here. Anything else gets the
out-of-scope reply, sent by name as Rasa's rule sent it. Handed a message of
another intent (``FollowupAction``), it ends the turn.
"""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import CONSENT, OUT_OF_SCOPE, may_offer_contact
from actions.consent_replies import answers_the_notice
from actions.contact_wish import asks_for_contact
from actions.follow_ups import NOT_IN_SHEET, aspect_in_words
from actions.responses import listen_if
from actions.safety import guarded
from actions.topics import TOPIC_SLOT, buttons

CURRENT = "current"
OUT_OF_SCOPE_INTENT = "out_of_scope"
OUT_OF_SCOPE_REPLY = "utter_out_of_scope"


@guarded
class ActionAnswerOutOfScope(Action):
    """Declines a message the sheet does not cover, unless it asks to be contacted or
    whether an answer still holds."""

    def name(self) -> Text:
        return OUT_OF_SCOPE

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text = tracker.latest_message.get("text") or ""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if (
            may_offer_contact(tracker)
            and not answers_the_notice(tracker)
            and asks_for_contact(text)
        ):
            return [FollowupAction(CONSENT)]
        if tracker.get_slot(TOPIC_SLOT) and aspect_in_words(text) == CURRENT:
            dispatcher.utter_message(
                response=NOT_IN_SHEET[CURRENT], buttons=buttons("request_contact")
            )
        else:
            dispatcher.utter_message(response=OUT_OF_SCOPE_REPLY)
        return listen_if(intent != OUT_OF_SCOPE_INTENT)
