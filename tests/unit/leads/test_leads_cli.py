"""``python -m actions.leads``: export, delete, purge and their errors."""

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator, List, Tuple

import pytest
from sqlalchemy import update

from actions.leads.cli import main, neutralise
from actions.leads.store import LeadInput, LeadStore, utcnow
from actions.leads.tables import leads
from tests.support.conversations import conversations_database, senders, store_typed
from tests.support.leads import leads_command


@pytest.fixture
def cli_store(
    sqlite_url: str, sqlite_store: LeadStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> LeadStore:
    """The store the command reads, through ``LEADS_DATABASE_URL``; conversations in a
    SQLite file of the test (``TRACKER_STORE_URL``)."""
    monkeypatch.setenv("LEADS_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'conversations.db'}")
    monkeypatch.delenv("CONVERSATIONS_RETENTION_DAYS", raising=False)
    return sqlite_store


@pytest.fixture(params=["sqlite", "postgresql"])
def conversations_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The conversations' database the command erases in, on SQLite and on PostgreSQL."""
    with conversations_database(request.param, tmp_path, "ptce_cli_conversations") as url:
        monkeypatch.setenv("TRACKER_STORE_URL", url)
        yield url


def _age(store: LeadStore, lead_id: str, created_at: datetime) -> None:
    with store.engine.begin() as connection:
        connection.execute(update(leads).where(leads.c.id == lead_id).values(created_at=created_at))


def _run(argv: List[str], capsys: pytest.CaptureFixture) -> Tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "value, expected",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33612345678", "'+33612345678"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Tiers-lieu = maison", "Tiers-lieu = maison"),
        (None, ""),
    ],
)
def test_neutralise_defuses_formulas(value: str, expected: str) -> None:
    assert neutralise(value) == expected


# The firm's spreadsheet reads these columns in this order.
CSV_HEADER = (
    "reference,created_at,name,email,phone,organisation,organisation_type,territory,need,"
    "message,topic,consent_at,consent_version,channel,updated_at,id,context"
)
# A formula in every text column a visitor or a channel can fill.
FORMULAS = dict(
    channel="@canal",
    name="=cmd|' /C calc'!A0",
    email="-jeanne@exemple.fr",
    phone="+33612345678",
    organisation="+Asso",
    organisation_type='=HYPERLINK("http://x")',
    territory="-Lyon",
    need="@besoin",
    message="\tmessage",
    topic="\ronglet",
    consent_version="=2025-01",
)


def test_export_csv_has_every_column_and_neutralises_each_one(
    cli_store: LeadStore, make_lead: Callable[..., LeadInput], capsys: pytest.CaptureFixture
) -> None:
    lead = cli_store.create(make_lead(**FORMULAS), ["email"])
    code, out, _ = _run(["export", "--format", "csv"], capsys)

    assert code == 0
    assert out.splitlines()[0] == CSV_HEADER
    [row] = list(csv.DictReader(io.StringIO(out, newline="")))
    assert row == {
        **{column: "'" + value for column, value in FORMULAS.items()},
        "reference": lead.reference,
        "id": lead.id,
        "created_at": lead.created_at.isoformat(),
        "updated_at": lead.updated_at.isoformat(),
        "consent_at": "2025-03-12T13:05:00+00:00",
        "context": json.dumps(lead.context, ensure_ascii=False),
    }
    assert len(row) == len(CSV_HEADER.split(","))


def test_export_json_since_a_day(
    cli_store: LeadStore, make_lead: Callable[..., LeadInput], capsys: pytest.CaptureFixture
) -> None:
    old = cli_store.create(make_lead(name="Ancien"), [])
    cli_store.create(make_lead(name="Récent"), [])
    _age(cli_store, old.id, datetime(2024, 12, 31, 12, tzinfo=timezone.utc))

    code, out, _ = _run(["export", "--format", "json", "--since", "2025-01-01"], capsys)
    assert code == 0
    assert [row["name"] for row in json.loads(out)] == ["Récent"]
    assert out.startswith("[\n  {")  # pretty-printed

    code, out, _ = _run(["export", "--format", "json"], capsys)
    assert sorted(row["name"] for row in json.loads(out)) == ["Ancien", "Récent"]


def test_delete_by_email(
    cli_store: LeadStore, make_lead: Callable[..., LeadInput], capsys: pytest.CaptureFixture
) -> None:
    cli_store.create(make_lead(), ["email"])
    cli_store.create(make_lead(email="Jeanne.Dupont@exemple.fr"), [])
    keep = cli_store.create(make_lead(email="paul@exemple.fr"), [])

    code, out, _ = _run(["delete", "--email", "JEANNE.DUPONT@EXEMPLE.FR"], capsys)
    assert code == 0
    assert out.strip() == "2 lead(s) et 0 conversation(s) supprimé(s) pour J***@E***.FR."
    assert [row["id"] for row in cli_store.export()] == [keep.id]


