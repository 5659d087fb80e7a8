"""Consent before the form, then the summary, corrections, and the hand-off.

The consent notice is built from the environment (privacy URL, retention); the
submission commits the lead to the store (``actions.leads``) before any delivery
is tried, so a destination that is down never loses a lead nor shows an error.
"""

import asyncio
import logging
import os
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Dict, Iterator, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.lead_form import CHOICES, FIELDS, LEAD_SLOTS, normalise
from actions.leads.limits import lead_limit_reached
from actions.leads.outbox import start_background_retry, submit
from actions.leads.store import Lead, LeadInput, LeadStore

logger = logging.getLogger(__name__)

CONSENT_VERSION = "2026-11-26"
# The firm's site, the only address of the firm that the resource sheet gives.
SITE_URL = "https://fr-consultants.com/"
MAX_SUBMISSIONS_PER_HOUR = 3
CONTEXT_MESSAGES = 5
# Words that point to a field when the visitor types a correction ("mon e-mail est faux").
FIELD_WORDS = {
    "lead_email": ("mail", "courriel", "adresse"),
    "lead_phone": ("telephone", "tel", "portable", "numero"),
    "lead_organisation_type": ("type",),
    "lead_organisation": ("organisation", "structure", "entreprise", "association"),
    "lead_territory": ("territoire", "commune", "departement", "ville"),
    "lead_need": ("besoin",),
    "lead_message": ("message",),
    "lead_name": ("nom", "prenom"),
}


def env(name: str, default: str) -> str:
    """A setting from the environment, with its default when unset or empty."""
    return os.environ.get(name) or default


def contact_url() -> str:
    """The page where a visitor reaches the firm without the assistant."""
    return env("LEADS_CONTACT_URL", SITE_URL)


def forget_lead() -> List[Dict[Text, Any]]:
    """Events that end any form run and empty every answer and the consent."""
    return [ActiveLoop(None), SlotSet("requested_slot", None)] + [
        SlotSet(slot, None) for slot in LEAD_SLOTS
    ]


class ActionAskConsent(Action):
    """The RGPD notice, before any personal data is asked."""

    def name(self) -> Text:
        return "action_ask_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        privacy = os.environ.get("LEADS_PRIVACY_URL")
        dispatcher.utter_message(
            response="utter_ask_consent" if privacy else "utter_ask_consent_without_policy",
            retention=env("LEADS_RETENTION_MONTHS", "36"),
            privacy_url=privacy,
            contact_url=contact_url(),
        )
        return []


class ActionAcceptConsent(Action):
    """Records when the visitor consented; the rules then start the form."""

    def name(self) -> Text:
        return "action_accept_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_consent_accepted")
        return [SlotSet("lead_consent_at", datetime.now(timezone.utc).isoformat())]


class ActionRefuseConsent(Action):
    """No consent: nothing is asked or stored, the site's contact page is given instead."""

    def name(self) -> Text:
        return "action_refuse_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(response="utter_consent_refused", contact_url=contact_url())
        return forget_lead()


def summary_lines(tracker: Tracker) -> List[str]:
    """The fields as the visitor will confirm them."""
    lines = []
    for slot, label in FIELDS.items():
        value = tracker.get_slot(slot)
        if slot in CHOICES:
            value = CHOICES[slot].get(value, value)
        lines.append(f"- {label}\u00a0: {value or 'non communiqué'}")
    return lines


class ActionShowLeadSummary(Action):
    """Shows what will be sent, with confirm, correct and cancel."""

    def name(self) -> Text:
        return "action_show_lead_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(
            response="utter_lead_summary", summary="\n".join(summary_lines(tracker))
        )
        return []


class ActionCorrectLead(Action):
    """Empties the field to correct, so the form asks it again (see the rules).

    The field comes from the button's entity or from the words typed ("mon
    e-mail est faux"); when neither names one, the fields are offered as buttons
    and the bot waits instead of letting the form run.
    """

    def name(self) -> Text:
        return "action_correct_lead"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        field = next(tracker.get_latest_entity_values("lead_field"), None)
        if field not in FIELDS:
            typed = f" {normalise(tracker.latest_message.get('text') or '')} "
            field = next(
                (
                    slot
                    for slot, words in FIELD_WORDS.items()
                    if any(f" {word}" in typed for word in words)
                ),
                None,
            )
        if field is None:
            dispatcher.utter_message(
                response="utter_ask_field_to_correct",
                buttons=[
                    {"title": label, "payload": f'/lead_correct{{"lead_field":"{slot}"}}'}
                    for slot, label in FIELDS.items()
                ],
            )
            return [FollowupAction("action_listen")]
        return [SlotSet(field, None)]


class ActionCancelLead(Action):
    """Ends the form and forgets every answer: nothing is stored."""

    def name(self) -> Text:
        return "action_cancel_lead"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        in_progress = tracker.active_loop_name or tracker.get_slot("lead_consent_at")
        dispatcher.utter_message(
            response="utter_lead_cancelled" if in_progress else "utter_nothing_to_cancel"
        )
        return forget_lead()


