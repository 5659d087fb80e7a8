"""What the lead e-mail and the webhook body say, built without a server."""

import hashlib
import hmac
import io
import json
from email.utils import parsedate_to_datetime
from html import escape as html_escape
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

from actions.leads.cli import write_csv
from actions.leads.destinations import EmailDestination, WebhookDestination
from actions.leads.store import LeadInput, LeadStore
from tests.support.leads import text_and_html


def test_the_webhook_body_is_the_lead_in_sorted_utf8_json_and_signed_with_hmac_sha256(
    sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    lead = sqlite_store.create(make_lead(territory="Évreux"), [])
    webhook = WebhookDestination(url="https://crm.exemple.fr/leads", secret="s3cret")
    body = webhook.body(lead)
    assert body == json.dumps(lead.as_dict(), ensure_ascii=False, sort_keys=True).encode()
    assert "Évreux".encode() in body
    expected = hmac.new(b"s3cret", b"1767225600." + body, hashlib.sha256).hexdigest()
    assert webhook.signature(body, 1767225600) == expected


# The README's test vector: a CRM developer checks their receiver against it.
VECTOR_SECRET = "whsec-exemple-ptce"


VECTOR_TIMESTAMP = 1767225600  # 2026-01-01T00:00:00Z


VECTOR_BODY = b'{"id":"3f2b8c1e","reference":"PTCE-0001"}'


VECTOR_SIGNATURE = "1b0d4627676f915ccce5763034faeec0ea45b6e56f5c278b3feb21d087bedd77"


def test_the_signed_test_vector_and_the_readme_agree() -> None:
    webhook = WebhookDestination(url="https://crm.exemple.fr/leads", secret=VECTOR_SECRET)
    assert webhook.signature(VECTOR_BODY, VECTOR_TIMESTAMP) == VECTOR_SIGNATURE
    readme = (Path(__file__).parents[3] / "README.md").read_text(encoding="utf-8")
    for value in (VECTOR_SECRET, str(VECTOR_TIMESTAMP), VECTOR_BODY.decode(), VECTOR_SIGNATURE):
        assert value in readme


def _message_for(lead: Any, sender: str = "Assistant PTCE <robot@exemple.fr>") -> Any:
    destination = EmailDestination(host="h", sender=sender, recipients=("a@b.fr", "c@d.fr"))
    return destination.build_message(lead)


def test_the_email_headers(sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]) -> None:
    lead = sqlite_store.create(make_lead(), [])
    message = _message_for(lead)
    assert message["From"] == "Assistant PTCE <robot@exemple.fr>"
    assert message["To"] == "a@b.fr, c@d.fr"
    assert message["Message-ID"] == f"<lead-{lead.id}@exemple.fr>"
    assert parsedate_to_datetime(message["Date"]) == lead.created_at.replace(microsecond=0)


