"""The contact form's summary, and the corrections made from it or at a later question."""

from typing import Any

import pytest
from rasa_sdk.events import FollowupAction, SlotSet

from actions.lead_form import FIELDS
from actions.lead_handoff import ActionAnswerSummaryNo, ActionCorrectLead, ActionShowLeadSummary
from tests.support.actions import run_action as run
from tests.support.forms import FILLED, tracker, validate


def test_summary_lists_every_field_with_labels_and_three_choices() -> None:
    _, (summary,) = run(ActionShowLeadSummary(), tracker(slots=FILLED))
    assert "Association ou autre structure de l'ESS" in summary["text"]
    assert "jeanne.dupont@exemple.fr" in summary["text"]
    assert [b["payload"] for b in summary["buttons"]] == ["/affirm", "/lead_correct", "/cancel"]


@pytest.mark.parametrize(
    "stored, shown", [("+33612345678", "06 12 34 56 78"), ("+32470123456", "+32 470 12 34 56")]
)
def test_summary_shows_the_phone_as_the_visitor_reads_it(stored: str, shown: str) -> None:
    _, (summary,) = run(ActionShowLeadSummary(), tracker(slots={**FILLED, "lead_phone": stored}))
    assert f"Téléphone\u00a0: {shown}" in summary["text"]


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


def test_a_correction_after_the_lead_was_sent_asks_nothing_without_consent() -> None:
    """The lead was sent (consent and answers forgotten): no field is asked again."""
    sent = {**FILLED, "lead_consent_at": None}
    events, (message,) = run(
        ActionCorrectLead(),
        tracker("il y a une erreur dans mon e-mail", "lead_correct", slots=sent),
    )
    assert events == []
    assert message["response"] == "utter_nothing_to_correct"
    assert [b["payload"] for b in message["buttons"]] == ["/request_contact"]


@pytest.mark.parametrize("value", [{"x": 1}, ["lead_email"], 3, None])
def test_a_field_entity_that_is_no_field_name_offers_the_fields(value: Any) -> None:
    """A crafted ``/lead_correct{"lead_field": {"x": 1}}`` gets the fields, not a TypeError."""
    entity = [{"entity": "lead_field", "value": value}]
    events, (message,) = run(
        ActionCorrectLead(), tracker("/lead_correct", "lead_correct", 1.0, FILLED, entities=entity)
    )
    assert events == [FollowupAction("action_listen")]
    assert message["response"] == "utter_ask_field_to_correct"


def test_no_at_the_summary_with_a_new_email_corrects_it_and_shows_the_summary_again() -> None:
    text = "non attends, le bon mail c'est jeanne.d@exemple.org"
    events, (message,) = run(ActionAnswerSummaryNo(), tracker(text, "deny", slots=FILLED))
    assert events == [SlotSet("lead_email", "jeanne.d@exemple.org"), FollowupAction("lead_form")]
    assert message["response"] == "utter_lead_field_corrected"


def test_the_fields_to_correct_are_offered_as_buttons_naming_each_field() -> None:
    _, (message,) = run(ActionCorrectLead(), tracker("/lead_correct", "lead_correct", 1.0, FILLED))
    assert message["response"] == "utter_ask_field_to_correct"
    assert message["buttons"] == [
        {"title": label, "payload": f'/lead_correct{{"lead_field":"{slot}"}}'}
        for slot, label in FIELDS.items()
    ]


def test_the_summary_shows_labels_unknown_choices_as_typed_and_a_missing_phone() -> None:
    slots = {**FILLED, "lead_phone": "", "lead_need": "un besoin à part"}
    _, (summary,) = run(ActionShowLeadSummary(), tracker(slots=slots))
    assert "- Téléphone\u00a0: non communiqué" in summary["text"]
    assert "- Besoin\u00a0: un besoin à part" in summary["text"]
    assert "- Type d'organisation\u00a0: Association ou autre structure de l'ESS" in summary["text"]