@lru_cache(maxsize=1)
def lead_store() -> LeadStore:
    """One store (one connection pool) per action-server process."""
    return LeadStore()


def user_events_before_consent(tracker: Tracker) -> Iterator[Dict[str, Any]]:
    """The visitor's messages before they consented, latest first (never the form's answers)."""
    consented = False
    for event in reversed(tracker.events):
        if (
            event.get("event") == "slot"
            and event.get("name") == "lead_consent_at"
            and event.get("value")
        ):
            consented = True
        elif consented and event.get("event") == "user":
            yield event


def reading_topic(tracker: Tracker) -> Optional[str]:
    """The sheet topic of the visitor's last question before the form."""
    for event in user_events_before_consent(tracker):
        parse = event.get("parse_data") or {}
        intent = (parse.get("intent") or {}).get("name")
        if intent == "faq":
            response = (parse.get("response_selector") or {}).get("faq", {}).get("response", {})
            return response.get("intent_response_key") or intent
        if intent and intent.startswith("ami_"):
            return intent
    return None


def recent_messages(tracker: Tracker) -> List[Dict[str, str]]:
    """The visitor's last typed messages before consent, oldest first."""
    typed = (event.get("text") or "" for event in user_events_before_consent(tracker))
    messages = [text for text in typed if not text.startswith("/")][:CONTEXT_MESSAGES]
    return [{"sender": "user", "text": text} for text in reversed(messages)]


def lead_from(tracker: Tracker) -> LeadInput:
    """The lead the slots describe."""
    slot = tracker.get_slot
    return LeadInput(
        conversation_id=tracker.sender_id,
        channel=tracker.get_latest_input_channel() or "inconnu",
        name=slot("lead_name"),
        email=slot("lead_email"),
        phone=slot("lead_phone") or None,
        organisation=slot("lead_organisation"),
        organisation_type=slot("lead_organisation_type"),
        territory=slot("lead_territory"),
        need=slot("lead_need"),
        message=slot("lead_message"),
        consent_at=datetime.fromisoformat(slot("lead_consent_at")),
        consent_version=CONSENT_VERSION,
        topic=reading_topic(tracker),
        context=recent_messages(tracker),
    )


def followup(domain: Dict[Text, Any], lead: Lead) -> str:
    """What happens next: the firm's own text, or how a consultant will get back.

    It is one sentence inside ``utter_lead_submitted``, so it is read from the
    domain rather than sent as a message of its own.
    """
    configured = os.environ.get("LEADS_FOLLOWUP_TEXT")
    if configured:
        return configured
    name = "utter_lead_followup_phone" if lead.phone else "utter_lead_followup_email"
    return domain["responses"][name][0]["text"]


class ActionSubmitLead(Action):
    """Stores the lead (committed before any delivery) and gives its reference."""

    def name(self) -> Text:
        return "action_submit_lead"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        if not tracker.get_slot("lead_consent_at") or any(
            tracker.get_slot(slot) is None for slot in FIELDS
        ):
            dispatcher.utter_message(response="utter_no_lead_in_progress")
            return []
        since = datetime.now(timezone.utc) - timedelta(hours=1)
        try:
            store = await asyncio.to_thread(lead_store)
            if (
                await asyncio.to_thread(store.count_since, tracker.sender_id, since)
                >= MAX_SUBMISSIONS_PER_HOUR
            ):
                dispatcher.utter_message(response="utter_lead_limit_reached")
                return forget_lead()
            if await asyncio.to_thread(lead_limit_reached, tracker):  # per visitor, overall
                dispatcher.utter_message(response="utter_leads_busy", contact_url=contact_url())
                return forget_lead()
            lead = await submit(store, lead_from(tracker))
        except Exception:  # noqa: BLE001 - the visitor must get an answer and keep their answers.
            logger.exception("Lead could not be stored")
            dispatcher.utter_message(response="utter_lead_not_stored")
            return [FollowupAction("action_show_lead_summary")]
        start_background_retry(lead_store)
        dispatcher.utter_message(
            response="utter_lead_submitted",
            reference=lead.reference,
            followup=followup(domain, lead),
        )
        return forget_lead()


class ActionDeleteMyData(Action):
    """Deletes every lead of this conversation and any form in progress."""

    def name(self) -> Text:
        return "action_delete_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        try:
            store = await asyncio.to_thread(lead_store)
            deleted = await asyncio.to_thread(store.delete_conversation, tracker.sender_id)
        except Exception:  # noqa: BLE001 - say it failed rather than pretend.
            logger.exception("Leads of a conversation could not be deleted")
            dispatcher.utter_message(response="utter_delete_failed", contact_url=contact_url())
            return []
        if deleted:
            dispatcher.utter_message(response="utter_data_deleted", count=deleted)
        else:
            dispatcher.utter_message(response="utter_no_data_to_delete")
        return forget_lead()
