"""The contact form: consent first, then the fields, a summary, and the hand-off.

The conversation is driven by rules (data/rules/leads.yml); these actions hold
what rules cannot: the consent notice built from the environment, slot
extraction that tells an answer from a question asked mid-form, validation with
French reasons, the summary, and the submission to the lead store
(``actions.leads``), which commits the lead before any delivery is tried.
"""

import asyncio
import logging
import os
import re
import unicodedata
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Callable, Coroutine, Dict, Iterator, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.leads.outbox import start_background_retry, submit
from actions.leads.store import LeadInput, LeadStore
from actions.leads.validation import (
    NEEDS,
    ORGANISATION_TYPES,
    InvalidField,
    clean_text,
    validate_email,
    validate_phone,
)

logger = logging.getLogger(__name__)

CONSENT_VERSION = "2026-11-26"
MAX_SUBMISSIONS_PER_HOUR = 3
CONTEXT_MESSAGES = 5
# A message classified as one of these intents, this confidently, is a command or
# a question asked in the middle of the form, not an answer to the requested field.
COMMANDS = {"cancel", "delete_my_data"}
# A question must also look like one: "Commune de Vire" may be classified as a
# sheet topic, but it answers "Quel est le nom de votre organisation ?".
QUESTIONS = {"faq", "ami_presentation", "ami_calendrier", "ami_laureats", "help", "bot_challenge", "ask_why"}
QUESTION_WORDS = {
    "qu", "que", "quel", "quelle", "quels", "quelles", "quoi", "koi", "kel", "kelle", "comment",
    "pourquoi", "pk", "pq", "quand", "qd", "combien", "cb", "ou", "qui", "est", "c", "aide", "pouvez",
}
COMMAND_CONFIDENCE = 0.8
# Lower for questions, which must also look like one; below it, the NLU's own
# fallback threshold (config.yml) is near anyway.
QUESTION_CONFIDENCE = 0.5

FIELDS: Dict[str, str] = {
    "lead_name": "Nom",
    "lead_email": "E-mail",
    "lead_phone": "Téléphone",
    "lead_organisation": "Organisation",
    "lead_organisation_type": "Type d'organisation",
    "lead_territory": "Territoire",
    "lead_need": "Besoin",
    "lead_message": "Message",
}
LEAD_SLOTS = ["lead_consent_at", *FIELDS]
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
CHOICE_WORDS = {
    "lead_organisation_type": {
        "collectivite": ("collectivite", "mairie", "commune", "departement", "region", "agglo",
                         "metropole", "intercommunal", "epci", "communaute de communes"),
        "association": ("asso", "ess", "cooperative", "scop", "scic", "mutuelle", "fondation"),
        "entreprise": ("entreprise", "societe", "sarl", "sas", "pme", "tpe", "start"),
        "autre": ("autre",),
    },
    "lead_need": {
        "relancer_ptce": ("relancer", "relance", "redynamiser"),
        "creer_ptce": ("creer", "creation", "monter", "lancer"),
        "candidater_ami": ("ami", "appel", "candidat"),
        "offre_consolidation": ("consolid", "modele economique"),
        "offre_responsabilite_territoriale": ("responsabilite",),
        "offre_transition_ecologique": ("transition", "ecolog"),
        "offre_bien_etre": ("bien etre",),
        "autre": ("autre",),
    },
}
CHOICES = {"lead_organisation_type": ORGANISATION_TYPES, "lead_need": NEEDS}


