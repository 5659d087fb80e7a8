"""Leads as the tests make them and as the firm reads them back.

``lead_input`` is a valid form submission to vary field by field; ``form_turns``
pairs a visitor's answers with what the form says next, on any channel;
``leads_command`` runs the firm's command as the firm does, and ``export_leads``
reads the store through it, so the tests check what the firm would get;
``text_and_html`` reads a lead e-mail's two bodies as the firm's mail client shows them.
"""

import json
import re
import subprocess
import sys
from datetime import datetime, timezone
from email.message import EmailMessage
from typing import Any, Dict, List, Sequence, Tuple

from sqlalchemy import select

from actions.leads.store import LeadInput, LeadStore
from actions.leads.tables import leads
from tests.support.content import ROOT, response_start

# A lead reference as the visitor reads it (actions/leads/store.py, new_reference).
REFERENCE = re.compile(r"PTCE-[2-9A-Z]{4}-[2-9A-Z]{4}")

VISITOR_EMAIL = "jeanne.dupont@exemple.fr"
VISITOR_PHONE = "+33612345678"
# What the contact form says after each answer, from the consent on, in its order.
FORM_QUESTIONS = [
    "utter_ask_lead_name",
    "utter_ask_lead_email",
    "utter_ask_lead_phone",
    "utter_ask_lead_organisation",
    "utter_ask_lead_organisation_type",
    "utter_ask_lead_territory",
    "utter_ask_lead_need",
    "utter_ask_lead_message",
    "utter_lead_summary",
]


def lead_input(**overrides: Any) -> LeadInput:
    """A valid ``LeadInput``; keyword arguments override its fields."""
    values: Dict[str, Any] = dict(
        conversation_id="conv-1",
        channel="socketio",
        name="Jeanne Dupont",
        email=VISITOR_EMAIL,
        phone=VISITOR_PHONE,
        organisation="Tiers-lieu des Pentes",
        organisation_type="association",
        territory="Lyon 1er",
        need="creer_ptce",
        message="Nous voulons créer un PTCE avec trois associations du quartier.",
        consent_at=datetime(2025, 3, 12, 13, 5, tzinfo=timezone.utc),
        consent_version="2025-01",
        topic="faq/ptce_definition",
        context=[
            {"sender": "user", "text": "C'est quoi un PTCE ?"},
            {"sender": "bot", "text": "Un pôle territorial de coopération économique…"},
        ],
    )
    values.update(overrides)
    return LeadInput(**values)


def form_turns(answers: Sequence[str]) -> List[Tuple[str, str]]:
    """Each answer of a visitor who accepted the consent notice, with the start of what
    the form says next (``response_start``), whatever channel shows it. A visitor may
    stop midway: fewer answers than questions."""
    questions = FORM_QUESTIONS[: len(answers)]
    return [(answer, response_start(name)) for answer, name in zip(answers, questions, strict=True)]


def leads_command(arguments: Sequence[str], env: Dict[str, str]) -> subprocess.CompletedProcess:
    """``python -m actions.leads <arguments>`` run as the firm runs it, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "actions.leads", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def export_leads(env: Dict[str, str]) -> List[dict]:
    """The leads of the store ``env`` names, as ``python -m actions.leads export`` prints them."""
    result = leads_command(["export", "--format", "json"], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def leads_of_conversation(env: Dict[str, str], conversation_id: str) -> List[dict]:
    """The exported leads a conversation left: the export never shows the conversation id,
    so the store says which references are that conversation's."""
    store = LeadStore(env["LEADS_DATABASE_URL"])
    try:
        with store.engine.connect() as connection:
            query = select(leads.c.reference).where(leads.c.conversation_id == conversation_id)
            references = set(connection.execute(query).scalars())
    finally:
        store.dispose()
    return [lead for lead in export_leads(env) if lead["reference"] in references]


def text_and_html(message: EmailMessage) -> Tuple[str, str]:
    """The plain-text and HTML bodies of a lead e-mail, to check each one the team may read."""
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return plain, html
