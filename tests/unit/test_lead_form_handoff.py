"""The contact form's actions (fields, consent, hand-off) on a tracker and a dispatcher.

The hand-off runs on a real lead store."""

from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction
from sqlalchemy import update

from actions import lead_handoff
from actions.lead_handoff import (
    ActionAnswerContactDelay,
    ActionAnswerSummaryNo,
    ActionAskConsent,
    ActionCancelLead,
    ActionRefuseConsent,
    ActionSubmitLead,
)
from actions.leads.store import LeadStore
from actions.leads.tables import leads
from tests.support.actions import run_action as run
from tests.support.content import response_text
from tests.support.forms import FILLED, FORGOTTEN, set_slots, tracker


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
        "référence de votre demande et votre e-mail",
        "https://fr-consultants.com/confidentialite/",
    ):
        assert part in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]


def after(utter_action: str, text: str, intent: str) -> Tracker:
    """``text``, classified as ``intent``, right after the bot sent ``utter_action``."""
    said = [{"event": "bot", "text": "…", "metadata": {"utter_action": utter_action}}]
    return tracker(text, intent, events=said + [{"event": "user", "text": text}])


def test_an_unclear_reply_to_the_notice_gets_its_question_only_then_the_notice_again() -> None:
    """« Amandine Roux » typed at once: the notice is just above, its question is asked."""
    _, (message,) = run(
        ActionAskConsent(), after("utter_ask_consent", "Amandine Roux", "nlu_fallback")
    )
    assert message["response"] == "utter_consent_needed"
    assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]
    # A second unclear reply: the whole notice, not the same text twice in a row.
    _, (message,) = run(ActionAskConsent(), after("utter_consent_needed", "bof", "nlu_fallback"))
    assert message["response"] == "utter_ask_consent_without_policy"
    # A no the NLU was unsure of is a no.
    events, (message,) = run(
        ActionAskConsent(), after("utter_ask_consent", "non laisse tomber", "nlu_fallback")
    )
    assert message["response"] == "utter_consent_refused" and set_slots(events) == FORGOTTEN
    # A yes the NLU was unsure of (« ok »: affirm 0.51) is a yes; « ok mais… » is not.
    for notice in ("utter_ask_consent", "utter_consent_needed"):
        events, (message,) = run(ActionAskConsent(), after(notice, "ok", "nlu_fallback"))
        assert message["response"] == "utter_consent_accepted"
        assert set(set_slots(events)) == {"lead_consent_at"}
        assert events[-1] == FollowupAction("lead_form")
    _, (message,) = run(
        ActionAskConsent(), after("utter_ask_consent", "ok mais pourquoi ?", "nlu_fallback")
    )
    assert message["response"] == "utter_consent_needed"
    # A name the NLU took for a sheet question (faq 1.00) is details given too early.
    _, (message,) = run(ActionAskConsent(), after("utter_ask_consent", "Amandine Roux", "faq"))
    assert message["response"] == "utter_consent_needed"
    # A longer message the NLU was unsure of, or found out of scope, moves on: it is
    # answered as anywhere else, the notice left unanswered (« recette du bœuf
    # bourguignon » got the notice's question again and again).
    for text, intent, answer in (
        ("Donne-moi la recette du bœuf bourguignon.", "out_of_scope", "action_answer_out_of_scope"),
        ("T'es vraiment une andouille.", "nlu_fallback", "action_fallback"),
    ):
        for notice in ("utter_ask_consent", "utter_consent_needed"):
            assert run(ActionAskConsent(), after(notice, text, intent)) == (
                [FollowupAction(answer)],
                [],
            )
    # A request to be contacted right after the notice gets the notice itself.
    again = after("utter_ask_consent", "je veux être rappelé", "request_contact")
    _, (message,) = run(ActionAskConsent(), again)
    assert message["response"] == "utter_ask_consent_without_policy"


def test_refused_consent_gives_the_contact_link_and_keeps_nothing() -> None:
    events, (message,) = run(ActionRefuseConsent(), tracker())
    assert "https://fr-consultants.com/" in message["text"]
    assert set_slots(events) == FORGOTTEN


def test_cancel_ends_the_form_and_forgets_everything() -> None:
    events, (message,) = run(ActionCancelLead(), tracker(slots=FILLED))
    assert ActiveLoop(None) in events
    assert set_slots(events) == FORGOTTEN
    assert message["response"] == "utter_lead_cancelled"


def test_no_at_the_summary_cancels_and_forgets_everything() -> None:
    events, (message,) = run(ActionAnswerSummaryNo(), tracker("non", "deny", slots=FILLED))
    assert set_slots(events) == FORGOTTEN
    assert message["response"] == "utter_lead_cancelled"


