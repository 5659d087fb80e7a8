"""« Supprimez mes données »: in the conversation that made the lead, and from a later visit.

The actions run on a tracker and a dispatcher with a real SQLite lead store; the
conversations themselves are erased by the tracker store (tests/unit/test_stores.py).
"""

import logging
import re
from typing import Any, List

import pytest
from rasa_sdk import Tracker

from actions import lead_handoff
from actions.erasure import (
    ASK_SLOT,
    ERASURE_SLOT,
    MAX_ATTEMPTS,
    ActionDeleteMyData,
    ActionEraseByReference,
    ValidateErasureForm,
)
from actions.lead_handoff import ActionSubmitLead
from actions.leads.store import REFERENCE_ALPHABET, Lead, LeadStore
from stores import tracker_store
from tests.support.actions import run_action
from tests.support.content import domain, response_text
from tests.support.forms import FILLED, FORGOTTEN, set_slots, tracker

EMAIL = FILLED["lead_email"]


def submit(store: LeadStore, sender: str, **slots: Any) -> Lead:
    """A lead left by conversation ``sender``, as the form submits it."""
    run_action(ActionSubmitLead(), tracker(slots={**FILLED, **slots}, sender=sender))
    return store.get(store.export()[-1]["id"])


def erase(store: LeadStore, reference: str, email: str, tried: int = 0) -> tuple:
    """What the bot does with a reference and an e-mail typed in a new conversation."""
    slots = {"erasure_reference": reference, "erasure_email": email, "erasure_attempts": tried}
    return run_action(ActionEraseByReference(), tracker(slots=slots, sender="new-visit"))


def references(store: LeadStore) -> List[str]:
    return [lead["reference"] for lead in store.export()]


def test_the_store_and_the_actions_name_the_same_slot_and_the_domain_declares_it() -> None:
    assert ERASURE_SLOT == tracker_store.ERASURE_SLOT
    assert {ERASURE_SLOT, ASK_SLOT, "erasure_attempts"} <= set(domain()["slots"])
    assert domain()["forms"]["erasure_form"]["required_slots"] == [
        "erasure_reference",
        "erasure_email",
    ]


def test_delete_my_data_deletes_this_conversations_leads_and_their_conversations(
    store: LeadStore,
) -> None:
    submit(store, "conv-1")
    kept = submit(store, "conv-2", lead_email="paul@exemple.fr")
    events, (message,) = run_action(ActionDeleteMyData(), tracker(sender="conv-1"))
    assert message["text"] == response_text("utter_data_deleted").format(count=1)
    assert references(store) == [kept.reference]
    assert set_slots(events) == {**FORGOTTEN, ERASURE_SLOT: [EMAIL], ASK_SLOT: None}


def test_mid_form_with_nothing_stored_the_answers_and_this_conversation_go(
    store: LeadStore,
) -> None:
    events, (message,) = run_action(ActionDeleteMyData(), tracker(slots=FILLED, sender="c-9"))
    assert message["response"] == "utter_no_data_to_delete"
    assert set_slots(events) == {**FORGOTTEN, ERASURE_SLOT: [], ASK_SLOT: None}


def test_a_new_conversation_is_asked_for_the_reference_and_the_email(store: LeadStore) -> None:
    submit(store, "conv-1")
    events, (message,) = run_action(ActionDeleteMyData(), tracker(sender="new-visit"))
    assert message["response"] == "utter_erasure_needs_reference"
    assert set_slots(events) == {"erasure_reference": None, "erasure_email": None, ASK_SLOT: True}
    assert len(store.export()) == 1


def test_a_matching_reference_and_email_erase_that_lead_and_its_conversations(
    store: LeadStore,
) -> None:
    lead = submit(store, "conv-1")
    other = submit(store, "conv-2")  # same address, another request: not proven, kept
    events, (message,) = erase(store, lead.reference.lower(), EMAIL.upper())
    assert message["text"] == response_text("utter_data_deleted_by_reference").format(
        reference=lead.reference
    )
    assert references(store) == [other.reference]
    assert set_slots(events)[ERASURE_SLOT] == [EMAIL.upper()]
    assert set_slots(events)[ASK_SLOT] is None


