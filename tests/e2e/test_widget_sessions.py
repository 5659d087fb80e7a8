"""The widget's session ids are the server's, signed: nobody resumes another's conversation.

With a python-socketio client, what a script can send (another visitor's id, an
altered signature, an id signed elsewhere); in headless Chromium, what
rasa-webchat 1.0.1 does with the id the server confirms: it keeps it, so a reload
shows the history, and a forged id in its storage gets a new conversation.
"""

import asyncio
import json
import re
from typing import Iterator, List, Optional

import pytest
from playwright.sync_api import Browser

from channels import secret
from channels.sessions import sign
from tests.e2e.test_widget import GREETING, browser, open_tab  # noqa: F401 - a fixture
from tests.support.chat import text_of
from tests.support.content import response_start
from tests.support.databases import conversation_events
from tests.support.session import Servers
from tests.support.webchat import WebchatClient, conversation

SIGNED = re.compile(r"[0-9a-f]{32}\.[0-9a-f]{32}")
CONSENT = response_start("utter_ask_consent")
STORED_SESSION = "JSON.parse(sessionStorage.getItem('chat_session') || '{}').session_id"


@pytest.fixture
def other_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This test process signs as another deployment would (the server has its own secret)."""
    monkeypatch.setenv(secret.SECRET_VARIABLE, "une-autre-installation-" * 2)
    secret.server_secret.cache_clear()
    yield
    secret.server_secret.cache_clear()


async def victim_and_attacker(servers: Servers, forged: List[str]) -> List[List[str]]:
    """A victim starts the contact form; an attacker asks for each forged id and writes.

    Returns, per forged id: the id the server confirmed and the attacker's replies."""
    origin = servers.env["WEBCHAT_ALLOWED_ORIGINS"]
    victim = WebchatClient(servers.rasa_url, origin)
    victim_id = await victim.connect()
    assert CONSENT in text_of(await victim.say("je voudrais être recontacté par un consultant"))
    await victim.close()
    results = []
    for template in forged:
        attacker = WebchatClient(servers.rasa_url, origin)
        confirmed = await attacker.connect(template.format(victim=conversation(victim_id)))
        results.append([victim_id, confirmed, text_of(await attacker.say("/affirm"))])
        await attacker.close()
    return results


def test_an_id_this_deployment_did_not_sign_starts_a_new_conversation(
    servers: Servers, other_secret: None
) -> None:
    forged = [
        "{victim}",  # the conversation part alone, unsigned
        "{victim}." + "0" * 32,  # a made-up signature
        "{victim}." + sign("x" * 32).split(".")[1],  # a real signature, of another id
    ]
    results = asyncio.run(victim_and_attacker(servers, forged))
    for victim_id, confirmed, replies in results:
        assert SIGNED.fullmatch(confirmed) and conversation(confirmed) != conversation(victim_id)
        # "/affirm" in a new conversation is no consent to the victim's form.
        assert response_start("utter_ask_lead_name") not in replies
    victim_events = conversation_events(servers.env["TRACKER_STORE_URL"], conversation(victim_id))
    assert [e["text"] for e in victim_events if e["event"] == "user"] == [
        "je voudrais être recontacté par un consultant"
    ]


def test_an_id_signed_by_another_deployment_is_refused(
    servers: Servers, other_secret: None
) -> None:
    async def ask(session_id: str) -> str:
        client = WebchatClient(servers.rasa_url, servers.env["WEBCHAT_ALLOWED_ORIGINS"])
        try:
            return await client.connect(session_id)
        finally:
            await client.close()

    elsewhere = sign("ab" * 16)
    confirmed = asyncio.run(ask(elsewhere))
    assert confirmed != elsewhere and conversation(confirmed) != "ab" * 16


def test_a_signed_id_resumes_its_conversation_on_a_new_connection(servers: Servers) -> None:
    async def two_connections() -> List[str]:
        origin = servers.env["WEBCHAT_ALLOWED_ORIGINS"]
        first = WebchatClient(servers.rasa_url, origin)
        issued = await first.connect()
        await first.say("je voudrais être recontacté par un consultant")
        await first.close()
        second = WebchatClient(servers.rasa_url, origin)
        resumed = await second.connect(issued)
        replies = text_of(await second.say("/affirm"))
        await second.close()
        return [issued, resumed, replies]

    issued, resumed, replies = asyncio.run(two_connections())
    assert resumed == issued
    assert response_start("utter_ask_lead_name") in replies  # the same form goes on


def stored_session(page) -> Optional[str]:
    return page.evaluate(STORED_SESSION)


def test_the_widget_keeps_the_confirmed_id_and_a_forged_one_gets_a_new_conversation(
    browser: Browser,  # noqa: F811 - the fixture imported above
    demo_page_url: str,
    servers: Servers,
) -> None:
    visit = open_tab(browser, viewport={"width": 1100, "height": 720})
    page = visit.page
    page.goto(demo_page_url)
    page.locator(".rw-launcher").click()
    visit.bot_says(GREETING)
    issued = stored_session(page)
    assert SIGNED.fullmatch(issued)

    with page.expect_console_message(lambda m: m.text.endswith(f"session_id:{issued}")):
        page.reload()
    visit.bot_says(GREETING)  # the history is shown again, from the same session
    assert stored_session(page) == issued
    assert page.locator(".rw-message-text", has_text=GREETING).count() == 1

    # Another visitor's conversation, unsigned, written into this tab's storage.
    victim = "0123456789abcdef" * 2
    page.evaluate(
        """victim => {
          const session = JSON.parse(sessionStorage.getItem('chat_session'));
          session.session_id = victim;
          sessionStorage.setItem('chat_session', JSON.stringify(session));
        }""",
        victim,
    )
    with page.expect_console_message(lambda m: m.text.startswith("session_confirm")) as message:
        page.reload()
    confirmed = message.value.text.rsplit("session_id:", 1)[1]
    assert SIGNED.fullmatch(confirmed) and conversation(confirmed) not in (victim, issued)
    page.wait_for_function(f"() => {STORED_SESSION} === {json.dumps(confirmed)}")
    visit.send("bonjour")
    page.locator(".rw-message-text", has_text=GREETING).nth(1).wait_for()
    store = servers.env["TRACKER_STORE_URL"]
    assert conversation_events(store, victim) == []
    assert any(e["event"] == "user" for e in conversation_events(store, conversation(confirmed)))
    assert not visit.errors