def normalise(text: str) -> str:
    """Lower case, no accents, words separated by single spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(re.findall(r"[a-z0-9]+", text))


def match_choice(slot: str, text: str) -> Optional[str]:
    """The key of the option ``text`` names (its label, or a word of it), if any."""
    typed = normalise(text)
    for key, label in CHOICES[slot].items():
        if typed in (normalise(label), key.replace("_", " ")):
            return key
    padded = f" {typed} "
    for key, words in CHOICE_WORDS[slot].items():
        if any(f" {word}" in padded for word in words):
            return key
    return None


def looks_like_question(text: str) -> bool:
    """A question mark, or a first word that opens a question ("c'est quoi", "kel", "aide")."""
    words = normalise(text).split()
    return "?" in text or bool(words) and words[0] in QUESTION_WORDS


def is_interruption(message: Dict[str, Any]) -> bool:
    """True when the visitor asked something else, or gave a command, instead of answering."""
    intent = message.get("intent") or {}
    name, confidence = intent.get("name"), intent.get("confidence", 0)
    if name in COMMANDS:
        return confidence >= COMMAND_CONFIDENCE
    return name in QUESTIONS and confidence >= QUESTION_CONFIDENCE and looks_like_question(message.get("text") or "")


def looks_like_answer(slot: str, message: Dict[str, Any]) -> bool:
    """Answers whose shape is unmistakable are taken whatever the NLU says."""
    text = message.get("text") or ""
    intent = (message.get("intent") or {}).get("name")
    if slot == "lead_email":
        return "@" in text
    if slot == "lead_phone":
        return intent == "deny" or sum(char.isdigit() for char in text) >= 6
    if slot in CHOICES:
        return match_choice(slot, text) is not None
    return False


Extractor = Callable[..., Coroutine[Any, Any, Dict[Text, Any]]]


def free_text(slot: str) -> Extractor:
    """An ``extract_<slot>`` method: the visitor's text when ``slot`` is asked.

    Returning nothing lets the form reject its turn, so the rules answer the
    question that interrupted it, then the form asks the same field again.
    """

    async def extract(
        self: FormValidationAction, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict
    ) -> Dict[Text, Any]:
        message = tracker.latest_message
        if tracker.get_slot("requested_slot") != slot:
            return {}
        if is_interruption(message) and not looks_like_answer(slot, message):
            return {}
        return {slot: message.get("text") or ""}

    return extract


def reject(dispatcher: CollectingDispatcher, slot: str, error: InvalidField) -> Dict[Text, Any]:
    """Tell the visitor why, and leave the slot empty so the form asks again."""
    dispatcher.utter_message(text=error.reason)
    return {slot: None}


class ValidateLeadForm(FormValidationAction):
    """Extracts and validates each field of ``lead_form``."""

    def name(self) -> Text:
        return "validate_lead_form"

    extract_lead_name = free_text("lead_name")
    extract_lead_email = free_text("lead_email")
    extract_lead_phone = free_text("lead_phone")
    extract_lead_organisation = free_text("lead_organisation")
    extract_lead_organisation_type = free_text("lead_organisation_type")
    extract_lead_territory = free_text("lead_territory")
    extract_lead_need = free_text("lead_need")
    extract_lead_message = free_text("lead_message")

    async def _text(self, slot: str, field: str, value: Any, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
        try:
            return {slot: clean_text(value, field)}
        except InvalidField as error:
            return reject(dispatcher, slot, error)

    async def validate_lead_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> Dict[Text, Any]:
        return await self._text("lead_name", "name", value, dispatcher)

    async def validate_lead_organisation(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> Dict[Text, Any]:
        return await self._text("lead_organisation", "organisation", value, dispatcher)

    async def validate_lead_territory(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> Dict[Text, Any]:
        return await self._text("lead_territory", "territory", value, dispatcher)

    async def validate_lead_message(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> Dict[Text, Any]:
        return await self._text("lead_message", "message", value, dispatcher)

    async def validate_lead_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> Dict[Text, Any]:
        try:
            return {"lead_email": validate_email(value)}
        except InvalidField as error:
            return reject(dispatcher, "lead_email", error)

    async def validate_lead_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> Dict[Text, Any]:
        # An empty string records "no phone": the slot is filled, the form moves on
        # (and the form validates it again, unchanged, when it restarts for a correction).
        skipped = (tracker.latest_message.get("intent") or {}).get("name") == "deny"
        if value == "" or skipped or normalise(str(value)) in ("passer", "aucun", "non"):
            return {"lead_phone": ""}
        try:
            return {"lead_phone": validate_phone(value)}
        except InvalidField as error:
            return reject(dispatcher, "lead_phone", error)

    async def _choice(self, slot: str, value: Any, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
        key = match_choice(slot, str(value or ""))
        if key is None:
            dispatcher.utter_message(text="Je n'ai pas reconnu ce choix : merci de cliquer sur l'une des options.")
        return {slot: key}

    async def validate_lead_organisation_type(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> Dict[Text, Any]:
        return await self._choice("lead_organisation_type", value, dispatcher)

    async def validate_lead_need(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> Dict[Text, Any]:
        return await self._choice("lead_need", value, dispatcher)


class AskChoice(Action):
    """Asks for a field with one button per option (options from ``actions.leads``)."""

    slot = ""
    question = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict[Text, Any]]:
        buttons = [{"title": label, "payload": label} for label in CHOICES[self.slot].values()]
        dispatcher.utter_message(text=self.question, buttons=buttons)
        return []


class AskOrganisationType(AskChoice):
    slot = "lead_organisation_type"
    question = "De quel type d'organisation s'agit-il ?"


class AskNeed(AskChoice):
    slot = "lead_need"
    question = "Quel est votre besoin ?"


def env(name: str, default: str) -> str:
    """A setting from the environment, with its default when unset or empty."""
    return os.environ.get(name) or default


class ActionAskConsent(Action):
    """The RGPD notice, before any personal data is asked."""

    def name(self) -> Text:
        return "action_ask_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict[Text, Any]]:
        retention = env("LEADS_RETENTION_MONTHS", "36")
        privacy = env("LEADS_PRIVACY_URL", "https://fr-consultants.com/")
        dispatcher.utter_message(
            text=(
                "Avec plaisir, un consultant peut vous recontacter. Je vais vous demander votre nom, "
                "votre e-mail, votre téléphone (facultatif), votre organisation, votre territoire et "
                "votre besoin. Ces informations servent uniquement à traiter votre demande : elles sont "
                f"transmises au Cabinet Fr Consultants et conservées {retention} mois au plus. Vous pouvez "
                "les faire effacer à tout moment en écrivant « supprimez mes données ». "
                f"Politique de confidentialité : {privacy}\nAcceptez-vous ?"
            ),
            buttons=[{"title": "J'accepte", "payload": "/affirm"}, {"title": "Je refuse", "payload": "/deny"}],
        )
        return []


class ActionAcceptConsent(Action):
    """Records when the visitor consented; the rules then start the form."""

    def name(self) -> Text:
        return "action_accept_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text="Merci ! Vous pouvez écrire « annuler » à tout moment.")
        return [SlotSet("lead_consent_at", datetime.now(timezone.utc).isoformat())]


class ActionRefuseConsent(Action):
    """No consent: nothing is asked or stored, the site's contact page is given instead."""

    def name(self) -> Text:
        return "action_refuse_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict[Text, Any]]:
        contact = env("LEADS_CONTACT_URL", "https://fr-consultants.com/")
        dispatcher.utter_message(
            text=f"C'est noté, je ne vous demanderai aucune information. Vous pouvez contacter le Cabinet directement : {contact}"
        )
        return [SlotSet(slot, None) for slot in LEAD_SLOTS]