def test_cancel_with_no_form_running_says_there_is_nothing_to_cancel() -> None:
    idle = Tracker("t", {}, {"text": "annuler"}, [], False, None, {}, "action_listen")
    events, (message,) = run(ActionCancelLead(), idle)
    assert message["response"] == "utter_nothing_to_cancel"
    assert "enregistrée" not in message["text"]
    assert "https://fr-consultants.com/" in message["text"]


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
    # The moment the visitor said yes, not the moment of the submission.
    assert lead["consent_at"] == FILLED["lead_consent_at"]
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


def test_submit_without_consent_stores_nothing_even_with_every_field(store: LeadStore) -> None:
    """Answers without a consent (a slot set by a story, a replayed tracker) are never sent."""
    no_consent = tracker("/affirm", "affirm", slots={**FILLED, "lead_consent_at": None})
    events, (message,) = run(ActionSubmitLead(), no_consent)
    assert (events, message["response"]) == ([], "utter_no_lead_in_progress")
    assert store.export() == []


def test_a_database_failure_keeps_the_answers_and_says_so(
    no_database: None, caplog: pytest.LogCaptureFixture
) -> None:
    events, (message,) = run(ActionSubmitLead(), tracker(slots=FILLED))
    assert message["response"] == "utter_lead_not_stored"
    assert events == [FollowupAction("action_show_lead_summary")]
    (record,) = [r for r in caplog.records if r.name == "actions.safety"]
    assert record.getMessage().startswith("Lead could not be stored: OperationalError at ")
    assert record.exc_info is None  # no traceback: a database error's text may quote a row


def test_consent_time_is_recorded_in_utc() -> None:
    events, _ = run(lead_handoff.ActionAcceptConsent(), tracker())
    consent_at = datetime.fromisoformat(events[0]["value"])
    assert consent_at.tzinfo is not None
    assert abs((datetime.now(timezone.utc) - consent_at).total_seconds()) < 5


