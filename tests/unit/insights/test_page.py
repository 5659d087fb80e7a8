"""The page stands alone: nothing to load, every visitor's text escaped."""

from datetime import date, datetime, timezone
from html.parser import HTMLParser
from typing import List, Tuple

from insights.figures import compute
from insights.grouping import group
from insights.leads import LeadCounts
from insights.page import render
from insights.report import Report
from tests.unit.insights.test_figures import Chat

NOW = datetime(2026, 3, 11, 8, tzinfo=timezone.utc)


class Tags(HTMLParser):
    """Every start tag and its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: List[Tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))


def page() -> str:
    chat = Chat()
    chat.says("c'est quoi un ptce").answers("ptce_definition")
    chat.says('<img src="https://exemple.fr/x.png">', "out_of_scope")
    chat.utters("utter_out_of_scope")
    chat.says("pas utile", "not_helpful").utters("utter_not_helpful")
    chat.says("rappel", "request_contact").runs("action_ask_consent")
    figures = compute(chat.events + Chat("b", "telegram").says("salut", "greet").events)
    leads = LeadCounts(confirmed=1, delivered={"email": 1}, pending={"webhook": 1}, pending_leads=1)
    return render(Report(None, None, figures, group(figures.questions), leads), NOW)


def test_the_page_loads_nothing_and_runs_nothing() -> None:
    parser = Tags()
    parser.feed(page())
    names = {tag for tag, _ in parser.tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed"}
    for _, attributes in parser.tags:
        for name in ("src", "href", "xlink:href"):
            assert attributes.get(name, "#").startswith("#"), attributes
    meta = [a for tag, a in parser.tags if a.get("http-equiv") == "Content-Security-Policy"]
    assert meta and meta[0]["content"].startswith("default-src 'none'")
    assert "url(http" not in page() and "@import" not in page()


def test_the_page_shows_each_section_in_french() -> None:
    html = page()
    for title in (
        "Conversations par jour et par canal",
        "Ce que sont devenus les messages",
        "Les sujets les plus demandés",
        "Questions sans réponse",
        "Réponses qui n&#x27;ont pas aidé",
        "Parcours de contact",
    ):
        assert f"<h2>{title}</h2>" in html
    assert '<html lang="fr">' in html and html.count("<svg") == 4
    assert "du 10/03/2026 au 10/03/2026" in html
    assert "&lt;img src=&quot;https://exemple.fr/x.png&quot;&gt;" in html
    assert "Transmise\u00a0: e-mail à l&#x27;équipe" in html
    assert "Leads encore en attente d&#x27;envoi\u00a0: 1 (webhook (CRM)\u00a0: 1)." in html


def test_the_empty_page_says_so() -> None:
    empty = Report(date(2026, 1, 1), date(2026, 1, 31), compute([]), [], LeadCounts())
    html = render(empty, NOW)
    assert "Aucune conversation sur cette période" in html and "<svg" not in html
    assert "du 01/01/2026 au 31/01/2026" in html
