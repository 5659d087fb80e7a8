"""Consent before the form, then the summary, corrections, and the hand-off.

Erasure (« supprimez mes données ») is in ``actions.erasure``.

The consent notice is built from the environment (privacy URL, retention); the
submission commits the lead to the store (``actions.leads``) before any delivery
is tried, so a destination that is down never loses a lead nor shows an error.
"""

import asyncio
import os
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Dict, Iterator, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.consent_replies import (
    CONSENT_DATA,
    CONSENT_NEEDED,
    CONSENT_NOTICES,
    answers_the_notice,
    asks_about_data,
    confirms,
    declines,
    gives_details,
)
from actions.contact_wish import PRICES, asks_for_price
from actions.lead_form import CHOICES, CORRECTABLE, FIELDS, LEAD_SLOTS, corrections, normalise
from actions.leads.limits import lead_limit_reached
from actions.leads.outbox import start_background_retry, submit
from actions.leads.store import Lead, LeadInput, LeadStore
from actions.leads.validation import display_phone
from actions.responses import last_utterance, listen_if
from actions.safety import guarded, log_failure
from components.french import word_count

CONSENT_VERSION = "2026-11-26"
# The firm's site, the only address of the firm that the resource sheet gives.
SITE_URL = "https://fr-consultants.com/"
# The intents of a reply to the consent notice that is neither yes nor no.
UNCLEAR = ("nlu_fallback", "out_of_scope")
# What answers an unclear message that leaves the consent notice unanswered: one
# longer than a short reply (« bof », « ok mais pourquoi ? »).
MOVED_ON = {"out_of_scope": "action_answer_out_of_scope", "nlu_fallback": "action_fallback"}
SHORT_REPLY_WORDS = 3
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
# The new value typed after the field's name: « l'organisation c'est Petit Bâtiment
# SAS, pas SARL », « nom : Jeanne Martin ». What follows « , pas » or « au lieu de »
# is the old value.
NEW_VALUE = re.compile(r"^\w*\s*(?:c'est|c|est|:|=)\s+(?P<value>.+)$", re.IGNORECASE)
OLD_VALUE = re.compile(r"(?:,\s*(?:pas|non|et non)\b|\bet non\b|\bau lieu d).*$", re.IGNORECASE)
# « Le nom est faux » says what is wrong, not the new value.
VERDICTS = frozenset(
    "faux fausse errone erronee incorrect incorrecte mauvais mauvaise pas mal inexact a".split()
)


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


def accept_consent(dispatcher: CollectingDispatcher) -> List[Dict[Text, Any]]:
    """Thank the visitor and record when they consented (UTC)."""
    dispatcher.utter_message(response="utter_consent_accepted")
    return [SlotSet("lead_consent_at", datetime.now(timezone.utc).isoformat())]


def refuse_consent(dispatcher: CollectingDispatcher) -> List[Dict[Text, Any]]:
    """Give the site's contact page, and keep nothing."""
    dispatcher.utter_message(response="utter_consent_refused", contact_url=contact_url())
    return forget_lead()


@guarded
class ActionAskConsent(Action):
    """The RGPD notice, before any personal data is asked.

    A reply right after it that the NLU was unsure of, or that gives details
    before consent, is a no or a yes when it says so in so many words (« non
    laisse tomber », « ok »; ``actions/consent_replies.py``): refused, or recorded
    and the form started, as ``action_refuse_consent`` and ``action_accept_consent``
    do after a clear one. Details typed at once (a name, « Amandine Roux ») or a
    short reply (« ok mais pourquoi ? ») get only the notice's question, in a few
    words (data/rules/leads.yml): the notice is just above, and nothing typed
    before consent is kept; a second one gets the whole notice, so that no text
    comes twice in a row. A longer unclear message means the visitor moved on
    (« donne-moi la recette du bœuf bourguignon »): the notice is left unanswered
    and the message answered as anywhere else, by the out-of-scope reply or the
    fallback, rather than asked for consent until the visitor gives in.
    """

    def name(self) -> Text:
        return "action_ask_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = tracker.latest_message.get("text") or ""
        details = gives_details(text)
        if (intent in UNCLEAR or details) and answers_the_notice(tracker):
            if declines(text):
                return refuse_consent(dispatcher)
            if confirms(text):
                return accept_consent(dispatcher) + [FollowupAction("lead_form")]
            if asks_about_data(text):
                dispatcher.utter_message(response=CONSENT_DATA)
                return []
            if asks_for_price(text, about_the_firms_work=True):
                # « Et le tarif ? » at the notice: the honest answer, then its question.
                dispatcher.utter_message(response=f"utter_{PRICES}")
                dispatcher.utter_message(response=CONSENT_NEEDED)
                return []
            if not details and word_count(text) > SHORT_REPLY_WORDS:
                return [FollowupAction(MOVED_ON[intent])]
            if last_utterance(tracker) in CONSENT_NOTICES:
                dispatcher.utter_message(response=CONSENT_NEEDED)
                return []
        privacy = os.environ.get("LEADS_PRIVACY_URL")
        dispatcher.utter_message(
            response="utter_ask_consent" if privacy else "utter_ask_consent_without_policy",
            retention=env("LEADS_RETENTION_MONTHS", "36"),
            privacy_url=privacy,
            contact_url=contact_url(),
        )
        return []


