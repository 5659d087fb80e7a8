"""The widget fed by a hostile server, in a real headless Chromium.

A server the page is pointed at (the demo page's ``?socket=``, or a compromised
Rasa server) sends bot messages whose attachments, carousels, buttons and Markdown
carry ``javascript:`` and ``data:`` addresses, HTML, and metadata that restyles
the host page. web/src/webchat-fr.js must leave none of those addresses in the
page, run none of them, and keep the safe ones. No Rasa server is needed: the
server here is tests/support/hostile_socketio.py.
"""

import json
import re
from pathlib import Path
from typing import Any, Iterator, List

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.test_widget import browser, open_tab  # noqa: F401 - a fixture
from tests.support.hostile_socketio import HostileSocketServer
from tests.support.ports import free_port
from tests.support.processes import base_env, serving_demo_page

RUN = "javascript:top.__pwned=(top.__pwned||[]).concat('{}')"
DATA_PAGE = "data:text/html,<script>top.__pwned=['data']</script>"
UNSAFE = r"\s*(javascript:|vbscript:|data:(?!image/))"
LAST = "Fin des messages de test."
SAFE_LINK = "https://fr-consultants.com/"
SAFE_VIDEO = "/static/rasa-webchat.LICENSE.txt"  # same origin as the page: kept


def attachment(kind: str, src: str) -> dict:
    return {"attachment": {"type": kind, "payload": {"title": kind, "src": src}}}


HOSTILE = [
    attachment("video", RUN.format("video")),
    attachment("video", DATA_PAGE),
    attachment("image", RUN.format("image")),
    attachment("image", "data:image/svg+xml,<svg onload=\"top.__pwned=['svg']\"/>"),
    attachment("video", SAFE_VIDEO),
    {
        "text": f"[piège]({RUN.format('markdown')}) ![image]({RUN.format('md-image')}) "
        f"<img src=x onerror=\"top.__pwned=['html']\"> [le site]({SAFE_LINK})"
    },
    {
        "text": "Choisissez :",
        "quick_replies": [
            {"title": "Lien", "type": "web_url", "url": RUN.format("reply")},
            {"title": "Données", "type": "web_url", "url": DATA_PAGE},
        ],
    },
    {
        "attachment": {
            "type": "template",
            "payload": {
                "template_type": "generic",
                "elements": [
                    {
                        "title": "Carte",
                        "subtitle": "piège",
                        "image_url": RUN.format("card-image"),
                        "default_action": {"type": "web_url", "url": RUN.format("card")},
                        "buttons": [{"title": "Ouvrir", "type": "web_url", "url": DATA_PAGE}],
                    }
                ],
            },
        }
    },
    {
        "text": "Mise en forme imposée",
        "metadata": {
            "domHighlight": {"selector": "h1", "style": "custom", "css": "display:none"},
            "customCss": {"style": "custom", "css": "background:url(javascript:1)"},
        },
    },
    {"text": LAST},
]
# Every URL under a selector, with its element and attribute, as the browser holds them.
URLS_UNDER = """root => [...document.querySelectorAll(`${root} *`)].flatMap(element =>
  [...element.attributes]
    .filter(attribute =>
      /^(href|src|srcset|srcdoc|poster|data|action|formaction|xlink:href|background)$/
        .test(attribute.name))
    .map(attribute => [element.tagName.toLowerCase(), attribute.name, attribute.value]))"""
IS_SAFE = """value => {
  let url;
  try { url = new URL(value, document.baseURI); } catch (invalid) { return false; }
  return ["https:", "mailto:", "tel:"].includes(url.protocol)
    || (url.origin !== "null" && url.origin === location.origin);
}"""


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo page pointed at the hostile server with ``?socket=``."""
    server = HostileSocketServer(free_port(), HOSTILE)
    server.start()
    log: Path = tmp_path_factory.mktemp("hostile") / "serve_web.log"
    try:
        with serving_demo_page(free_port(), log, base_env()) as origin:
            yield f"{origin}/?socket={server.url}"
    finally:
        server.stop()


def fields_of(value: Any) -> Iterator[str]:
    """Every string of a stored conversation but the messages' texts."""
    if isinstance(value, str):
        value = json.loads(value) if value.startswith(("{", "[")) else value
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "text":
                yield from fields_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from fields_of(item)
    elif isinstance(value, str):
        yield value


def unsafe_urls(page: Page) -> List[list]:
    """URLs the page must not hold: any but https, mailto, tel or same-origin in the
    messages; ``javascript:`` and non-image ``data:`` anywhere (the widget's own icons
    are ``data:image/…``)."""
    in_messages = [
        found
        for found in page.evaluate(URLS_UNDER, ".rw-messages-container")
        if found[1] in ("srcset", "srcdoc") or not page.evaluate(IS_SAFE, found[2])
    ]
    anywhere = [
        found for found in page.evaluate(URLS_UNDER, "body") if re.match(UNSAFE, found[2], re.I)
    ]
    return in_messages + anywhere


def test_hostile_bot_messages_leave_no_unsafe_url_and_run_nothing(
    browser: Browser,  # noqa: F811 - the fixture imported above
    hostile_page: str,
) -> None:
    visit = open_tab(browser, viewport={"width": 1100, "height": 900})
    page = visit.page
    page.goto(hostile_page)
    page.locator(".rw-launcher").click()
    for reload in (False, True):  # the history re-rendered from sessionStorage too
        if reload:
            page.reload()
            # The widget reopens itself if it was open: let it settle before deciding.
            page.locator(".rw-launcher").wait_for()
            page.wait_for_timeout(1500)
            if not page.locator(".rw-conversation-container").is_visible():
                page.locator(".rw-launcher").click()
        visit.bot_says(LAST)
        page.wait_for_timeout(1500)  # let any queued navigation or error handler run
        assert unsafe_urls(page) == []
        assert page.evaluate("window.__pwned") is None
        assert page.locator("h1").is_visible()  # the host page was not restyled
        # The safe addresses are kept: the cleaning does not blank everything.
        assert page.locator(f'.rw-message-text a[href="{SAFE_LINK}"]').count() == 1
        assert page.locator(f'iframe[src="{SAFE_VIDEO}"]').count() == 1
    # Stored cleaned too (Markdown text stays as sent: its links are cleaned when drawn).
    stored = json.loads(page.evaluate("sessionStorage.getItem('chat_session')"))
    assert [value for value in fields_of(stored) if re.match(UNSAFE, value, re.I)] == []
    assert not visit.errors, visit.errors
