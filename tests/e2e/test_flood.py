"""Floods from one client address, through nginx's place, on the real servers.

Issue 11's probe: 8 visitors from one address, each with a fresh conversation,
completed the form and 8 leads were stored and sent. Here the test plays nginx
(the session's servers trust 127.0.0.1 as a proxy) and names the same address in
``X-Forwarded-For`` for every conversation.
"""

import re
import uuid
from typing import List

from tests.e2e.test_leads import ANSWERS, CONSENT, wait_for
from tests.support.chat import say, text_of
from tests.support.content import response_start
from tests.support.leads import export_leads
from tests.support.session import Servers

LEADS_PER_ADDRESS = 3  # LEADS_MAX_PER_ADDRESS_PER_HOUR's default: the session leaves it unset
MESSAGES_PER_ADDRESS = 60  # RATE_LIMIT_MESSAGES_PER_ADDRESS's default
SUBMITTED = response_start("utter_lead_submitted")
BUSY = response_start("utter_leads_busy")
TOO_FAST = response_start("utter_too_many_messages")


def new_address() -> str:
    """An address of this run alone."""
    return f"2001:db8:ffff:{uuid.uuid4().int % 65535:x}::7"


def complete_the_form(servers: Servers, address: str) -> str:
    """A fresh conversation from ``address`` that fills the form and confirms it.

    Each conversation also forges an ``X-Forwarded-For`` entry of its own, which
    nginx would keep in front of the address it saw: it must not make a new visitor."""
    sender = uuid.uuid4().hex
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}, {address}"
    assert CONSENT in text_of(say(servers.rasa_url, "je voudrais être recontacté", sender, address))
    for message, expected in ANSWERS:
        assert expected in text_of(say(servers.rasa_url, message, sender, address)), message
    return text_of(say(servers.rasa_url, "/affirm", sender, address))


def test_one_address_stores_and_sends_only_its_hourly_leads(servers: Servers) -> None:
    address = new_address()
    stored_before = len(export_leads(servers.env))
    mails_before = len(servers.smtp.messages)
    endings = [complete_the_form(servers, address) for _ in range(LEADS_PER_ADDRESS + 2)]

    assert [SUBMITTED in ending for ending in endings] == [True] * LEADS_PER_ADDRESS + [False] * 2
    assert all(BUSY in ending for ending in endings[LEADS_PER_ADDRESS:])
    references: List[str] = [re.search(r"PTCE-[\w-]+", e)[0] for e in endings[:LEADS_PER_ADDRESS]]
    stored = export_leads(servers.env)
    assert len(stored) == stored_before + LEADS_PER_ADDRESS
    assert {lead["reference"] for lead in stored} >= set(references)
    assert wait_for(lambda: len(servers.smtp.messages) == mails_before + LEADS_PER_ADDRESS)
    # Another address is not held back by this one.
    assert SUBMITTED in complete_the_form(servers, new_address())


def test_one_address_is_slowed_down_across_its_conversations(servers: Servers) -> None:
    address = new_address()
    senders = [uuid.uuid4().hex for _ in range(3)]  # each far below 30 messages a minute
    replies = [
        text_of(say(servers.rasa_url, "bonjour", senders[index % 3], address))
        for index in range(MESSAGES_PER_ADDRESS + 1)
    ]
    assert TOO_FAST not in "".join(replies[:MESSAGES_PER_ADDRESS])
    assert TOO_FAST in replies[-1]
    # Another visitor, in the same minute, is answered.
    assert TOO_FAST not in text_of(say(servers.rasa_url, "bonjour"))