@guarded
class ActionAcceptConsent(Action):
    """Records when the visitor consented; the rules then start the form."""

    def name(self) -> Text:
        return "action_accept_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        return accept_consent(dispatcher)


@guarded
class ActionRefuseConsent(Action):
    """No consent: nothing is asked or stored, the site's contact page is given instead."""

    def name(self) -> Text:
        return "action_refuse_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        return refuse_consent(dispatcher)


def summary_lines(tracker: Tracker) -> List[str]:
    """The fields as the visitor will confirm them."""
    lines = []
    for slot, label in FIELDS.items():
        value = tracker.get_slot(slot)
        if slot in CHOICES:
            value = CHOICES[slot].get(value, value)
        if slot == "lead_phone" and value:
            value = display_phone(value)
        lines.append(f"- {label}\u00a0: {value or 'non communiqué'}")
    return lines


@guarded
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


def typed_corrections(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """The e-mail or phone number typed in the latest message, set in place of the old
    one and announced, or nothing when the message holds neither."""
    corrected = corrections("", tracker.latest_message.get("text") or "", tracker)
    for field in corrected:
        dispatcher.utter_message(response="utter_lead_field_corrected", field=FIELDS[field])
    return [SlotSet(field, value) for field, value in corrected.items()]


def fold(text: str) -> str:
    """``text`` in lower case without accents, each character in its place."""
    return "".join(unicodedata.normalize("NFKD", char.lower())[0] for char in text)


def named_value(field: str, text: str) -> Optional[str]:
    """The new value of ``field`` typed after its name, if the message gives one.

    The form validates it as it validates any answer (it runs next, see the rules):
    the summary shows it, or the form gives the reason and asks the field again.
    """
    if field in CORRECTABLE:  # an e-mail or a phone number is found by its shape instead
        return None
    text = text.replace("’", "'")
    for word in FIELD_WORDS[field]:
        found = re.search(rf"\b{word}", fold(text))
        typed = found and NEW_VALUE.match(text[found.end() :].strip())
        if typed:
            value = OLD_VALUE.sub("", typed.group("value")).strip(" .!")
            return None if not value or fold(value).split()[0] in VERDICTS else value
    return None


@guarded
class ActionCorrectLead(Action):
    """Empties the field to correct, or sets the value typed with it (see the rules).

    A new e-mail or phone number typed with the correction (« non, le mail c'est
    … ») replaces the old one at once, and the form shows the summary again.
    Otherwise the field comes from the button's entity or from the words typed ("mon
    e-mail est faux"), with its new value when one follows its name (« l'organisation
    c'est … »), which the form then validates like any answer. When a correction
    request names no field (or the entity is not a field name, e.g. a crafted
    ``{"lead_field": {"x": 1}}``), the fields are offered as buttons and the bot waits
    instead of letting the form run; a message that was no correction request at all
    (the NLU unsure, or finding it out of scope) gets the summary and its question
    again. Without consent in this form run (a lead already sent) nothing is asked:
    personal data only after consent.
    """

    def name(self) -> Text:
        return "action_correct_lead"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        if not tracker.get_slot("lead_consent_at"):
            dispatcher.utter_message(response="utter_nothing_to_correct")
            return []
        corrected = typed_corrections(dispatcher, tracker)
        if corrected:
            return corrected
        field = next(tracker.get_latest_entity_values("lead_field"), None)
        if not isinstance(field, str) or field not in FIELDS:
            typed = f" {normalise(tracker.latest_message.get('text') or '')} "
            field = next(
                (
                    slot
                    for slot, words in FIELD_WORDS.items()
                    if any(f" {word}" in typed for word in words)
                ),
                None,
            )
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if field is None and intent != "lead_correct":
            if confirms(tracker.latest_message.get("text") or ""):
                # « c bon », « ok valide » with the NLU unsure: the visitor confirms.
                return [FollowupAction("action_submit_lead")]
            # An unclear reply at the summary that names no field: the summary and its
            # question again, not a list of fields.
            return [FollowupAction("action_show_lead_summary")]
        if field is None:
            dispatcher.utter_message(
                response="utter_ask_field_to_correct",
                buttons=[
                    {"title": label, "payload": f'/lead_correct{{"lead_field":"{slot}"}}'}
                    for slot, label in FIELDS.items()
                ],
            )
            return [FollowupAction("action_listen")]
        # The form validates a typed value next: the summary again, or the reason.
        return [SlotSet(field, named_value(field, tracker.latest_message.get("text") or ""))]


@guarded
class ActionAnswerSummaryNo(Action):
    """« Non » to « Je l'envoie au Cabinet ? »: the request is cancelled, unless the
    message carries a new e-mail or phone number (« non attends, le mail c'est … »),
    which then replaces the old one, and the summary is shown again."""

    def name(self) -> Text:
        return "action_answer_summary_no"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        corrected = typed_corrections(dispatcher, tracker)
        if corrected:
            return corrected + [FollowupAction("lead_form")]
        dispatcher.utter_message(response="utter_lead_cancelled")
        return forget_lead()


@guarded
class ActionCancelLead(Action):
    """Ends the form and forgets every answer: nothing is stored."""

    def name(self) -> Text:
        return "action_cancel_lead"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        if tracker.active_loop_name or tracker.get_slot("lead_consent_at"):
            dispatcher.utter_message(response="utter_lead_cancelled")
        else:
            dispatcher.utter_message(response="utter_nothing_to_cancel", contact_url=contact_url())
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


def submitted_here(tracker: Tracker) -> bool:
    """Whether a request was sent to the consultants in this conversation."""
    return any(
        (event.get("metadata") or {}).get("utter_action") == "utter_lead_submitted"
        for event in tracker.events or []
        if event.get("event") == "bot"
    )


@guarded
class ActionAnswerContactDelay(Action):
    """« On me rappelle quand ? »: the request is with the firm, or the contact is offered.

    The sheet gives no delay, and the bot promises none beyond the confirmation's own
    « dans les meilleurs délais ».
    """

    def name(self) -> Text:
        return "action_answer_contact_delay"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        if submitted_here(tracker):
            dispatcher.utter_message(response="utter_contact_delay_after_lead")
        else:
            dispatcher.utter_message(response="utter_contact_delay_no_lead")
        return []


@guarded
class ActionSubmitLead(Action):
    """Stores the lead (committed before any delivery) and gives its reference."""

    def name(self) -> Text:
        return "action_submit_lead"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> List[Dict[Text, Any]]:
        # « c bon » at the summary, which the NLU was unsure of, is handed over by the
        # correction action: the rules know no next step after that one.
        events = await self._submit(dispatcher, tracker, domain)
        handed_over = (tracker.latest_message.get("intent") or {}).get("name") != "affirm"
        follows = any(event.get("event") == "followup" for event in events)
        return events + listen_if(handed_over and not follows)

    async def _submit(
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
        except Exception as error:  # noqa: BLE001 - the visitor must get an answer and keep their answers.
            log_failure("Lead could not be stored", error)
            dispatcher.utter_message(response="utter_lead_not_stored")
            return [FollowupAction("action_show_lead_summary")]
        start_background_retry(lead_store)
        dispatcher.utter_message(
            response="utter_lead_submitted",
            reference=lead.reference,
            followup=followup(domain, lead),
        )
        return forget_lead()
