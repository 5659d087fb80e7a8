"""Trackers of the contact form as the action server receives them, for the action tests."""

from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker

from actions.lead_form import FIELDS, LEAD_SLOTS, ValidateLeadForm
from tests.support.actions import run_action
from tests.support.content import domain

# A completed form, consent included.
FILLED = {
    "lead_consent_at": "2026-11-26T09:00:00+00:00",
    "lead_name": "Jeanne Dupont",
    "lead_email": "jeanne.dupont@exemple.fr",
    "lead_phone": "+33612345678",
    "lead_organisation": "Tiers-lieu des Pentes",
    "lead_organisation_type": "association",
    "lead_territory": "Lyon",
    "lead_need": "creer_ptce",
    "lead_message": "Nous voulons créer un PTCE.",
}
# What every action that ends a form run sets: no answer and no consent are kept.
FORGOTTEN = {**{slot: None for slot in LEAD_SLOTS}, "requested_slot": None}


def tracker(
    text: str = "",
    intent: str = "",
    confidence: float = 0.99,
    slots: Optional[Dict[str, Any]] = None,
    events: Optional[List[Dict[str, Any]]] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
    sender: str = "conv-1",
) -> Tracker:
    """A tracker whose latest message is ``text`` classified as ``intent``."""
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
    }
    return Tracker(
        sender,
        dict(slots or {}),
        message,
        events or [],
        False,
        None,
        {"name": "lead_form"},
        "action_listen",
    )


def set_slots(events: list) -> dict:
    """The slots the events set, by name."""
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def validate(on: Tracker) -> Tuple[Dict[str, Any], List[Dict[str, Any]]]:
    """Run validate_lead_form the way the form does, with a domain listing the form's slots."""
    form_domain = {
        **domain(),
        "forms": {"lead_form": {"required_slots": list(FIELDS)}},
        "slots": {s: {} for s in FIELDS},
    }
    events, messages = run_action(ValidateLeadForm(), on, form_domain)
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, messages