def test_a_mismatch_says_the_same_whatever_did_not_match_and_ends_the_form(
    store: LeadStore,
) -> None:
    lead = submit(store, "conv-1")
    replies = []
    for reference, email in (
        (lead.reference, "paul@exemple.fr"),  # a known reference, another address
        (lead.reference, None),  # a crafted tracker
        ("n'importe quoi", EMAIL),
        ("PTCE-2222-2222", EMAIL),  # a known address, another reference
        ("PTCE-2222-2222", "paul@exemple.fr"),  # nothing known
    ):
        events, (message,) = erase(store, reference, email)
        replies.append(message["text"])
        assert set_slots(events) == {
            "erasure_reference": None,
            "erasure_email": None,
            ASK_SLOT: None,  # no rule runs the form again: the visitor may move on
            "erasure_attempts": 1,
        }
        assert ERASURE_SLOT not in set_slots(events)
    assert replies == [response_text("utter_erasure_mismatch")] * 5
    assert references(store) == [lead.reference]


def test_attempts_are_bounded_then_the_contact_page_is_given(
    store: LeadStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEADS_CONTACT_URL", "https://fr-consultants.com/contact/")
    lead = submit(store, "conv-1")
    events, (message,) = erase(store, "PTCE-2222-2222", EMAIL, tried=MAX_ATTEMPTS - 1)
    assert message["text"] == response_text("utter_erasure_refused").format(
        contact_url="https://fr-consultants.com/contact/"
    )
    assert set_slots(events)[ASK_SLOT] is None
    assert set_slots(events)["erasure_attempts"] == MAX_ATTEMPTS
    # Even the right pair is no longer tried in this conversation.
    again = tracker(sender="new-visit", slots={"erasure_attempts": MAX_ATTEMPTS})
    events, (message,) = run_action(ActionDeleteMyData(), again)
    assert (set_slots(events), message["response"]) == ({ASK_SLOT: None}, "utter_erasure_refused")
    assert references(store) == [lead.reference]


def tracker_asking(slot: str, text: str) -> Tracker:
    """A new visit in which the erasure form asks ``slot`` and the visitor typed ``text``."""
    return Tracker(
        "new-visit",
        {"requested_slot": slot},
        {"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.3}, "entities": []},
        [],
        False,
        None,
        {"name": "erasure_form"},
        "action_listen",
    )


def validate(slot: str, text: str) -> tuple:
    """The erasure form's validation of ``text`` typed when ``slot`` is asked."""
    events, messages = run_action(ValidateErasureForm(), tracker_asking(slot, text))
    return set_slots(events).get(slot), messages


def test_the_reference_is_read_in_any_spacing_and_a_malformed_one_is_asked_again() -> None:
    assert validate("erasure_reference", "ma référence : ptce 7kq4 m9xr")[0] == "PTCE-7KQ4-M9XR"
    assert validate("erasure_reference", " ptce-7kq4 m9xr ") == ("PTCE-7KQ4-M9XR", [])
    value, (message,) = validate("erasure_reference", "PTCE-12")
    assert (value, message["response"]) == (None, "utter_invalid_reference")


def test_a_reference_and_an_email_typed_together_are_both_taken() -> None:
    text = "La référence c'est PTCE-7KQ4-M9XR et mon mail jeanne.dupont@exemple.fr"
    on = validate("erasure_reference", text)
    assert on == ("PTCE-7KQ4-M9XR", [])
    events, _ = run_action(ValidateErasureForm(), tracker_asking("erasure_reference", text))
    assert set_slots(events)["erasure_email"] == "jeanne.dupont@exemple.fr"
    # A malformed address is left for its own question, with its own reasons.
    events, _ = run_action(
        ValidateErasureForm(), tracker_asking("erasure_reference", "PTCE-7KQ4-M9XR mail: x@y")
    )
    assert "erasure_email" not in set_slots(events)


def test_the_malformed_reference_reply_names_the_characters_never_issued() -> None:
    """« PTCE-00000000 » is eight characters: the reply must say why it is refused."""
    reply = response_text("utter_invalid_reference")
    listed = re.search(r"jamais (.+?) \(", reply).group(1)
    never_issued = sorted(set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") - set(REFERENCE_ALPHABET))
    assert sorted(re.findall(r"\b\w\b", listed)) == never_issued


def test_answers_emptied_to_be_asked_again_are_not_refused() -> None:
    """Starting (or restarting) the form empties both answers: no reason is told for them."""
    on = Tracker(
        "new-visit",
        {"erasure_reference": None, "erasure_email": None},
        {"text": "supprimez mes données", "intent": {"name": "delete_my_data"}, "entities": []},
        [
            {"event": "user", "text": "supprimez mes données"},
            {"event": "slot", "name": "erasure_reference", "value": None},
            {"event": "slot", "name": "erasure_email", "value": None},
        ],
        False,
        None,
        {"name": "erasure_form"},
        "action_delete_my_data",
    )
    events, messages = run_action(ValidateErasureForm(), on)
    assert messages == []
    assert set_slots(events) == {"erasure_reference": None, "erasure_email": None}


def test_the_email_is_checked_with_the_forms_reasons() -> None:
    assert validate("erasure_email", " Jeanne.Dupont@exemple.fr ")[0] == "Jeanne.Dupont@exemple.fr"
    value, (message,) = validate("erasure_email", "jeanne.dupont-exemple.fr")
    assert (value, message["response"]) == (None, "utter_invalid_email_no_at")


def test_a_failed_deletion_says_so_and_logs_only_the_kind_of_error(
    no_database: None, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LEADS_CONTACT_URL", raising=False)
    caplog.set_level(logging.INFO)
    for action, slots in (
        (ActionDeleteMyData(), {}),
        (ActionEraseByReference(), {"erasure_reference": "PTCE-2222-2222", "erasure_email": EMAIL}),
    ):
        events, (message,) = run_action(action, tracker(slots=slots, sender=EMAIL))
        assert (set_slots(events), message["response"]) == ({ASK_SLOT: None}, "utter_delete_failed")
        assert lead_handoff.SITE_URL in message["text"]
    logged = [r for r in caplog.records if r.name == "actions.safety"]
    assert len(logged) == 2 and not any(r.exc_info for r in logged)
    assert all(
        r.getMessage().startswith("Leads could not be deleted: OperationalError at ")
        for r in logged
    )
    assert EMAIL not in caplog.text


NOTICE = [{"event": "bot", "text": "…", "metadata": {"utter_action": "utter_ask_consent"}}]


@pytest.mark.parametrize(
    "text, erases",
    [
        # A question on what the form keeps, which the NLU took for an erasure.
        ("et vous conservez quoi comme informations sur moi ?", False),
        # An erasure asked at the notice stays one.
        ("non, effacez plutôt toutes mes données", True),
    ],
)
def test_at_the_consent_notice_a_question_on_what_is_kept_is_answered(
    store: LeadStore, text: str, erases: bool
) -> None:
    at_notice = tracker(text, "delete_my_data", events=NOTICE, sender="new-visit")
    events, (message,) = run_action(ActionDeleteMyData(), at_notice)
    answer = "utter_erasure_needs_reference" if erases else "utter_consent_data"
    assert message["response"] == answer
    # Elsewhere, the same question asks for the reference as any erasure request.
    events, (message,) = run_action(ActionDeleteMyData(), tracker(text, sender="new-visit"))
    assert message["response"] == "utter_erasure_needs_reference"


def test_an_email_typed_for_the_reference_is_kept_and_the_reference_asked_again() -> None:
    text = "jean-pierre.morin@orange.fr"
    typed = tracker_asking("erasure_reference", text)
    events, (message,) = run_action(ValidateErasureForm(), typed)
    assert message["response"] == "utter_erasure_email_first"
    assert set_slots(events)["erasure_email"] == text
    assert set_slots(events)["erasure_reference"] is None
    assert "erasure_attempts" not in set_slots(events)


def test_an_ill_formed_reference_counts_as_an_attempt_and_the_last_one_ends_the_form() -> None:
    """« PTCE-4821 », then « donc vous n'avez plus rien sur moi ? »: not asked forever."""
    typed = tracker_asking("erasure_reference", "PTCE-4821")
    typed.slots["erasure_attempts"] = MAX_ATTEMPTS - 2
    events, (message,) = run_action(ValidateErasureForm(), typed)
    assert message["response"] == "utter_invalid_reference"
    assert set_slots(events)["erasure_attempts"] == MAX_ATTEMPTS - 1
    assert "requested_slot" not in set_slots(events)  # Rasa's form asks the reference again
    typed = tracker_asking("erasure_reference", "Donc vous n'avez plus rien sur moi ?")
    typed.slots["erasure_attempts"] = MAX_ATTEMPTS - 1
    events, _ = run_action(ValidateErasureForm(), typed)
    # The form ends; action_erase_by_reference then gives the contact page (above).
    assert set_slots(events)["erasure_attempts"] == MAX_ATTEMPTS
    assert set_slots(events)["requested_slot"] is None
