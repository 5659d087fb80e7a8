"""The demo page and the README's embed snippet configure the widget alike.

The browser test runs the demo page (web/index.html); the firm copies the README's
snippet onto its site. A setting changed in one and not the other would be tested
on one page and shipped on another.
"""

import re

from tests.support.content import ROOT

DELAY = re.compile(r"customMessageDelay: function \((\w+)\) \{[^\n]*\n\s*(.+?)\n\s*\}", re.S)


def delay_of(path: str) -> str:
    """The body of the ``customMessageDelay`` function written in ``path``."""
    (match,) = DELAY.findall((ROOT / path).read_text(encoding="utf-8"))
    return " ".join(match)


def test_the_readme_snippet_holds_messages_back_as_the_demo_page_does() -> None:
    assert delay_of("README.md") == delay_of("web/index.html")


def embed_snippet() -> str:
    """The HTML block of the README's "Embedding it" section."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("### Embedding it", 1)[1]
    return section.split("```html", 1)[1].split("```", 1)[0]


def test_the_embed_snippet_has_no_server_override() -> None:
    """The demo page's ``?socket=`` lets a link point the page at any server, which then
    feeds the widget whatever it likes: the firm's snippet names its server, nothing else."""
    snippet = embed_snippet()
    assert re.search(r'socketUrl: "https://[\w.-]+",', snippet)
    for override in ("location", "URLSearchParams", "socket=", "document.", "window."):
        assert override not in snippet
