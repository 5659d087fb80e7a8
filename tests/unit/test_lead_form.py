"""The contact form's actions (fields, consent, hand-off) on a tracker and a dispatcher.

The hand-off runs on a real lead store."""

import asyncio
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import lead_handoff
from actions.lead_form import FIELDS, LEAD_SLOTS, AskNeed, ValidateLeadForm, match_choice
from actions.lead_handoff import (
    ActionAskConsent,
    ActionCancelLead,
    ActionCorrectLead,
    ActionDeleteMyData,
    ActionRefuseConsent,
    ActionShowLeadSummary,
    ActionSubmitLead,
)
from actions.leads.store import LeadStore
from tests.support.actions import run_action
from tests.support.content import domain, response_text

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


def tracker(
    text: str = "",
    intent: str = "",
    confidence: float = 0.99,
    slots: Optional[Dict[str, Any]] = None,
    events: Optional[List[Dict[str, Any]]] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
    sender: str = "conv-1",
) -> Tracker:
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


# What every action that ends a form run sets: no answer and no consent are kept.
FORGOTTEN = {**{slot: None for slot in LEAD_SLOTS}, "requested_slot": None}


def set_slots(events: list) -> dict:
    """The slots the events set, by name."""
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def run(action: Action, on: Tracker) -> tuple:
    return run_action(action, on)


def validate(on: Tracker) -> tuple:
    """Run validate_lead_form the way the form does, with a domain listing the form's slots."""
    form_domain = {
        **domain(),
        "forms": {"lead_form": {"required_slots": list(FIELDS)}},
        "slots": {s: {} for s in FIELDS},
    }
    events, messages = run_action(ValidateLeadForm(), on, form_domain)
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, messages


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LeadStore]:
    """A real SQLite store used by the actions; no destination configured."""
    for name in ("LEADS_SMTP_HOST", "LEADS_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LEADS_DATABASE_URL", f"sqlite:///{tmp_path / 'leads.db'}")
    lead_handoff.lead_store.cache_clear()
    yield lead_handoff.lead_store()
    lead_handoff.lead_store().dispose()
    lead_handoff.lead_store.cache_clear()


def test_consent_notice_says_what_why_who_how_long_and_how_to_erase(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEADS_PRIVACY_URL", "https://fr-consultants.com/confidentialite/")
    monkeypatch.setenv("LEADS_RETENTION_MONTHS", "24")
    _, (message,) = run(ActionAskConsent(), tracker())
    for part in (
        "e-mail",
        "traiter votre demande",
        "Cabinet Fr Consultants",
        "24 mois",
        "supprimez mes données",
        "https://fr-consultants.com/confidentialite/",
    ):
        assert part in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]


def test_refused_consent_gives_the_contact_link_and_keeps_nothing() -> None:
    events, (message,) = run(ActionRefuseConsent(), tracker())
    assert "https://fr-consultants.com/" in message["text"]
    assert set_slots(events) == FORGOTTEN


def test_the_requested_field_takes_the_text() -> None:
    slots, messages = validate(
        tracker("Jeanne Dupont", "out_of_scope", slots={"requested_slot": "lead_name"})
    )
    assert slots == {"lead_name": "Jeanne Dupont"} and messages == []


def test_a_confident_sheet_question_is_not_taken_as_an_answer() -> None:
    slots, _ = validate(
        tracker("c'est quoi un ptce ?", "faq", 0.97, slots={"requested_slot": "lead_organisation"})
    )
    assert slots == {}


def test_an_unsure_classification_is_taken_as_an_answer() -> None:
    slots, _ = validate(
        tracker("Mairie de Vire", "faq", 0.4, slots={"requested_slot": "lead_organisation"})
    )
    assert slots == {"lead_organisation": "Mairie de Vire"}


def test_an_email_is_an_answer_whatever_the_intent() -> None:
    slots, _ = validate(
        tracker("Jeanne.Dupont@Exemple.FR", "faq", 0.99, slots={"requested_slot": "lead_email"})
    )
    assert slots == {"lead_email": "Jeanne.Dupont@exemple.fr"}


def test_a_wrong_email_is_refused_with_a_reason() -> None:
    slots, messages = validate(
        tracker("jeanne.exemple.fr", "out_of_scope", slots={"requested_slot": "lead_email"})
    )
    assert slots == {"lead_email": None}
    assert "@" in messages[0]["text"]


@pytest.mark.parametrize("typed", ["06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678"])
def test_french_phones_are_stored_in_e164(typed: str) -> None:
    slots, _ = validate(tracker(typed, "out_of_scope", slots={"requested_slot": "lead_phone"}))
    assert slots == {"lead_phone": "+33612345678"}