def test_delete_by_email_erases_the_conversations_where_it_was_typed(
    cli_store: LeadStore,
    conversations_url: str,
    make_lead: Callable[..., LeadInput],
    capsys: pytest.CaptureFixture,
) -> None:
    now = datetime.now(timezone.utc)
    store_typed(
        conversations_url,
        {
            "web-1": (now, ["bonjour", "mon mail : jeanne.dupont@exemple.fr"]),
            "telegram:42": (now, ["c'est Jeanne.Dupont@Exemple.fr"]),
            "web-2": (now, ["marie.jeanne.dupont@exemple.fr"]),
            "web-3": (now, ["une question"]),
        },
    )
    cli_store.create(make_lead(), [])
    code, out, _ = _run(["delete", "--email", "jeanne.dupont@exemple.fr"], capsys)
    assert (code, out.strip()) == (
        0,
        "1 lead(s) et 2 conversation(s) supprimé(s) pour j***@e***.fr.",
    )
    assert senders(conversations_url) == ["web-2", "web-3"]


def test_purge_erases_conversations_silent_for_the_retention_period(
    cli_store: LeadStore,
    conversations_url: str,
    capsys: pytest.CaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = datetime.now(timezone.utc)
    store_typed(
        conversations_url,
        {
            "old": (now - timedelta(days=200), ["bonjour"]),
            "back": (now - timedelta(days=200), ["bonjour"]),
            "recent": (now - timedelta(days=20), ["bonjour"]),
        },
    )
    store_typed(conversations_url, {"back": (now - timedelta(days=1), ["me revoilà"])})
    code, out, _ = _run(["purge", "--older-than", "365"], capsys)
    assert (code, out.strip()) == (
        0,
        "0 lead(s) de plus de 365 jour(s) et 1 conversation(s) sans message depuis "
        "180 jour(s) supprimé(s).",
    )
    assert senders(conversations_url) == ["back", "recent"]
    monkeypatch.setenv("CONVERSATIONS_RETENTION_DAYS", "10")
    assert _run(["purge", "--older-than", "365"], capsys)[0] == 0
    assert senders(conversations_url) == ["back"]
    monkeypatch.setenv("CONVERSATIONS_RETENTION_DAYS", "six mois")
    code, _, err = _run(["purge", "--older-than", "365"], capsys)
    assert (code, err.strip()) == (
        1,
        "Erreur : configuration invalide : CONVERSATIONS_RETENTION_DAYS must be a number "
        "of days, not 'six mois'",
    )


def test_purge_older_than(
    cli_store: LeadStore, make_lead: Callable[..., LeadInput], capsys: pytest.CaptureFixture
) -> None:
    old = cli_store.create(make_lead(), ["email"])
    cli_store.create(make_lead(), [])
    _age(cli_store, old.id, utcnow() - timedelta(days=400))

    code, out, _ = _run(["purge", "--older-than", "365"], capsys)
    assert (code, out.strip()) == (
        0,
        "1 lead(s) de plus de 365 jour(s) et 0 conversation(s) sans message depuis "
        "180 jour(s) supprimé(s).",
    )
    assert cli_store.get(old.id) is None and len(cli_store.export()) == 1


@pytest.mark.parametrize(
    "argv, message",
    [
        ([], "required"),
        (["export", "--format", "xml"], "invalid choice"),
        (["export", "--since", "hier"], "AAAA-MM-JJ"),
        (["export", "--since", "2025-02-30"], "AAAA-MM-JJ"),
        (["purge", "--older-than", "0"], "positif"),
        (["purge", "--older-than", "-3"], "positif"),
        (["purge"], "--older-than"),
        (["delete"], "--email"),
        (["envoyer"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(
    argv: List[str], message: str, cli_store: LeadStore, capsys: pytest.CaptureFixture
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err


def test_an_unreachable_database_is_one_clear_line(
    unused_port: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv(
        "LEADS_DATABASE_URL", f"postgresql://postgres:motdepasse@127.0.0.1:{unused_port}/absente"
    )
    code, out, err = _run(["export"], capsys)
    assert code == 1 and out == ""
    assert err.startswith("Erreur : base de données inaccessible")
    assert "motdepasse" not in err and len(err.strip().splitlines()) == 1


def test_a_half_configured_destination_is_reported(
    cli_store: LeadStore, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("LEADS_SMTP_HOST", "127.0.0.1")
    code, _, err = _run(["deliver"], capsys)
    assert code == 1 and "configuration invalide" in err and "LEADS_EMAIL_TO" in err


def test_deliver_without_destinations_says_so(
    cli_store: LeadStore, capsys: pytest.CaptureFixture
) -> None:
    code, out, _ = _run(["deliver"], capsys)
    assert code == 0 and "Aucune destination configurée" in out


def test_the_module_runs_as_a_command(sqlite_url: str, cli_store: LeadStore) -> None:
    env = {"LEADS_DATABASE_URL": sqlite_url, "PATH": "/usr/bin:/bin"}
    ok = leads_command(["export", "--format", "json"], env)
    bad = leads_command(["purge", "--older-than", "zéro"], env)
    assert (ok.returncode, json.loads(ok.stdout)) == (0, [])
    assert bad.returncode == 2 and "positif" in bad.stderr and "Traceback" not in bad.stderr