def summary_lines(tracker: Tracker) -> List[str]:
    """The fields as the visitor will confirm them."""
    lines = []
    for slot, label in FIELDS.items():
        value = tracker.get_slot(slot)
        if slot in CHOICES:
            value = CHOICES[slot].get(value, value)
        lines.append(f"- {label} : {value or 'non communiqué'}")
    return lines


class ActionShowLeadSummary(Action):
    """Shows what will be sent, with confirm, correct and cancel."""

    def name(self) -> Text:
        return "action_show_lead_summary"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(
            text="Voici votre demande :\n" + "\n".join(summary_lines(tracker)) + "\nJe l'envoie au Cabinet ?",
            buttons=[
                {"title": "Confirmer et envoyer", "payload": "/affirm"},
                {"title": "Corriger une information", "payload": "/lead_correct"},
                {"title": "Annuler", "payload": "/cancel"},
            ],
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

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict[Text, Any]]:
        field = next(tracker.get_latest_entity_values("lead_field"), None)
        if field not in FIELDS:
            typed = f" {normalise(tracker.latest_message.get('text') or '')} "
            field = next((slot for slot, words in FIELD_WORDS.items() if any(f" {word}" in typed for word in words)), None)
        if field is None:
            dispatcher.utter_message(
                text="Quelle information voulez-vous corriger ?",
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

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text="C'est annulé : aucune information n'a été enregistrée. Puis-je vous aider autrement ?")
        return [ActiveLoop(None), SlotSet("requested_slot", None)] + [SlotSet(slot, None) for slot in LEAD_SLOTS]