def test_the_email_of_a_lead_without_phone_topic_or_context(
    sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    lead = sqlite_store.create(
        make_lead(phone=None, topic=None, context=[], organisation_type="autre_chose"), []
    )
    plain, html = text_and_html(_message_for(lead))
    lines = plain.splitlines()
    assert lines[:2] == ["Nouveau contact reçu par l'assistant PTCE.", ""]
    assert "Téléphone : non communiqué" in lines
    assert "Sujet de la conversation : non précisé" in lines
    assert "Type de structure : autre_chose" in lines
    assert lines[-3:] == ["", "Message :", lead.message]
    assert "Derniers messages" not in plain and "Derniers messages" not in html


def test_the_context_is_told_whatever_shape_it_was_stored_in(
    sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    context = [
        {"sender": "user", "text": "Bonjour"},
        {"sender": "bot", "text": "Bienvenue"},
        {"sender": "agent", "text": "Un humain"},
        {"text": "Sans auteur"},
        {"sender": "user"},
        "Une simple ligne",
    ]
    lead = sqlite_store.create(make_lead(context=context), [])
    plain, html = text_and_html(_message_for(lead))
    told = [
        "Visiteur : Bonjour",
        "Assistant : Bienvenue",
        "agent : Un humain",
        "? : Sans auteur",
        "Visiteur : ",
        "Une simple ligne",
    ]
    assert plain.endswith(
        f"\n{lead.message}\n\nDerniers messages de la conversation :\n"
        + "".join(f"- {line}\n" for line in told)
    )
    assert "<h3>Derniers messages de la conversation</h3><ul>" in html
    assert "".join(f"<li>{html_escape(line)}</li>" for line in told) in html


def test_the_email_text_gives_every_field_under_its_french_label(
    sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    lead = sqlite_store.create(make_lead(), [])
    received = lead.created_at.astimezone(ZoneInfo("Europe/Paris"))
    plain, html = text_and_html(_message_for(lead))
    fields = [
        f"Référence : {lead.reference}",
        f"Reçu le : {received:%d/%m/%Y à %H:%M} (heure de Paris)",
        "Nom : Jeanne Dupont",
        "E-mail : jeanne.dupont@exemple.fr",
        "Téléphone : +33612345678",
        "Structure : Tiers-lieu des Pentes",
        "Type de structure : Association ou autre structure de l'ESS",
        "Territoire : Lyon 1er",
        "Besoin : Créer un PTCE",
        "Sujet de la conversation : faq/ptce_definition",
        "Consentement : donné le 12/03/2025 à 14:05 (heure de Paris), version 2025-01",
        "Canal : socketio",
    ]
    assert plain.splitlines()[2:14] == fields
    for line in fields:
        label, value = line.split(" : ", 1)
        row = f'<tr><th align="left">{html_escape(label)}</th><td>{html_escape(value)}</td></tr>'
        assert row in html
    assert f'<p style="white-space: pre-wrap">{html_escape(lead.message)}</p>' in html
    assert html.startswith('<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head>')


def test_the_email_html_is_the_fields_table_then_the_message(
    sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    lead = sqlite_store.create(make_lead(context=[]), [])
    message = _message_for(lead)
    plain, html = text_and_html(message)
    rows = "\n".join(
        f'<tr><th align="left">{html_escape(label)}</th><td>{html_escape(value)}</td></tr>'
        for label, value in (line.split(" : ", 1) for line in plain.splitlines()[2:14])
    )
    assert html == (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head><body>'
        "<p>Nouveau contact reçu par l'assistant PTCE.</p>"
        f"<table>{rows}</table>"
        "<h3>Message</h3>"
        f'<p style="white-space: pre-wrap">{html_escape(lead.message)}</p>'
        "</body></html>\n"
    )
    # Quoted-printable keeps the French text 7-bit clean for any relay, and readable.
    assert [part["Content-Transfer-Encoding"] for part in message.iter_parts()] == [
        "quoted-printable",
        "quoted-printable",
    ]


def test_the_message_id_is_on_the_domain_of_the_sender_address(
    sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    """The address's domain, not a word of the display name that holds an @."""
    lead = sqlite_store.create(make_lead(), [])
    message = _message_for(lead, sender='"PTCE @ Fr" <robot@Xyz.fr>')
    assert message["Message-ID"] == f"<lead-{lead.id}@Xyz.fr>"


def test_no_output_carries_the_conversation_id(
    sqlite_store: LeadStore, make_lead: Callable[..., LeadInput]
) -> None:
    """Whoever holds a conversation id can continue or erase that conversation: the
    e-mail, the CRM body and the exports quote the lead's reference instead."""
    lead = sqlite_store.create(make_lead(conversation_id="c0nv-secrete-42"), [])
    email = EmailDestination(host="localhost", sender="a@b.fr", recipients=("c@d.fr",))
    webhook = WebhookDestination(url="https://crm.exemple.fr/leads", secret="s3cret")
    out = io.StringIO()
    write_csv(sqlite_store.export(), out)
    outputs = {
        "e-mail": "".join(text_and_html(email.build_message(lead))),
        "webhook": webhook.body(lead).decode(),
        "csv": out.getvalue(),
        "json": json.dumps(sqlite_store.export()),
    }
    for name, text in outputs.items():
        assert lead.reference in text, name
        assert "c0nv-secrete-42" not in text, name
