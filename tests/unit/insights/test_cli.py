"""``python -m insights``: the report and the CSV from a store, and one-line errors."""

import csv
import io
import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

from insights.cli import main
from tests.support.content import ROOT
from tests.support.conversations import Events, fill_events
from tests.support.ports import free_port

START = datetime(2026, 3, 10, 9, tzinfo=timezone.utc).timestamp()
OUT_OF_SCOPE = [("utter_out_of_scope", "utter_out_of_scope")]


@pytest.fixture
def stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A conversations store with three visitors, no lead store; the environment points at it."""
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    engine = sa.create_engine(url)
    SQLTrackerStore.Base.metadata.create_all(engine)
    first = Events("a", START, "socketio", [])
    first.turn("C'est quoi un PTCE ?", "faq", [("utter_faq", "utter_faq/ptce_definition")])
    first.turn('=HYPERLINK("x") écrivez à jeanne@exemple.fr', "out_of_scope", OUT_OF_SCOPE)
    second = Events("b", START + 3600, "telegram", [])
    second.turn('appelez-moi au 06 12 34 56 78 =HYPERLINK("x")', "out_of_scope", OUT_OF_SCOPE)
    second.turn("<script>alert(1)</script>", "nlu_fallback", [("action_fallback", "utter_default")])
    fill_events(engine, iter(first.rows + second.rows))
    engine.dispose()
    monkeypatch.setenv("TRACKER_STORE_URL", url)
    monkeypatch.setenv("LEADS_DATABASE_URL", f"sqlite:///{tmp_path / 'no-leads.db'}")
    return tmp_path


def test_the_report_is_written_with_its_figures(
    stores: Path, capsys: pytest.CaptureFixture
) -> None:
    out = stores / "sub" / "report.html"
    assert main(["report", "--out", str(out)]) == 0
    assert "2 conversations, 4 messages, 3 questions sans réponse" in capsys.readouterr().out
    html = out.read_text(encoding="utf-8")
    assert "Ce que demandent les visiteurs" in html and "du 10/03/2026 au 10/03/2026" in html
    assert "jeanne@" not in html and "34 56" not in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "La base des leads n&#x27;existe pas encore" in html


def test_the_unanswered_csv_is_masked_and_safe_in_a_spreadsheet(
    stores: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["unanswered", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    examples = sorted(row["example"] for row in rows)
    assert examples == [
        '\'=HYPERLINK("x") écrivez à j***@e***.fr',
        "<script>alert(1)</script>",
        'appelez-moi au 06 ******78 =HYPERLINK("x")',
    ]
    assert {row["count"] for row in rows} == {"1"}
    assert rows[0]["first_seen"].startswith("2026-03-10T1")


def test_the_unanswered_json_names_how_each_question_ended(
    stores: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["unanswered", "--format", "json", "--since", "2026-03-10"]) == 0
    outcomes = [row["outcomes"] for row in json.loads(capsys.readouterr().out)]
    assert sorted(map(json.dumps, outcomes)) == sorted(
        map(json.dumps, [{"out_of_scope": 1}, {"out_of_scope": 1}, {"fallback": 1}])
    )


def test_an_empty_period_gives_an_empty_report_that_says_so(
    stores: Path, capsys: pytest.CaptureFixture
) -> None:
    out = stores / "empty.html"
    assert main(["report", "--out", str(out), "--since", "2027-01-01"]) == 0
    assert "Aucune conversation sur la période" in capsys.readouterr().out
    assert "Aucune conversation sur cette période" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "arguments, error",
    [
        (["report", "--out", "x.html", "--since", "2026-13-01"], "AAAA-MM-JJ"),
        (["unanswered", "--since", "hier"], "AAAA-MM-JJ"),
        (["unanswered", "--format", "xls"], "xls"),
    ],
)
def test_bad_arguments_give_one_line(
    arguments: list, error: str, capsys: pytest.CaptureFixture
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(arguments)
    assert exit_.value.code == 2
    stderr = capsys.readouterr().err
    assert stderr.count("\n") == 1 and error in stderr


def test_until_before_since(capsys: pytest.CaptureFixture) -> None:
    assert main(["unanswered", "--since", "2026-03-10", "--until", "2026-03-01"]) == 1
    assert capsys.readouterr().err == "Erreur : --until est avant --since\n"


def test_unreachable_databases_give_one_line(
    stores: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    nowhere = f"postgresql://postgres:secret@127.0.0.1:{free_port()}/ptce"
    monkeypatch.setenv("TRACKER_STORE_URL", nowhere)
    assert main(["unanswered"]) == 1
    stderr = capsys.readouterr().err
    assert stderr.startswith(
        "Erreur : base des conversations illisible (postgresql://postgres:***@"
    )
    assert stderr.count("\n") == 1 and "secret" not in stderr
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{stores / 'absent.db'}")
    assert main(["report", "--out", str(stores / "r.html")]) == 1
    assert "absent.db" in capsys.readouterr().err
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{stores / 'conversations.db'}")
    monkeypatch.setenv("LEADS_DATABASE_URL", nowhere)
    assert main(["report", "--out", str(stores / "r.html")]) == 1
    assert capsys.readouterr().err.startswith("Erreur : base des leads illisible")


def test_an_unwritable_output_gives_one_line(stores: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["report", "--out", str(stores / "conversations.db" / "r.html")]) == 1
    stderr = capsys.readouterr().err
    assert stderr.startswith("Erreur : ") and stderr.count("\n") == 1


def test_the_command_runs_as_a_module_without_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "insights", "report", "--out", "x.html", "--until", "31/12"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("Erreur : argument --until")