@lru_cache(maxsize=1)
def lead_store() -> LeadStore:
    """One store (one connection pool) per action-server process."""
    return LeadStore()


def user_events_before_consent(tracker: Tracker) -> Iterator[Dict[str, Any]]:
    """The visitor's messages before they consented, latest first (never the form's answers)."""
    consented = False
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == "lead_consent_at" and event.get("value"):
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


class ActionSubmitLead(Action):
    """Stores the lead (committed before any delivery) and gives its reference."""

    def name(self) -> Text:
        return "action_submit_lead"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict[Text, Any]]:
        if not tracker.get_slot("lead_consent_at") or any(tracker.get_slot(slot) is None for slot in FIELDS):
            dispatcher.utter_message(text="Aucune demande n'est en cours. Souhaitez-vous être recontacté ?",
                                     buttons=[{"title": "Être recontacté par un consultant", "payload": "/request_contact"}])
            return []
        since = datetime.now(timezone.utc) - timedelta(hours=1)
        try:
            store = await asyncio.to_thread(lead_store)
            if await asyncio.to_thread(store.count_since, tracker.sender_id, since) >= MAX_SUBMISSIONS_PER_HOUR:
                dispatcher.utter_message(text="Vous avez déjà envoyé plusieurs demandes dans l'heure : un consultant va les traiter. Merci de réessayer plus tard si besoin.")
                return [SlotSet(slot, None) for slot in LEAD_SLOTS]
            lead = await submit(store, lead_from(tracker))
        except Exception:  # noqa: BLE001 - the visitor must get an answer and keep their answers.
            logger.exception("Lead could not be stored")
            dispatcher.utter_message(text="Désolé, votre demande n'a pas pu être enregistrée pour le moment. Vos réponses sont conservées : réessayez dans un instant.")
            return [FollowupAction("action_show_lead_summary")]
        start_background_retry(lead_store)
        followup = env("LEADS_FOLLOWUP_TEXT", "Un consultant du Cabinet Fr Consultants vous répondra par e-mail dans les meilleurs délais.")
        dispatcher.utter_message(text=f"Merci, votre demande est enregistrée sous la référence {lead.reference}. {followup}")
        return [SlotSet(slot, None) for slot in LEAD_SLOTS]


class ActionDeleteMyData(Action):
    """Deletes every lead of this conversation and any form in progress."""

    def name(self) -> Text:
        return "action_delete_my_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict) -> List[Dict[Text, Any]]:
        try:
            store = await asyncio.to_thread(lead_store)
            deleted = await asyncio.to_thread(store.delete_conversation, tracker.sender_id)
        except Exception:  # noqa: BLE001 - say it failed rather than pretend.
            logger.exception("Leads of a conversation could not be deleted")
            dispatcher.utter_message(text="Désolé, la suppression a échoué. Réessayez dans un instant ou écrivez au Cabinet via https://fr-consultants.com/.")
            return []
        if deleted:
            text = f"C'est fait : {deleted} demande(s) et les données associées ont été supprimées."
        else:
            text = "Aucune demande n'était enregistrée pour cette conversation ; les réponses en cours ont été effacées."
        dispatcher.utter_message(text=text)
        return [ActiveLoop(None), SlotSet("requested_slot", None)] + [SlotSet(slot, None) for slot in LEAD_SLOTS]