def test_the_phone_can_be_skipped() -> None:
    slots, _ = validate(tracker("/deny", "deny", 1.0, slots={"requested_slot": "lead_phone"}))
    assert slots == {"lead_phone": ""}


def test_a_wrong_phone_is_refused_with_a_reason() -> None:
    slots, messages = validate(
        tracker("06 12", "out_of_scope", slots={"requested_slot": "lead_phone"})
    )
    assert slots == {"lead_phone": None} and "chiffres" in messages[0]["text"]


@pytest.mark.parametrize(
    "typed, key",
    [
        ("Créer un PTCE", "creer_ptce"),
        ("on veut relancer notre ptce", "relancer_ptce"),
        ("candidater a l'AMI", "candidater_ami"),
        ("Politique territoriale du bien-être", "offre_bien_etre"),
        ("transition ecologique", "offre_transition_ecologique"),
        ("autre chose", "autre"),
    ],
)
def test_needs_are_recognised_from_buttons_and_typing(typed: str, key: str) -> None:
    assert match_choice("lead_need", typed) == key


def test_a_need_button_is_an_answer_even_if_the_nlu_sees_a_question() -> None:
    slots, _ = validate(
        tracker("Créer un PTCE", "faq", 0.99, slots={"requested_slot": "lead_need"})
    )
    assert slots == {"lead_need": "creer_ptce"}


def test_an_unknown_choice_is_asked_again() -> None:
    slots, messages = validate(
        tracker("bof", "out_of_scope", slots={"requested_slot": "lead_organisation_type"})
    )
    assert slots == {"lead_organisation_type": None} and "options" in messages[0]["text"]


def test_a_too_long_message_is_refused() -> None:
    slots, messages = validate(
        tracker("x" * 2001, "out_of_scope", slots={"requested_slot": "lead_message"})
    )
    assert slots == {"lead_message": None} and "2000" in messages[0]["text"]


def test_choice_questions_offer_every_option_as_a_button() -> None:
    _, (message,) = run(AskNeed(), tracker())
    assert "Créer un PTCE" in [b["title"] for b in message["buttons"]]
    assert len(message["buttons"]) == 8


def test_summary_lists_every_field_with_labels_and_three_choices() -> None:
    _, (summary,) = run(ActionShowLeadSummary(), tracker(slots=FILLED))
    assert "Association ou autre structure de l'ESS" in summary["text"]
    assert "jeanne.dupont@exemple.fr" in summary["text"]
    assert [b["payload"] for b in summary["buttons"]] == ["/affirm", "/lead_correct", "/cancel"]


def test_correction_without_a_field_offers_the_fields_and_waits() -> None:
    events, (message,) = run(
        ActionCorrectLead(), tracker("/lead_correct", "lead_correct", 1.0, FILLED)
    )
    assert events == [FollowupAction("action_listen")]
    assert len(message["buttons"]) == len(FIELDS)


def test_correction_by_button_empties_that_field() -> None:
    entity = [{"entity": "lead_field", "value": "lead_email"}]
    events, _ = run(
        ActionCorrectLead(), tracker("/lead_correct", "lead_correct", 1.0, FILLED, entities=entity)
    )
    assert events == [SlotSet("lead_email", None)]


def test_correction_by_typing_finds_the_field() -> None:
    events, _ = run(
        ActionCorrectLead(),
        tracker("je me suis trompé de numéro de tel", "lead_correct", slots=FILLED),
    )
    assert events == [SlotSet("lead_phone", None)]


def test_cancel_ends_the_form_and_forgets_everything() -> None:
    events, (message,) = run(ActionCancelLead(), tracker(slots=FILLED))
    assert ActiveLoop(None) in events
    assert set_slots(events) == FORGOTTEN
    assert message["response"] == "utter_lead_cancelled"


def test_cancel_with_no_form_running_says_there_is_nothing_to_cancel() -> None:
    idle = Tracker("t", {}, {"text": "annuler"}, [], False, None, {}, "action_listen")
    events, (message,) = run(ActionCancelLead(), idle)
    assert message["response"] == "utter_nothing_to_cancel"
    assert "enregistrée" not in message["text"]


