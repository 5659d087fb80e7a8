"""« Supprimez mes données »: in the conversation that made the lead, or from a later visit.

In the conversation that left leads, they are deleted straight away. In any other
conversation the visitor proves the request is theirs with its reference and the
e-mail they gave (``erasure_form``); a mismatch is told in the same words whatever
did not match, so nobody learns whether an address is known, and after
``MAX_ATTEMPTS`` (a reference of the wrong form counts as one) the bot gives the
firm's contact page instead.

The actions do not erase conversations: they set ``erased_addresses``, and the
tracker store erases this conversation and every one in which those addresses
were typed when Rasa saves the turn (``stores/tracker_store.py``, same slot name).
"""

import asyncio
import re
from typing import Any, Callable, Dict, List, Text, TypeVar

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.consent_replies import CONSENT_DATA, answers_the_notice, asks_about_data
from actions.lead_form import free_text, normalise, reject
from actions.lead_handoff import contact_url, forget_lead, lead_store
from actions.leads.store import LeadStore, canonical_reference
from actions.leads.validation import InvalidField, find_email, validate_email
from actions.safety import guarded, log_failure

ERASURE_SLOT = "erased_addresses"
FORM_SLOTS = ["erasure_reference", "erasure_email"]
# True: the rules (data/rules/leads.yml) run erasure_form next.
ASK_SLOT = "erasure_needs_reference"
MAX_ATTEMPTS = 3
# The words of a request to erase, as opposed to a question on what would be kept.
ERASE = re.compile(r" (supprim\w*|effac\w*|retir\w*|oubli\w*|detrui\w*) ")
T = TypeVar("T")


def attempts(tracker: Tracker) -> int:
    """How many reference and e-mail pairs this conversation has tried."""
    return int(tracker.get_slot("erasure_attempts") or 0)


def ask_reference() -> List[Dict[Text, Any]]:
    """End any form run, empty the erasure form's answers, and have the rules run it."""
    return [
        ActiveLoop(None),
        *(SlotSet(slot, None) for slot in FORM_SLOTS),
        SlotSet(ASK_SLOT, True),
    ]


def erase_conversations(addresses: List[str]) -> List[Dict[Text, Any]]:
    """Erase this conversation, and those in which ``addresses`` were typed, when Rasa saves it."""
    return [SlotSet(ERASURE_SLOT, addresses), SlotSet(ASK_SLOT, None)]


async def in_store(call: Callable[[LeadStore], T]) -> T:
    """``call`` on the actions' lead store, in a worker thread (the database blocks)."""
    store = await asyncio.to_thread(lead_store)
    return await asyncio.to_thread(call, store)


def asks_what_is_kept(tracker: Tracker) -> bool:
    """Whether the visitor, at the consent notice, asks what would be kept, not to erase."""
    text = tracker.latest_message.get("text") or ""
    typed = f" {normalise(text)} "
    return answers_the_notice(tracker) and asks_about_data(text) and not ERASE.search(typed)


def fail(dispatcher: CollectingDispatcher, error: Exception) -> List[Dict[Text, Any]]:
    """Say the erasure failed, and log only the kind of error (its text may hold an address)."""
    log_failure("Leads could not be deleted", error)
    dispatcher.utter_message(response="utter_delete_failed", contact_url=contact_url())
    return [SlotSet(ASK_SLOT, None)]


@guarded
class ActionDeleteMyData(Action):
    """Deletes this conversation's leads, or asks for a reference when it left none.

    At the consent notice, nothing is stored yet: a question on what would be kept,
    which the NLU may take for this intent, gets the notice's answer instead.
    """

    def name(self) -> Text:
        return "action_delete_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        if asks_what_is_kept(tracker):
            # « vous gardez quelles infos sur moi ? » at the notice, taken for an erasure:
            # nothing is kept yet, and the notice's question follows the answer.
            dispatcher.utter_message(response=CONSENT_DATA)
            return [SlotSet(ASK_SLOT, None)]
        try:
            emails = await in_store(lambda store: store.delete_conversation(tracker.sender_id))
        except Exception as error:  # noqa: BLE001 - say it failed rather than pretend.
            return fail(dispatcher, error)
        if emails:
            dispatcher.utter_message(response="utter_data_deleted", count=len(emails))
            return forget_lead() + erase_conversations(emails)
        if tracker.get_slot("lead_consent_at"):
            dispatcher.utter_message(response="utter_no_data_to_delete")
            return forget_lead() + erase_conversations([])
        if attempts(tracker) >= MAX_ATTEMPTS:
            dispatcher.utter_message(response="utter_erasure_refused", contact_url=contact_url())
            return [SlotSet(ASK_SLOT, None)]
        dispatcher.utter_message(response="utter_erasure_needs_reference")
        return ask_reference()


