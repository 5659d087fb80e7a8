"""The web chat widget in a real headless Chromium, against the real Rasa server.

The demo page (web/index.html, served by scripts/serve_web.py) talks to the test
Rasa server over socket.io (channels/socketio.py). Debian's /usr/bin/chromium is
driven by Playwright; `playwright install` is never needed. Every request the
page makes is recorded: none may leave loopback (no CDN, no font host).
"""

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, List, Optional
from urllib.parse import urlsplit

import pytest
import requests
from PIL import Image
from playwright.sync_api import Browser, Page, sync_playwright

from actions.topics import TOPICS
from channels.socketio import parse_allowed_origins
from tests.support.blind import fact
from tests.support.content import ROOT, response_start
from tests.support.session import Servers

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
LOOPBACK = {"127.0.0.1", "localhost"}
ARTIFACTS = ROOT / "tests" / "artifacts"
TIMEOUT_MS = 30_000

GREETING = response_start("utter_greet")
PTCE_QUESTION = "C'est quoi un PTCE ?"
PTCE_ANSWER = fact("definition_regroupement")
# Quick replies: the greeting's first one, and two under the PTCE answer.
DEFINITION = TOPICS["faq/ptce_definition"].title
BENEFITS = TOPICS["faq/ptce_benefices"].title
VIDEO = TOPICS["faq/ptce_video"].title
VIDEO_ANSWER = response_start("utter_faq/ptce_video")
VIDEO_URL = fact("lien_video_presentation")
# From Enter to the answer on screen: the server answers in tens of milliseconds,
# and the widget must not hold the answer back much longer (web/index.html).
ANSWER_SECONDS = 1.0
# rasa-webchat logs this each time it sends `initPayload` (the greeting request).
INIT_PAYLOAD_LOG = "sending init payload"
# The typing indicator's label, once the indicator is on screen.
TYPING_LABEL = """() => {
  const indicator = document.querySelector(".rw-typing-indication .rw-response");
  return indicator && getComputedStyle(indicator, "::after").content;
}"""
# Records when Enter is pressed and when a bot message holding `expected` appears,
# both on the page's own clock, so the browser driver's round trips do not count.
TIME_TO_ANSWER = """expected => {
  const flat = text => text.replace(/\\s+/g, " ");
  const timing = (window.timeToAnswer = {});
  document.addEventListener("keydown", event => {
    if (event.key === "Enter" && timing.sent === undefined) timing.sent = performance.now();
  }, true);
  new MutationObserver((_, observer) => {
    const shown = [...document.querySelectorAll(".rw-from-response .rw-message-text")]
      .some(message => flat(message.textContent).includes(flat(expected)));
    if (shown && timing.sent !== undefined) {
      timing.shown = performance.now();
      observer.disconnect();
    }
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
}"""