def test_the_notice_without_a_policy_page_gives_the_contact_page_and_36_months(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("LEADS_PRIVACY_URL", "LEADS_RETENTION_MONTHS", "LEADS_CONTACT_URL"):
        monkeypatch.delenv(name, raising=False)
    _, (message,) = run(ActionAskConsent(), tracker())
    assert message["response"] == "utter_ask_consent_without_policy"
    assert "conservées 36 mois" in message["text"]
    assert message["text"].count(lead_handoff.SITE_URL) == 1

    monkeypatch.setenv("LEADS_CONTACT_URL", "https://fr-consultants.com/contact/")
    _, (message,) = run(ActionAskConsent(), tracker())
    assert "https://fr-consultants.com/contact/" in message["text"]


def test_consent_is_acknowledged_and_its_time_set() -> None:
    events, (message,) = run(lead_handoff.ActionAcceptConsent(), tracker())
    assert message["response"] == "utter_consent_accepted"
    assert [(e["event"], e["name"]) for e in events] == [("slot", "lead_consent_at")]


def test_cancel_after_consent_outside_the_form_still_cancels() -> None:
    """Between the consent and the form's first question, the form is not active yet."""
    idle = Tracker("t", {"lead_consent_at": FILLED["lead_consent_at"]}, {}, [], False, None, {}, "")
    events, (message,) = run(ActionCancelLead(), idle)
    assert message["response"] == "utter_lead_cancelled"
    assert set_slots(events) == FORGOTTEN


def user(text: Optional[str], intent: str, channel: str = "socketio", **parse: Any) -> Dict:
    """A user event as Rasa sends it to the action server."""
    return {
        "event": "user",
        "text": text,
        "input_channel": channel,
        "parse_data": {"intent": {"name": intent}, **parse},
    }


CONSENT = {"event": "slot", "name": "lead_consent_at", "value": FILLED["lead_consent_at"]}


def submitted(events: List[Dict], **slots: Any) -> Tuple[Dict, Dict]:
    """The stored lead and the message after a submission with ``events`` and ``slots``."""
    _, (message,) = run(ActionSubmitLead(), tracker(slots={**FILLED, **slots}, events=events))
    return lead_handoff.lead_store().export()[-1], message


def test_the_lead_keeps_the_channel_and_phone_and_says_how_the_firm_will_answer(
    store: LeadStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LEADS_FOLLOWUP_TEXT", raising=False)
    lead, message = submitted([user("bonjour", "greet", "telegram"), CONSENT])
    assert (lead["channel"], lead["phone"]) == ("telegram", "+33612345678")
    assert response_text("utter_lead_followup_phone") in message["text"]

    lead, message = submitted([CONSENT], lead_phone="")
    assert (lead["channel"], lead["phone"]) == ("inconnu", None)
    assert response_text("utter_lead_followup_email") in message["text"]

    monkeypatch.setenv("LEADS_FOLLOWUP_TEXT", "Réponse sous 48 heures.")
    _, message = submitted([CONSENT])
    assert message["text"].endswith("Réponse sous 48 heures.")


def test_the_topic_is_an_ami_question_or_a_faq_without_its_answer_key(store: LeadStore) -> None:
    lead, _ = submitted([user("et l'AMI ?", "ami_calendrier"), CONSENT])
    assert lead["topic"] == "ami_calendrier"
    lead, _ = submitted([user("c'est quoi ?", "faq"), user("/greet", "greet"), CONSENT])
    assert lead["topic"] == "faq"
    lead, _ = submitted([user("c'est quoi ?", "faq", response_selector={"faq": {}}), CONSENT])
    assert lead["topic"] == "faq"


def test_the_context_is_the_last_five_typed_messages_before_consent(store: LeadStore) -> None:
    typed = [user(f"question {n}", "faq") for n in range(7)]
    form = [
        CONSENT,
        user("Jeanne Dupont", "out_of_scope"),
        {"event": "slot", "name": "lead_name", "value": "Jeanne Dupont"},
    ]
    lead, _ = submitted(
        typed + [user("/request_contact", "request_contact"), user(None, "greet")] + form
    )
    assert lead["context"] == [{"sender": "user", "text": f"question {n}"} for n in range(3, 7)] + [
        {"sender": "user", "text": ""}
    ]


def test_submissions_older_than_an_hour_are_not_counted(store: LeadStore) -> None:
    for _ in range(lead_handoff.MAX_SUBMISSIONS_PER_HOUR):
        run(ActionSubmitLead(), tracker(slots=FILLED))
    with store.engine.begin() as connection:
        connection.execute(
            update(leads).values(created_at=datetime.now(timezone.utc) - timedelta(minutes=61))
        )
    _, (message,) = run(ActionSubmitLead(), tracker(slots=FILLED))
    assert message["response"] == "utter_lead_submitted"


def test_a_submission_starts_the_retries_on_the_actions_store(
    store: LeadStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: List[Any] = []
    monkeypatch.setattr(lead_handoff, "start_background_retry", started.append)
    run(ActionSubmitLead(), tracker(slots=FILLED))
    assert started == [lead_handoff.lead_store]


def test_a_question_on_the_data_kept_at_the_notice_is_answered_with_its_question() -> None:
    """« attends, vous stockez quoi exactement comme données ? » moved on to the fallback."""
    text = "attends, vous stockez quoi exactement comme données ?"
    for intent in ("nlu_fallback", "out_of_scope"):
        _, (message,) = run(ActionAskConsent(), after("utter_ask_consent", text, intent))
        assert message["response"] == "utter_consent_data"
        assert "nom" in message["text"] and "e-mail" in message["text"]
        assert [b["payload"] for b in message["buttons"]] == ["/affirm", "/deny"]


def test_a_submission_handed_over_by_the_correction_action_ends_the_turn(
    store: LeadStore,
) -> None:
    """« c bon » at the summary, the NLU unsure: the correction action hands it over,
    and without a last listen Rasa's core fallback followed the confirmation."""
    events, _ = run(ActionSubmitLead(), tracker("c bon", "nlu_fallback", slots=FILLED))
    assert events[-1] == FollowupAction("action_listen")
    events, _ = run(ActionSubmitLead(), tracker("/affirm", "affirm", slots=FILLED))
    assert FollowupAction("action_listen") not in events


def test_when_a_consultant_gets_back_depends_on_a_request_sent_here() -> None:
    """« Super. Et vous me contactez quand, à peu près ? » after the confirmation."""
    sent = [{"event": "bot", "text": "…", "metadata": {"utter_action": "utter_lead_submitted"}}]
    _, (message,) = run(ActionAnswerContactDelay(), tracker("on me rappelle quand ?", events=sent))
    assert message["response"] == "utter_contact_delay_after_lead"
    _, (message,) = run(ActionAnswerContactDelay(), tracker("on me rappelle quand ?"))
    assert message["response"] == "utter_contact_delay_no_lead"
    assert [b["payload"] for b in message["buttons"]] == ["/request_contact"]


def test_a_price_asked_at_the_notice_gets_the_honest_answer_then_its_question() -> None:
    """« Et le tarif ? » at the notice got only « j'ai besoin de votre accord »."""
    _, messages = run(
        ActionAskConsent(), after("utter_ask_consent", "Et le tarif ?", "nlu_fallback")
    )
    assert [m["response"] for m in messages] == ["utter_faq/limite_tarifs", "utter_consent_needed"]