@guarded
class ValidateErasureForm(FormValidationAction):
    """Takes the reference and the e-mail typed while the erasure form asks for them."""

    def name(self) -> Text:
        return "validate_erasure_form"

    extract_erasure_reference = free_text("erasure_reference")
    extract_erasure_email = free_text("erasure_email")

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict,
    ) -> List[Text]:
        # After ``MAX_ATTEMPTS`` the form asks nothing more: it ends, and the check
        # that follows (``action_erase_by_reference``) gives the firm's contact page.
        return [] if attempts(tracker) >= MAX_ATTEMPTS else domain_slots

    async def validate_erasure_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> Dict[Text, Any]:
        if value is None:  # emptied to be asked (again): nothing was typed yet
            return {"erasure_reference": None}
        reference = canonical_reference(str(value))
        try:
            # In a sentence (« et mon mail nadia@… »), or typed alone.
            email = validate_email(find_email(str(value)) or str(value))
        except InvalidField:
            email = None
        if reference is None and email and not tracker.get_slot("erasure_email"):
            # The e-mail typed first (« jean@… ») is kept; the reference is asked again.
            dispatcher.utter_message(response="utter_erasure_email_first")
            return {"erasure_reference": None, "erasure_email": email}
        if reference is None:
            # An ill-formed reference is an attempt like a wrong one: a visitor who
            # does not have it is not asked for it at every message (« PTCE-4821 »,
            # then « donc vous n'avez plus rien sur moi ? »).
            dispatcher.utter_message(response="utter_invalid_reference")
            return {"erasure_reference": None, "erasure_attempts": attempts(tracker) + 1}
        # « La référence c'est PTCE-…, et mon mail nadia@… »: both at once.
        return {"erasure_reference": reference, **({"erasure_email": email} if email else {})}

    async def validate_erasure_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> Dict[Text, Any]:
        if value is None:  # emptied to be asked (again): nothing was typed yet
            return {"erasure_email": None}
        try:
            return {"erasure_email": validate_email(value)}
        except InvalidField as error:
            return reject(dispatcher, "erasure_email", error)


@guarded
class ActionEraseByReference(Action):
    """Deletes the lead whose reference and e-mail both match. A mismatch ends the form
    with a button to try again (a few times): a visitor who moves on to a question is
    not asked for a reference at every message."""

    def name(self) -> Text:
        return "action_erase_by_reference"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        # Validated by the form; read again, as a replayed or crafted tracker may hold anything.
        reference = canonical_reference(str(tracker.get_slot("erasure_reference") or ""))
        email = str(tracker.get_slot("erasure_email") or "")
        try:
            deleted = bool(reference and email) and await in_store(
                lambda store: store.delete_reference(reference, email)
            )
        except Exception as error:  # noqa: BLE001 - say it failed rather than pretend.
            return fail(dispatcher, error)
        forget = [SlotSet(slot, None) for slot in FORM_SLOTS]
        if deleted:
            dispatcher.utter_message(
                response="utter_data_deleted_by_reference", reference=reference
            )
            return forget + erase_conversations([email])
        tried = attempts(tracker) + 1
        if tried >= MAX_ATTEMPTS:
            dispatcher.utter_message(response="utter_erasure_refused", contact_url=contact_url())
            return forget + [SlotSet("erasure_attempts", tried), SlotSet(ASK_SLOT, None)]
        dispatcher.utter_message(response="utter_erasure_mismatch")
        return forget + [SlotSet("erasure_attempts", tried), SlotSet(ASK_SLOT, None)]