def test_the_summary_is_one_line_per_field_in_the_form_order() -> None:
    _, (summary,) = run(ActionShowLeadSummary(), tracker(slots=FILLED))
    lines = [line for line in summary["text"].splitlines() if line.startswith("- ")]
    assert [line.split("\u00a0:")[0] for line in lines] == [
        f"- {label}" for label in FIELDS.values()
    ]


def test_an_email_corrected_at_a_later_step_is_updated_and_the_step_asked_again() -> None:
    earlier = {"requested_slot": "lead_phone", "lead_email": "jeanne@exmple.fr"}
    typed = "non attendez, le mail c'est jeanne@exemple.fr"
    slots, messages = validate(tracker(typed, "cancel", 0.9, slots=earlier))
    assert slots == {"lead_email": "jeanne@exemple.fr"}
    assert messages[0]["response"] == "utter_lead_field_corrected"
    assert "E-mail" in messages[0]["text"]


def test_a_phone_corrected_at_a_later_step_is_updated() -> None:
    earlier = {"requested_slot": "lead_territory", "lead_phone": "+33612345678"}
    typed = "pardon mon numéro c'est le 06 98 76 54 32"
    slots, _ = validate(tracker(typed, "out_of_scope", slots=earlier))
    assert slots == {"lead_phone": "+33698765432"}


def test_an_address_typed_when_none_was_given_yet_is_no_correction() -> None:
    typed = "jeanne@exemple.fr"
    slots, _ = validate(tracker(typed, "out_of_scope", slots={"requested_slot": "lead_name"}))
    assert slots == {"lead_name": typed}


def test_a_correction_at_the_summary_that_gives_the_new_email_takes_it() -> None:
    typed = "non attendez, le mail c'est plutôt jeanne.martin@exemple.org"
    events, messages = run(ActionCorrectLead(), tracker(typed, "lead_correct", slots=FILLED))
    assert events == [SlotSet("lead_email", "jeanne.martin@exemple.org")]
    assert messages[0]["response"] == "utter_lead_field_corrected"


@pytest.mark.parametrize(
    "typed, field, value",
    [
        (
            "Il y a une erreur, l'organisation c'est Petit Bâtiment SAS, pas SARL.",
            "lead_organisation",
            "Petit Bâtiment SAS",
        ),
        ("le territoire c’est la Sarthe et non la Mayenne", "lead_territory", "la Sarthe"),
        ("pardon, mon nom : Jeanne Martin", "lead_name", "Jeanne Martin"),
        ("le nom c'est Pascal Malet", "lead_name", "Pascal Malet"),
        ("le type c'est une entreprise", "lead_organisation_type", "une entreprise"),
        # What is wrong, not the new value: the field is asked again.
        ("le nom est faux", "lead_name", None),
        ("l'organisation est mal écrite", "lead_organisation", None),
        ("le territoire n'est pas le bon", "lead_territory", None),
    ],
)
def test_a_field_named_with_its_new_value_at_the_summary_takes_it(
    typed: str, field: str, value: Any
) -> None:
    events, messages = run(ActionCorrectLead(), tracker(typed, "nlu_fallback", slots=FILLED))
    assert events == [SlotSet(field, value)]
    assert messages == []


@pytest.mark.parametrize("intent", ["nlu_fallback", "out_of_scope"])
def test_an_unclear_reply_at_the_summary_that_names_no_field_shows_the_summary_again(
    intent: str,
) -> None:
    for unclear in ("euh attendez", "c pas bon", "ok mais attendez"):
        events, messages = run(ActionCorrectLead(), tracker(unclear, intent, 0.55, FILLED))
        assert events == [FollowupAction("action_show_lead_summary")]
        assert messages == []


@pytest.mark.parametrize("typed", ["c bon", "ok valide", "Parfait, je confirme."])
def test_a_confirmation_in_words_the_nlu_was_unsure_of_sends_the_lead(typed: str) -> None:
    events, messages = run(ActionCorrectLead(), tracker(typed, "nlu_fallback", 0.55, FILLED))
    assert events == [FollowupAction("action_submit_lead")]
    assert messages == []
