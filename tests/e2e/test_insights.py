"""The insights report on real conversations, and in a real browser.

Conversations go over REST through the real servers; the report and the CSV are
then made by ``python -m insights`` from the same stores, and their figures
compared with what those conversations did (the session's other tests share the
stores, so the figures are read before and after). The browser test opens a
report of synthetic conversations in headless Chromium: no console message, no
request but the file itself. With ``UPDATE_README_SCREENSHOT=1`` (``make
screenshot``) it also refreshes docs/insights.png.
"""

import csv
import io
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict

import pytest
from playwright.sync_api import Browser

from insights.report import Report, build
from tests.e2e.test_leads import ANSWERS, start_form
from tests.e2e.test_widget import browser, open_tab, screenshot  # noqa: F401 - a fixture
from tests.support.chat import say, text_of
from tests.support.content import ROOT, response_start
from tests.support.conversations import fill_stores
from tests.support.processes import base_env
from tests.support.session import Servers

OUT_OF_SCOPE = "quelle sera la météo demain à Lyon ? mamie.tatin@exemple.fr"


def insights(servers: Servers, *arguments: str) -> str:
    """``python -m insights …`` on the test stores; its standard output."""
    result = subprocess.run(
        [sys.executable, "-m", "insights", *arguments],
        cwd=ROOT,
        env=servers.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def snapshot(servers: Servers, monkeypatch: pytest.MonkeyPatch) -> Report:
    for name in ("TRACKER_STORE_URL", "LEADS_DATABASE_URL"):
        monkeypatch.setenv(name, servers.env[name])
    return build(None, None)


def counts(report: Report) -> Dict[str, int]:
    """The report's figures that the conversations below move."""
    figures, leads = report.figures, report.leads
    values = {
        "conversations": figures.conversations,
        "REST": figures.conversations_per_channel["Terminal ou REST"],
        "messages": figures.messages,
        "topic ptce_definition": figures.topics["faq/ptce_definition"],
        "not helpful after ptce_definition": figures.unhelpful["faq/ptce_definition"],
        "confirmed": leads.confirmed,
        **{f"outcome {name}": count for name, count in figures.outcomes.items()},
        **{f"step {name}": count for name, count in figures.funnel.items()},
        **{f"delivered {name}": count for name, count in leads.delivered.items()},
    }
    return values


def test_real_conversations_give_the_report_and_the_csv_their_figures(
    servers: Servers, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    before = counts(snapshot(servers, monkeypatch))
    visitor = uuid.uuid4().hex
    answer = text_of(say(servers.rasa_url, "c'est quoi un ptce", visitor))
    assert response_start("utter_faq/ptce_definition") in answer
    sorry = text_of(say(servers.rasa_url, "pas utile", visitor))
    assert response_start("utter_not_helpful") in sorry and "consultant" in sorry
    declined = text_of(say(servers.rasa_url, OUT_OF_SCOPE, visitor))
    assert response_start("utter_out_of_scope") in declined
    lead = uuid.uuid4().hex
    start_form(servers, lead)
    for message, expected in ANSWERS:
        assert expected in text_of(say(servers.rasa_url, message, lead))
    assert "PTCE-" in text_of(say(servers.rasa_url, "/affirm", lead))

    after = counts(snapshot(servers, monkeypatch))
    moved = {
        key: after[key] - before.get(key, 0) for key in after if after[key] != before.get(key, 0)
    }
    assert moved == {
        "conversations": 2,
        "REST": 2,
        "messages": 3 + 1 + len(ANSWERS) + 1,
        "topic ptce_definition": 1,
        "not helpful after ptce_definition": 1,
        "outcome answered": 1,
        "outcome unhelpful": 1,
        "outcome out_of_scope": 1,
        "outcome other": 1 + len(ANSWERS) + 1,
        "step action_ask_consent": 1,
        "step action_accept_consent": 1,
        "step action_show_lead_summary": 1,
        "confirmed": 1,
        "delivered email": 1,
        "delivered webhook": 1,
    }

    rows = list(csv.DictReader(io.StringIO(insights(servers, "unanswered", "--format", "csv"))))
    # The session's server also answered the other end-to-end tests (the blind set
    # asks about tomorrow's weather too): the question may share its group.
    weather = [row for row in rows if "demain à" in row["example"]]
    assert weather and any("out_of_scope=" in row["outcomes"] for row in weather), rows
    assert all("mamie.tatin" not in row["example"] for row in rows)
    report = tmp_path / "insights.html"
    assert "Rapport écrit dans" in insights(servers, "report", "--out", str(report))
    html = report.read_text(encoding="utf-8")
    assert "mamie.tatin" not in html and "Jeanne Dupont" not in html and lead not in html


def test_the_report_opens_offline_in_chromium(browser: Browser, tmp_path: Path) -> None:  # noqa: F811
    tracker, leads = f"sqlite:///{tmp_path / 'c.db'}", f"sqlite:///{tmp_path / 'l.db'}"
    end = datetime.now(timezone.utc)
    fill_stores(tracker, leads, count=3000, days=30, end=end)
    report = tmp_path / "insights.html"
    since = (end - timedelta(days=29)).date().isoformat()
    subprocess.run(
        [sys.executable, "-m", "insights", "report", "--out", str(report), "--since", since],
        cwd=ROOT,
        env=dict(base_env(), TRACKER_STORE_URL=tracker, LEADS_DATABASE_URL=leads),
        check=True,
        capture_output=True,
        timeout=120,
    )
    visit = open_tab(browser, viewport={"width": 1100, "height": 900})
    visit.page.goto(report.as_uri())
    visit.page.wait_for_load_state("load")
    assert visit.page.locator("h1").inner_text() == "Ce que demandent les visiteurs"
    assert visit.page.locator("svg").count() == 4
    assert visit.urls == [report.as_uri()]
    assert visit.console == [] and visit.errors == []
    screenshot(visit, "insights.png", docs_copy=True)