def test_submit_stores_the_lead_with_context_and_gives_its_reference(store: LeadStore) -> None:
    events = [
        {
            "event": "user",
            "text": "c'est quoi un PTCE ?",
            "parse_data": {
                "intent": {"name": "faq"},
                "response_selector": {
                    "faq": {"response": {"intent_response_key": "faq/ptce_definition"}}
                },
            },
        },
        {
            "event": "user",
            "text": "je voudrais être accompagné",
            "parse_data": {"intent": {"name": "request_contact"}},
        },
        {"event": "slot", "name": "lead_consent_at", "value": FILLED["lead_consent_at"]},
        {
            "event": "user",
            "text": "Jeanne Dupont",
            "parse_data": {"intent": {"name": "out_of_scope"}},
        },
        {
            "event": "user",
            "text": "Tiers-lieu",
            "parse_data": {  # a form answer the NLU took for a question
                "intent": {"name": "faq"},
                "response_selector": {
                    "faq": {"response": {"intent_response_key": "faq/ptce_benefices"}}
                },
            },
        },
    ]
    result, (message,) = run(ActionSubmitLead(), tracker(slots=FILLED, events=events))
    (lead,) = store.export()
    assert lead["reference"] in message["text"]
    assert lead["email"] == "jeanne.dupont@exemple.fr" and lead["need"] == "creer_ptce"
    assert lead["topic"] == "faq/ptce_definition"
    assert [m["text"] for m in lead["context"]] == [
        "c'est quoi un PTCE ?",
        "je voudrais être accompagné",
    ]
    assert lead["consent_version"] == lead_handoff.CONSENT_VERSION
    assert set_slots(result) == FORGOTTEN


def test_submissions_are_limited_per_conversation_and_hour(store: LeadStore) -> None:
    for _ in range(lead_handoff.MAX_SUBMISSIONS_PER_HOUR):
        run(ActionSubmitLead(), tracker(slots=FILLED))
    _, (message,) = run(ActionSubmitLead(), tracker(slots=FILLED))
    assert message["response"] == "utter_lead_limit_reached"
    assert len(store.export()) == lead_handoff.MAX_SUBMISSIONS_PER_HOUR


def test_submit_without_a_complete_form_stores_nothing(store: LeadStore) -> None:
    _, (message,) = run(ActionSubmitLead(), tracker(slots={"lead_name": "X"}))
    assert message["response"] == "utter_no_lead_in_progress" and store.export() == []


def test_a_database_failure_keeps_the_answers_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "LEADS_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/nothing_listens_here"
    )
    lead_handoff.lead_store.cache_clear()
    events, (message,) = run(ActionSubmitLead(), tracker(slots=FILLED))
    lead_handoff.lead_store.cache_clear()
    assert message["response"] == "utter_lead_not_stored"
    assert events == [FollowupAction("action_show_lead_summary")]


def test_delete_my_data_deletes_this_conversation_only(store: LeadStore) -> None:
    run(ActionSubmitLead(), tracker(slots=FILLED, sender="conv-1"))
    run(ActionSubmitLead(), tracker(slots=FILLED, sender="conv-2"))
    events, (message,) = run(ActionDeleteMyData(), tracker(sender="conv-1"))
    assert message["text"] == response_text("utter_data_deleted").format(count=1)
    assert [lead["conversation_id"] for lead in store.export()] == ["conv-2"]
    assert ActiveLoop(None) in events


def test_consent_time_is_recorded_in_utc() -> None:
    events, _ = run(lead_handoff.ActionAcceptConsent(), tracker())
    consent_at = datetime.fromisoformat(events[0]["value"])
    assert consent_at.tzinfo is not None
    assert abs((datetime.now(timezone.utc) - consent_at).total_seconds()) < 5


def test_an_organisation_name_taken_for_a_topic_is_still_an_answer() -> None:
    slots, _ = validate(
        tracker("Commune de Vire", "faq", 0.99, slots={"requested_slot": "lead_organisation"})
    )
    assert slots == {"lead_organisation": "Commune de Vire"}


def test_a_confident_command_interrupts_any_field() -> None:
    slots, _ = validate(
        tracker("laisse tomber", "cancel", 0.95, slots={"requested_slot": "lead_territory"})
    )
    assert slots == {}


def test_a_skipped_phone_stays_skipped_when_the_form_revalidates_it() -> None:
    on = tracker(
        "/lead_correct",
        "lead_correct",
        1.0,
        slots={**FILLED, "lead_phone": "", "requested_slot": "lead_email"},
    )
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateLeadForm().validate_lead_phone("", dispatcher, on, {}))
    assert result == {"lead_phone": ""} and dispatcher.messages == []


def test_a_question_interrupts_even_when_the_nlu_is_only_fairly_sure() -> None:
    slots, _ = validate(
        tracker(
            "au fait, c'est quoi l'AMI ?",
            "ami_presentation",
            0.72,
            slots={"requested_slot": "lead_phone"},
        )
    )
    assert slots == {}
