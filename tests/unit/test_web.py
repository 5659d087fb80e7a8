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
