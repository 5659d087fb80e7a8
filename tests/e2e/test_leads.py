"""Lead conversations over REST, through the real action server, SMTP and webhook."""

import time
import uuid
from typing import Callable, List

from tests.support.blind import fact
from tests.support.chat import say, text_of
from tests.support.content import response_start, response_text
from tests.support.conversations import senders
from tests.support.leads import REFERENCE, form_turns, leads_of_conversation
from tests.support.session import Servers

NAME = "Jeanne Dupont"
EMAIL = "jeanne.dupont@exemple.fr"
ANSWERS = form_turns(
    [
        "/affirm",
        NAME,
        EMAIL,
        "/deny",
        "Tiers-lieu <b>des Pentes</b>",
        "Association ou autre structure de l'ESS",
        "Lyon",
        "Créer un PTCE",
        "Nous voulons créer un PTCE <script>alert(1)</script>",
    ]
)
CONSENT = response_start("utter_ask_consent")


def converse(servers: Servers, sender: str, turns: List[tuple]) -> List[dict]:
    """Send each message and check the reply contains the expected words."""
    replies: List[dict] = []
    for message, expected in turns:
        replies = say(servers.rasa_url, message, sender)
        assert expected in text_of(replies), (message, text_of(replies))
    return replies


def start_form(servers: Servers, sender: str) -> None:
    consent = say(servers.rasa_url, "je voudrais être accompagné pour créer un PTCE", sender)
    assert CONSENT in text_of(consent)


def leads_of(servers: Servers, sender: str) -> List[dict]:
    return leads_of_conversation(servers.env, sender)


