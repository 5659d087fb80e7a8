"""The firm's commands: ``python -m insights report|unanswered``.

Run from the project root with the project's venv, where the databases are
reachable (never on the public servers: see the README's "What visitors ask").
Expected problems (a bad date, a store that cannot be read, a file that cannot
be written) print one line and exit non-zero, without a traceback; an empty
period gives an empty report that says so.
"""

import argparse
import os
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from typing import NoReturn, Optional, Sequence

from insights import export, page
from insights.events import StoreError
from insights.report import build


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line instead of the usage and the error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"Erreur : {message} (voir --help)\n")


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run one command; the exit status."""
    arguments = _parser().parse_args(argv)
    if arguments.since and arguments.until and arguments.until < arguments.since:
        return _fail("--until est avant --since")
    try:
        return arguments.handler(arguments)
    except StoreError as error:
        return _fail(str(error))
    except BrokenPipeError:
        # The reader went away (``unanswered | head``): silence the final flush too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as error:
        return _fail(f"{error.strerror or error} : {error.filename or ''}".rstrip(" :"))


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m insights",
        description="Ce que demandent les visiteurs : rapport et questions sans réponse.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")
    report = commands.add_parser("report", help="écrire le rapport HTML")
    report.add_argument("--out", required=True, type=Path, metavar="FICHIER.html")
    report.set_defaults(handler=_report)
    unanswered = commands.add_parser(
        "unanswered", help="les questions sans réponse sur la sortie standard"
    )
    unanswered.add_argument(
        "--format", choices=("csv", "json"), default="csv", help="csv (par défaut) ou json"
    )
    unanswered.set_defaults(handler=_unanswered)
    for command in (report, unanswered):
        command.add_argument("--since", type=_day, metavar="AAAA-MM-JJ", help="premier jour")
        command.add_argument("--until", type=_day, metavar="AAAA-MM-JJ", help="dernier jour")
    return parser


def _report(arguments: argparse.Namespace) -> int:
    report = build(arguments.since, arguments.until)
    html = page.render(report, datetime.now(timezone.utc))
    out: Path = arguments.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    if report.empty:
        print(f"Aucune conversation sur la période : rapport vide écrit dans {out}")
    else:
        figures = report.figures
        print(
            f"Rapport écrit dans {out} : {figures.conversations} conversations, "
            f"{figures.messages} messages, {len(report.questions)} questions sans réponse."
        )
    return 0


def _unanswered(arguments: argparse.Namespace) -> int:
    groups = build(arguments.since, arguments.until).questions
    if arguments.format == "json":
        export.write_json(groups, sys.stdout)
    else:
        export.write_csv(groups, sys.stdout)
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date attendue au format AAAA-MM-JJ : {text!r}") from None


def _fail(message: str) -> int:
    print(f"Erreur : {message}", file=sys.stderr)
    return 1