@dataclass
class Visit:
    """A browser tab on the demo page, with everything it asked the network for."""

    page: Page
    urls: List[str] = field(default_factory=list)
    console: List[str] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)

    def off_loopback(self) -> List[str]:
        return [
            url
            for url in self.urls
            if urlsplit(url).scheme not in ("data", "blob")
            and urlsplit(url).hostname not in LOOPBACK
        ]

    def bot_says(self, text: str) -> None:
        self.page.locator(".rw-from-response .rw-message-text", has_text=text).first.wait_for()

    def send(self, text: str) -> None:
        self.page.fill(".rw-new-message", text)
        self.page.keyboard.press("Enter")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: apt-get install -y chromium (never `playwright install`)"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_tab(browser: Browser, **context_options: object) -> Visit:
    context = browser.new_context(locale="fr-FR", **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    visit = Visit(page)
    context.on("request", lambda request: visit.urls.append(request.url))
    page.on("websocket", lambda socket: visit.urls.append(socket.url))
    page.on("console", lambda message: visit.console.append(message.text))
    page.on("pageerror", lambda error: visit.errors.append(str(error)))
    return visit


def screenshot(visit: Visit, name: str, docs_copy: bool = False) -> None:
    """Save tests/artifacts/<name>; with docs_copy and UPDATE_README_SCREENSHOT=1
    (`make screenshot`), a 64-colour copy (about 50 KB) in docs/ for the README too."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    visit.page.mouse.move(0, 0)  # no hover effect in the picture
    visit.page.screenshot(path=str(path))
    if docs_copy and os.environ.get("UPDATE_README_SCREENSHOT") == "1":
        with Image.open(path) as image:
            small = image.convert("RGB").quantize(
                colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
            )
            small.save(ROOT / "docs" / name, optimize=True)


def test_a_visitor_chats_in_french_and_keeps_the_conversation_on_reload(
    browser: Browser, demo_page_url: str
) -> None:
    visit = open_tab(browser, viewport={"width": 1100, "height": 720})
    page = visit.page
    page.goto(demo_page_url)
    assert (
        page.locator("h1")
        .inner_text()
        .startswith("Les pôles territoriaux de coopération économique")
    )

    launcher = page.locator(".rw-launcher")
    assert launcher.get_attribute("aria-label") == "Ouvrir l'assistant PTCE"
    launcher.click()
    visit.bot_says(GREETING)
    assert page.locator(".rw-title").inner_text() == "Fr Consultants"
    assert page.locator(".rw-header").inner_text().endswith("Assistant PTCE")
    assert page.locator(".rw-new-message").get_attribute("placeholder") == "Posez votre question…"
    assert launcher.get_attribute("aria-label") == "Fermer l'assistant PTCE"

    visit.send(PTCE_QUESTION)
    # The indicator shows only briefly: read its label in the page as soon as it appears.
    label = page.wait_for_function(TYPING_LABEL).json_value()
    assert "L'assistant écrit…" in label
    visit.bot_says(PTCE_ANSWER)

    page.locator(".rw-reply", has_text=VIDEO).click()
    visit.bot_says(VIDEO_ANSWER)
    link = page.locator(f'.rw-message-text a[href="{VIDEO_URL}"]')
    assert link.get_attribute("target") == "_blank"
    assert "noopener" in (link.get_attribute("rel") or "")
    page.locator(".rw-typing-indication").wait_for(state="detached")
    screenshot(visit, "widget.png", docs_copy=True)

    # rasa-webchat logs "session_confirm:<socket> session_id:<id>" once the server took
    # the session back.
    with page.expect_console_message(lambda message: message.text.startswith("session_confirm")):
        page.reload()
    visit.bot_says(VIDEO_ANSWER)
    for kept in (GREETING, PTCE_QUESTION, PTCE_ANSWER, VIDEO):
        assert page.locator(".rw-messages-container", has_text=kept).count() == 1
    # Same session after the reload: the server still answers it, and it is not greeted twice.
    visit.send("quel est l'interet d'un ptce pour une commune")
    visit.bot_says(fact("plus_value_emplois"))
    assert page.locator(".rw-message-text", has_text=GREETING).count() == 1
    assert sum(INIT_PAYLOAD_LOG in line for line in visit.console) == 1, visit.console

    # RGPD: the conversation lives in this tab only (sessionStorage), no cookie, nothing lasting.
    assert page.context.cookies() == []
    assert page.evaluate("localStorage.length") == 0
    assert page.evaluate("Object.keys(sessionStorage)") == ["chat_session"]

    assert not visit.errors
    assert any("/socket.io/" in url for url in visit.urls)
    assert visit.off_loopback() == [], visit.off_loopback()


def test_an_answer_shows_within_a_second_of_pressing_enter(
    browser: Browser, demo_page_url: str
) -> None:
    """rasa-webchat holds every message back by its ``customMessageDelay``, by default
    30 ms a character between 0.8 and 3 s: a long answer the server gave in tens of
    milliseconds would show 3 s later. The demo page's delay must keep it short."""
    visit = open_tab(browser, viewport={"width": 1100, "height": 720})
    page = visit.page
    page.goto(demo_page_url)
    page.locator(".rw-launcher").click()
    visit.bot_says(GREETING)
    visit.send("bonjour")  # the server's first understanding of a message is slower
    page.locator(".rw-message-text", has_text=GREETING).nth(1).wait_for()

    page.evaluate(TIME_TO_ANSWER, PTCE_ANSWER)
    visit.send(PTCE_QUESTION)
    timing = page.wait_for_function("() => window.timeToAnswer.shown && window.timeToAnswer")
    timing = timing.json_value()
    seconds = (timing["shown"] - timing["sent"]) / 1000
    print(f"from Enter to the answer on screen: {seconds:.3f} s")
    assert seconds <= ANSWER_SECONDS
    assert not visit.errors


def test_quick_replies_and_buttons_work_with_the_keyboard_alone(
    browser: Browser, demo_page_url: str
) -> None:
    visit = open_tab(browser, viewport={"width": 1100, "height": 720})
    page = visit.page
    page.goto(demo_page_url)
    page.locator(".rw-launcher").wait_for()

    def focused(selector: str, text: str = "") -> bool:
        return page.evaluate(
            "([selector, text]) => document.activeElement.matches(selector)"
            " && document.activeElement.textContent.includes(text)",
            [selector, text],
        )

    def tab_to(selector: str, text: str = "") -> None:
        for _ in range(30):
            page.keyboard.press("Tab")
            if focused(selector, text):
                return
        pytest.fail(f"Tab never reached {selector} {text!r}")

    tab_to(".rw-launcher")
    page.keyboard.press("Enter")
    visit.bot_says(GREETING)
    assert focused(".rw-new-message")  # ready to type

    tab_to(".rw-reply", DEFINITION)
    reply = page.locator(".rw-reply", has_text=DEFINITION)
    assert reply.get_attribute("role") == "button"
    page.keyboard.press("Enter")
    visit.bot_says(PTCE_ANSWER)

    tab_to(".rw-reply", BENEFITS)
    page.keyboard.press(" ")
    visit.bot_says(fact("plus_value_emplois"))
    assert not visit.errors
    assert visit.off_loopback() == []


def test_the_widget_is_readable_and_usable_on_a_phone(browser: Browser, demo_page_url: str) -> None:
    width, height = 390, 844
    visit = open_tab(
        browser,
        viewport={"width": width, "height": height},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=1,
    )
    page = visit.page
    page.goto(demo_page_url)
    page.locator(".rw-launcher").tap()
    visit.bot_says(GREETING)

    # Full screen, nothing sideways, text large enough to read, replies large enough to tap.
    box = page.locator(".rw-conversation-container").bounding_box()
    assert box["x"] >= 0 and box["width"] >= width - 2 and box["x"] + box["width"] <= width + 1
    assert box["height"] >= height * 0.9
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    size = "element => parseFloat(getComputedStyle(element).fontSize)"
    assert page.locator(".rw-message-text", has_text=GREETING).evaluate(size) >= 14
    assert page.locator(".rw-new-message").evaluate(size) >= 16  # no zoom on focus
    replies = page.locator(".rw-reply")
    assert replies.count() >= 2
    for index in range(replies.count()):
        reply = replies.nth(index).bounding_box()
        assert reply["height"] >= 24 and reply["x"] + reply["width"] <= width
    close = page.locator(".rw-close-button")
    assert close.is_visible() and close.get_attribute("aria-label") == "Fermer l'assistant PTCE"

    replies.filter(has_text=DEFINITION).tap()
    visit.bot_says(PTCE_ANSWER)
    page.locator(".rw-typing-indication").wait_for(state="detached")
    screenshot(visit, "widget-phone.png")
    assert not visit.errors
    assert visit.off_loopback() == []


def test_a_page_of_another_origin_gets_no_widget(
    browser: Browser, demo_page_url: str, servers: Servers
) -> None:
    # Same files, but from http://localhost:<port>: an origin the server does not list.
    other_origin = demo_page_url.replace("http://127.0.0.1:", "http://localhost:", 1)
    visit = open_tab(browser, viewport={"width": 1100, "height": 720})
    page = visit.page
    page.goto(other_origin)
    page.wait_for_timeout(3000)
    assert any("/socket.io/" in url for url in visit.urls)  # it tried
    assert not any(line.startswith("session_confirm") for line in visit.console), visit.console
    assert not page.locator(".rw-launcher").is_visible()  # hidden while not connected
    refused = requests.get(
        f"{servers.rasa_url}/socket.io/?EIO=4&transport=polling",
        headers={"Origin": urlsplit(other_origin)._replace(path="", query="").geturl()},
        timeout=10,
    )
    assert refused.status_code == 400


def test_socketio_answers_cors_once_and_only_for_allowed_origins(servers: Servers) -> None:
    handshake = f"{servers.rasa_url}/socket.io/?EIO=4&transport=polling"
    allowed = servers.env["WEBCHAT_ALLOWED_ORIGINS"]

    answer = requests.get(handshake, headers={"Origin": allowed}, timeout=10)
    assert answer.status_code == 200
    # Engine.IO answers CORS; Sanic-Cors (`--cors`) must not add a second header.
    assert answer.raw.headers.getlist("Access-Control-Allow-Origin") == [allowed]

    for other in ("http://evil.example", "https://fr-consultants.com.evil.example", "null"):
        refused = requests.get(handshake, headers={"Origin": other}, timeout=10)
        assert refused.status_code == 400, other
        assert "Access-Control-Allow-Origin" not in refused.headers

    upgrade = requests.get(
        handshake.replace("polling", "websocket"),
        headers={
            "Origin": "http://evil.example",
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
        timeout=10,
    )
    assert upgrade.status_code == 400


@pytest.mark.parametrize(
    "value, origins",
    [
        (None, ["http://localhost:8080", "http://127.0.0.1:8080"]),
        (
            " https://FR-Consultants.com/ , https://fr-consultants.com:443,http://x.test:80",
            ["https://fr-consultants.com", "http://x.test"],
        ),
        ("http://127.0.0.1:8081", ["http://127.0.0.1:8081"]),
    ],
)
def test_allowed_origins_are_written_as_browsers_send_them(
    value: Optional[str], origins: List[str]
) -> None:
    assert parse_allowed_origins(value) == origins


@pytest.mark.parametrize(
    "value",
    [
        "",
        " , ",
        "*",
        "fr-consultants.com",
        "https://fr-consultants.com/chat",
        "ftp://fr-consultants.com",
        "https://user@fr-consultants.com",
    ],
)
def test_an_empty_or_open_origin_list_is_refused(value: str) -> None:
    # python-engineio reads an empty list as "check nothing": the channel must not start with one.
    with pytest.raises(ValueError):
        parse_allowed_origins(value)