def wait_for(condition: Callable[[], bool], seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_happy_path_ends_with_the_email_the_webhook_and_the_export(servers: Servers) -> None:
    sender = uuid.uuid4().hex
    say(servers.rasa_url, "c'est quoi un ptce", sender)
    start_form(servers, sender)
    converse(servers, sender, ANSWERS)
    done = text_of(say(servers.rasa_url, "/affirm", sender))
    assert response_start("utter_lead_submitted") in done

    (lead,) = leads_of(servers, sender)
    assert lead["reference"] in done
    assert lead["email"] == EMAIL and lead["phone"] is None and lead["need"] == "creer_ptce"
    assert lead["topic"] == "faq/ptce_definition" and lead["channel"] == "rest"
    assert wait_for(
        lambda: any(
            lead["reference"] in m["Subject"]
            or lead["reference"] in m.get_body(("plain",)).get_content()
            for m in servers.smtp.messages
        )
    )
    mail = next(
        m
        for m in servers.smtp.messages
        if lead["reference"] in m.get_body(("plain",)).get_content()
    )
    assert "Tiers-lieu" in mail["Subject"] and "Créer un PTCE" in mail["Subject"]
    assert "<script>" not in mail.get_body(("html",)).get_content()
    assert wait_for(
        lambda: any(
            c.idempotency_key == lead["id"] and c.signature_valid for c in servers.webhook.calls
        )
    )


def test_consent_refused_asks_nothing_and_stores_nothing(servers: Servers) -> None:
    sender = uuid.uuid4().hex
    assert CONSENT in text_of(say(servers.rasa_url, "prendre rendez-vous", sender))
    refused = text_of(say(servers.rasa_url, "/deny", sender))
    assert response_start("utter_consent_refused") in refused
    assert "https://fr-consultants.com/" in refused  # LEADS_CONTACT_URL's default
    assert response_text("utter_ask_lead_name") not in refused
    assert leads_of(servers, sender) == []


def test_a_name_typed_at_the_notice_asks_for_consent_then_ok_starts_the_form(
    servers: Servers,
) -> None:
    """The name got the Nouveau-Brunswick partnership (faq 1.00, selector 0.57)."""
    sender = uuid.uuid4().hex
    assert CONSENT in text_of(say(servers.rasa_url, "prendre rendez-vous", sender))
    asked = text_of(say(servers.rasa_url, "Bérangère Lefèvre-Quintal", sender))
    assert asked == response_text("utter_consent_needed")
    started = text_of(say(servers.rasa_url, "ok", sender))
    assert response_text("utter_ask_lead_name") in started
    assert "Bérangère" not in str(leads_of(servers, sender))


def test_a_visitor_who_moves_on_from_the_notice_is_answered_not_asked_again(
    servers: Servers,
) -> None:
    """After a price question, « Donne-moi la recette du bœuf bourguignon » and every
    later message got the notice's question again, until the visitor gave in."""
    sender = uuid.uuid4().hex
    assert CONSENT in text_of(say(servers.rasa_url, "prendre rendez-vous", sender))
    declined = text_of(say(servers.rasa_url, "Et sinon, la recette de la ratatouille ?", sender))
    assert declined.startswith(response_start("utter_out_of_scope"))
    assert CONSENT not in declined and response_text("utter_consent_needed") not in declined
    assert response_start("utter_default") not in declined  # no rule missing after it
    answered = text_of(say(servers.rasa_url, "Combien y a-t-il de PTCE ?", sender))
    assert fact("nombre_56_ptce") in answered and CONSENT not in answered
    assert leads_of(servers, sender) == []


def test_a_no_after_a_question_at_the_notice_refuses_consent(servers: Servers) -> None:
    """« vous stockez quoi comme données ? » at the notice moved on to the fallback,
    and the « non je refuse » after it had no rule: Rasa's core fallback undid it."""
    sender = uuid.uuid4().hex
    assert CONSENT in text_of(say(servers.rasa_url, "prendre rendez-vous", sender))
    kept = text_of(
        say(servers.rasa_url, "euh vous gardez quelles infos sur moi au juste ?", sender)
    )
    assert kept.startswith(response_start("utter_consent_data")), kept
    refused = text_of(say(servers.rasa_url, "non merci je refuse", sender))
    assert refused.startswith(response_start("utter_consent_refused")), refused
    assert leads_of(servers, sender) == []


def test_an_organisation_typed_for_the_optional_phone_moves_the_form_on(
    servers: Servers,
) -> None:
    """« Un numéro de téléphone ? (facultatif) » answered with the organisation was asked
    again and again, whatever the visitor typed next."""
    sender = uuid.uuid4().hex
    start_form(servers, sender)
    converse(servers, sender, ANSWERS[:3])
    skipped = text_of(say(servers.rasa_url, "Régie de quartier Les Tilleuls", sender))
    assert "Régie de quartier Les Tilleuls" in skipped
    assert response_text("utter_ask_lead_organisation_type") in skipped
    assert response_text("utter_ask_lead_phone") not in skipped


def test_invalid_email_is_asked_again_with_a_reason(servers: Servers) -> None:
    sender = uuid.uuid4().hex
    start_form(servers, sender)
    converse(servers, sender, ANSWERS[:2])
    reason = response_text("utter_invalid_email_no_at")
    assert reason in text_of(say(servers.rasa_url, "jeanne.dupont.exemple.fr", sender))
    converse(servers, sender, ANSWERS[2:3])


def test_a_sheet_question_in_the_form_is_answered_then_the_form_resumes(servers: Servers) -> None:
    sender = uuid.uuid4().hex
    start_form(servers, sender)
    converse(servers, sender, ANSWERS[:1])
    answer = text_of(say(servers.rasa_url, "au fait, c'est quoi un PTCE ?", sender))
    assert fact("definition_regroupement") in answer and ANSWERS[0][1] in answer
    converse(servers, sender, ANSWERS[1:2])


def test_correction_at_the_summary_changes_one_field(servers: Servers) -> None:
    sender = uuid.uuid4().hex
    start_form(servers, sender)
    converse(servers, sender, ANSWERS)
    asked = say(servers.rasa_url, '/lead_correct{"lead_field": "lead_email"}', sender)
    assert response_start("utter_ask_lead_email") in text_of(asked)
    summary = text_of(say(servers.rasa_url, "j.dupont@exemple.org", sender))
    assert response_start("utter_lead_summary") in summary and "j.dupont@exemple.org" in summary
    say(servers.rasa_url, "/affirm", sender)
    assert [lead["email"] for lead in leads_of(servers, sender)] == ["j.dupont@exemple.org"]


def test_cancel_in_the_middle_stores_nothing(servers: Servers) -> None:
    sender = uuid.uuid4().hex
    start_form(servers, sender)
    converse(servers, sender, ANSWERS[:3])
    assert response_start("utter_lead_cancelled") in text_of(
        say(servers.rasa_url, "laisse tomber", sender)
    )
    assert CONSENT in text_of(say(servers.rasa_url, "je voudrais être recontacté", sender))
    assert leads_of(servers, sender) == []


def fill_form(servers: Servers, sender: str, email: str) -> None:
    """Consent and every answer, ``email`` for the address: the summary is shown."""
    start_form(servers, sender)
    converse(servers, sender, [*ANSWERS[:2], (email, ANSWERS[2][1]), *ANSWERS[3:]])


def submit_lead(servers: Servers, sender: str, email: str) -> str:
    """A lead left by ``sender`` with ``email``; the confirmation the visitor reads."""
    fill_form(servers, sender, email)
    return text_of(say(servers.rasa_url, "/affirm", sender))


def conversations(servers: Servers) -> List[str]:
    return senders(servers.env["TRACKER_STORE_URL"])


def test_delete_my_data_erases_the_leads_and_every_conversation_with_the_address(
    servers: Servers,
) -> None:
    email = f"efface-{uuid.uuid4().hex[:8]}@exemple.fr"
    sender, earlier, other = (uuid.uuid4().hex for _ in range(3))
    say(servers.rasa_url, f"bonjour, je suis {email}", earlier)  # another visit, same address
    say(servers.rasa_url, "bonjour", other)
    submit_lead(servers, sender, email)
    assert len(leads_of(servers, sender)) == 1
    deleted = response_text("utter_data_deleted").format(count=1)
    assert deleted in text_of(say(servers.rasa_url, "supprimez mes données", sender))
    assert leads_of(servers, sender) == []
    assert {sender, earlier} & set(conversations(servers)) == set()
    assert other in conversations(servers)


def test_after_the_lead_was_sent_a_correction_asks_for_consent_first(servers: Servers) -> None:
    sender = uuid.uuid4().hex
    submit_lead(servers, sender, f"corrige-{uuid.uuid4().hex[:8]}@exemple.fr")
    reply = text_of(say(servers.rasa_url, "il y a une erreur dans mon e-mail", sender))
    assert response_start("utter_nothing_to_correct") in reply
    assert response_text("utter_ask_lead_email") not in reply
    assert CONSENT in text_of(say(servers.rasa_url, "/request_contact", sender))


def test_erasure_from_a_later_visit_needs_the_reference_and_the_email(servers: Servers) -> None:
    email = f"plus-tard-{uuid.uuid4().hex[:8]}@exemple.fr"
    first, later = uuid.uuid4().hex, uuid.uuid4().hex
    (reference,) = REFERENCE.findall(submit_lead(servers, first, email))
    asked = text_of(say(servers.rasa_url, "supprimez mes données", later))
    ask_reference = response_text("utter_ask_erasure_reference")
    assert asked == f"{response_text('utter_erasure_needs_reference')}\n{ask_reference}"
    converse(servers, later, [(reference.lower(), response_start("utter_ask_erasure_email"))])
    mismatch = text_of(say(servers.rasa_url, "autre.adresse@exemple.fr", later))
    assert mismatch == response_text("utter_erasure_mismatch")
    assert len(leads_of(servers, first)) == 1 and later in conversations(servers)
    # The form has ended: the visitor who moves on gets answers, not the reference's format.
    moved_on = text_of(say(servers.rasa_url, "Merci. Combien y a-t-il de PTCE ?", later))
    assert fact("nombre_56_ptce") in moved_on and "référence" not in moved_on
    # Tried again with the mismatch's button: a question meanwhile is answered, then
    # the reference is asked again.
    assert text_of(say(servers.rasa_url, "/delete_my_data", later)).endswith(ask_reference)
    answered = text_of(say(servers.rasa_url, "au fait, qu'est-ce qu'un PTCE ?", later))
    assert fact("definition_regroupement") in answered and answered.endswith(ask_reference)
    # The reference and the e-mail typed together are both taken.
    erased = text_of(say(servers.rasa_url, f"c'est {reference}, mail : {email.upper()}", later))
    assert erased == response_text("utter_data_deleted_by_reference").format(reference=reference)
    assert leads_of(servers, first) == []
    assert {first, later} & set(conversations(servers)) == set()


def test_a_crafted_correction_gets_the_fields_and_no_log_tells_the_address(
    servers: Servers,
) -> None:
    """An entity of the wrong type once made the action fail, and rasa_sdk's error body,
    the whole tracker, went into the Rasa server's log."""
    email = f"journal-{uuid.uuid4().hex[:8]}@exemple.fr"
    sender = uuid.uuid4().hex
    fill_form(servers, sender, email)
    reply = text_of(say(servers.rasa_url, '/lead_correct{"lead_field": {"x": 1}}', sender))
    assert response_start("utter_ask_field_to_correct") in reply
    logs = sorted(servers.work.glob("*.log"))
    assert {log.name for log in logs} >= {"actions.log", "rasa.log"}
    assert not [log.name for log in logs if email in log.read_text(errors="replace")]
